"""Test a checkpoint of mmaction_merdg (MMAction2's CLI).

Example:
    python tools/test.py configs/merdg_synthetic.py \
        work_dirs/merdg_synthetic/best_source_top1_epoch_5.pth
    # the checkpoint of a --shift/--modalities/--mer run: the same options
    python tools/test.py configs/merdg_epic_d1d2_d3.py CKPT --shift D1:D2,D3
"""
import argparse
import os
import os.path as osp

import mmaction_merdg  # noqa: F401  (first: makes mmaction.models importable)
from mmengine.config import Config, DictAction

from mmaction_merdg.apis import check_checkpoint_fits, set_dataset_options
from mmaction_merdg.apis.config_keys import check_cfg_option_keys
from mmaction_merdg.apis.cli_options import (add_experiment_args, apply_experiment_args,
                                             build_runner, enable_tensorboard)
from mmaction_merdg.compat import setup_cpu_distributed
from mmaction_merdg.engine.hooks.loader_watch_hook import (
    explain_loader_timeout, runner_loaders)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a multimodal recognizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file (weights_only load)')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics')
    parser.add_argument('--dump', type=str,
                        help='dump predictions to this pickle file (.pkl)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. test_dataloader.batch_size=8')
    parser.add_argument(
        '--dataset-options', nargs='+', action=DictAction,
        help='set keys in every dataset of the config')
    add_experiment_args(parser)
    parser.add_argument('--tensorboard', action='store_true',
                        help='also write TensorBoard events (entropy/* curves included)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument(
        '--allow-partial-checkpoint', action='store_true',
        help='load a checkpoint whose keys do not all fit the model '
        '(refused by default)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must end with .pkl or .pickle, got {args.dump}')
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        evaluators = cfg.test_evaluator
        evaluators = list(evaluators) if isinstance(evaluators, (list, tuple)) else [evaluators]
        cfg.test_evaluator = evaluators + [dump_metric]
    # The experiment first, so --cfg-options can still override what it sets.
    apply_experiment_args(cfg, args)
    if args.cfg_options is not None:
        check_cfg_option_keys(cfg, args.cfg_options)  # typos are not new keys
        cfg.merge_from_dict(args.cfg_options)
    if args.dataset_options:
        set_dataset_options(cfg, dict(args.dataset_options))
    if args.tensorboard:
        enable_tensorboard(cfg)
    cfg.load_from = args.checkpoint
    return cfg


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg = merge_args(Config.fromfile(args.config), args)
    setup_cpu_distributed(cfg, args.launcher)
    runner = build_runner(cfg)  # honours cfg.runner_type
    check_checkpoint_fits(runner.model, args.checkpoint,
                          args.allow_partial_checkpoint)
    try:
        return runner.test()
    except RuntimeError as err:  # a hung worker: name it and its sample
        explained = explain_loader_timeout(err, runner_loaders(runner))
        if explained is None:
            raise
        raise TimeoutError(explained) from err


if __name__ == '__main__':
    main()
