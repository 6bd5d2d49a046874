# Runtime shared by every config of the plugin.
_base_ = ['mmaction::_base_/default_runtime.py']

# Importing the plugin registers its datasets, transforms, models, metrics and
# hooks into MMAction2's registries (and applies the stack work-arounds).
custom_imports = dict(imports=['mmaction_merdg'], allow_failed_imports=False)
default_scope = 'mmaction'

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10, ignore_last=False),
    # Model selection on the SOURCE domains' held-out split only. The target
    # accuracy of that checkpoint is the reported figure; `oracle/target_top1`
    # (best target accuracy over epochs) is logged for comparison, never used.
    # AtomicCheckpointHook: mmengine's CheckpointHook, files written atomically
    # (temporary file, fsync, rename) and old ones removed only after the new
    # one is complete (mmaction_merdg/engine/hooks/atomic_checkpoint_hook.py).
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=1, save_best='source/top1',
        rule='greater', max_keep_ckpts=2, save_last=True),
    # Checkpoints carry the random-number state (torch, numpy, Python, the
    # sampler seed; workers seeded per epoch) so that --resume continues
    # exactly as an uninterrupted run (mmaction_merdg/engine/hooks/
    # exact_resume_hook.py). A default_hooks entry, so that configs setting
    # custom_hooks keep it; `enabled=False` turns it off.
    exact_resume=dict(type='ExactResumeHook'),
    # --resume checks the file (an incomplete one falls back to the newest
    # complete checkpoint) and that it fits the model, and validates an epoch
    # whose validation a kill interrupted (engine/hooks/resume_guard_hook.py).
    resume_guard=dict(type='ResumeGuardHook'),
    # One work dir, one training: <work_dir>/run.lock names the holder
    # (engine/hooks/work_dir_lock_hook.py); `enabled=False` turns it off.
    work_dir_lock=dict(type='WorkDirLockHook'),
    # Before the first step: loader vs balanced-sampler batch size, classes of
    # the data vs every head, domains of domain-aware modules vs the data
    # (engine/hooks/preflight_check_hook.py).
    preflight=dict(type='PreflightCheckHook'),
    # A NaN/Inf loss term or gradient norm stops training, naming the term
    # (engine/hooks/non_finite_check_hook.py). Under AMP an Inf gradient norm
    # is a skipped step (counted); loss='ignore' / grad_norm='ignore' train on.
    non_finite=dict(type='NonFiniteCheckHook'),
    # Loaders with workers and no `timeout` of their own wait at most 300 s
    # for a batch; a hung worker is reported with the sample it is on
    # (engine/hooks/loader_watch_hook.py). timeout=0 waits forever.
    loader_watch=dict(type='LoaderWatchHook', timeout=300),
    # With skip_unreadable=True: the number of replaced samples, per epoch.
    skipped_samples=dict(type='SkippedSampleLoggerHook'))

# Non-deterministic cuDNN is fine; seeds come from --seed / randomness.seed.
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)

# Per-modality entropy terms, RankMe and cross-modal CKA of the training batch,
# logged every 50 iterations (mmaction_merdg/engine/hooks/entropy_logger_hook.py).
# TensorBoard: add --tensorboard to tools/train.py (or mim train).
custom_hooks = [dict(type='ModalityEntropyLoggerHook', interval=50)]
