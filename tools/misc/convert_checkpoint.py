"""Rewrite an older MultiModalRecognizer checkpoint to the current key layout.

MER-DG's projection heads were saved as ``projectors.<m>.layers.<i>.*`` (the
recognizer's former ``projector=``/``mer_loss=`` keys) or as
``regularizers.mer.projectors.<m>.layers.<i>.*`` (one head per modality);
they now live stacked at ``regularizers.mer.projectors.`` (see
``mmaction_merdg.models.recognizers.checkpoint_keys``). The recognizer maps
both when it loads; this tool rewrites the file once, so that other tools
see the current keys. The ``state_dict`` and, when present, the averaged
model's ``ema_state_dict`` (its keys prefixed ``module.``) are converted;
everything else is kept.

Example:
    python tools/misc/convert_checkpoint.py old.pth new.pth
"""
import argparse
import sys

import torch

from mmaction_merdg.models.recognizers.checkpoint_keys import upgrade_state_dict


def convert(checkpoint: dict) -> dict:
    """Convert the recognizer state dicts of a loaded checkpoint in place."""
    if not isinstance(checkpoint, dict):
        raise ValueError(f'expected a checkpoint dict, got {type(checkpoint).__name__}.')
    if 'state_dict' not in checkpoint:
        # A bare state dict (torch.save(model.state_dict())).
        if not all(isinstance(k, str) for k in checkpoint):
            raise ValueError('the checkpoint has no `state_dict` and is not a state dict.')
        return upgrade_state_dict(checkpoint)
    upgrade_state_dict(checkpoint['state_dict'])
    if isinstance(checkpoint.get('ema_state_dict'), dict):
        upgrade_state_dict(checkpoint['ema_state_dict'], prefix='module.')
    return checkpoint


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='checkpoint to read (.pth)')
    parser.add_argument('dst', help='converted checkpoint to write')
    args = parser.parse_args(argv)
    if args.src == args.dst:
        parser.error('src and dst must differ (the source is kept).')
    # Checkpoints hold mmengine's message hub and numpy scalars: full unpickling
    # of a file the user names.
    checkpoint = torch.load(args.src, map_location='cpu', weights_only=False)
    before = set(checkpoint.get('state_dict', checkpoint))
    convert(checkpoint)
    after = set(checkpoint.get('state_dict', checkpoint))
    torch.save(checkpoint, args.dst)
    print(f'{args.dst}: {len(before - after)} keys rewritten into {len(after - before)}.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
