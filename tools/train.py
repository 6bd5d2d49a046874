"""Train a recognizer of mmaction_merdg (MMAction2's CLI, plus --dataset-options and the
experiment options --shift, --modalities, --mer).

Examples:
    python tools/train.py configs/merdg_synthetic.py
    python tools/train.py configs/merdg_epic_d1d2_d3.py --amp --seed 1
    python tools/train.py configs/merdg_epic_d1d2_d3.py --shift D1:D2,D3 --modalities rgb,audio
    python tools/train.py configs/simmmdg_synthetic.py --mer
    bash tools/dist_train.sh configs/merdg_epic_d1d2_d3.py 4
"""
import argparse
import os
import os.path as osp

# The plugin first: it makes `mmaction.models` importable on the 1.2.0 wheel.
import mmaction_merdg  # noqa: F401
from mmengine.config import Config, DictAction

from mmaction_merdg.apis import set_dataset_options
from mmaction_merdg.apis.config_keys import check_cfg_option_keys
from mmaction_merdg.apis.cli_options import (add_experiment_args, apply_experiment_args,
                                             build_runner, enable_tensorboard)
from mmaction_merdg.compat import setup_cpu_distributed
from mmaction_merdg.datasets.balanced_domain_sampler import \
    sync_sampler_batch_size
from mmaction_merdg.engine.hooks.loader_watch_hook import (
    explain_loader_timeout, runner_loaders)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a multimodal recognizer')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest checkpoint '
        'of the work dir when no path is given')
    parser.add_argument('--amp', action='store_true',
                        help='enable automatic mixed precision training')
    parser.add_argument('--no-validate', action='store_true',
                        help='skip validation during training (no model selection!)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr with the total batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument('--diff-rank-seed', action='store_true',
                        help='use a different seed on every rank')
    parser.add_argument('--deterministic', action='store_true',
                        help='deterministic cuDNN algorithms')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. model.regularizers.mer.loss.loss_weight=1.0')
    parser.add_argument(
        '--dataset-options', nargs='+', action=DictAction,
        help='set keys in EVERY dataset of the config (train, val, test), '
        'e.g. cooccurrence=0.5 for the synthetic benchmark')
    add_experiment_args(parser)
    parser.add_argument('--tensorboard', action='store_true',
                        help='also write TensorBoard events (entropy/* curves included)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    """Merge CLI arguments into the config (as MMAction2's tools/train.py)."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(f'--amp needs OptimWrapper, got {optim_wrapper}.')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if cfg.get('randomness', None) is None:
        cfg.randomness = dict(seed=args.seed, diff_rank_seed=args.diff_rank_seed,
                              deterministic=args.deterministic)
    else:
        if args.seed is not None:
            cfg.randomness.seed = args.seed
        if args.diff_rank_seed:
            cfg.randomness.diff_rank_seed = True
        if args.deterministic:
            cfg.randomness.deterministic = True
    # The experiment first, so --cfg-options can still override what it sets.
    apply_experiment_args(cfg, args)
    if args.cfg_options is not None:
        check_cfg_option_keys(cfg, args.cfg_options)  # typos are not new keys
        cfg.merge_from_dict(args.cfg_options)
    if args.dataset_options:
        set_dataset_options(cfg, dict(args.dataset_options))
    if args.tensorboard:
        enable_tensorboard(cfg)
    sync_sampler_batch_size(cfg)  # one batch size for loader and sampler
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    setup_cpu_distributed(cfg, args.launcher)
    # honours cfg.runner_type; writes the config text without yapf (every checkpoint stores it)
    runner = build_runner(cfg)
    try:
        runner.train()
    except RuntimeError as err:  # a hung worker: name it and its sample
        explained = explain_loader_timeout(err, runner_loaders(runner))
        if explained is None:
            raise
        raise TimeoutError(explained) from err
    return runner


if __name__ == '__main__':
    main()
