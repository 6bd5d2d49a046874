"""Refuse a misspelled top-level key in ``--cfg-options``.

``Config.merge_from_dict`` adds any key it is given: ``--cfg-options
trian_cfg.max_epochs=1`` creates a new, unused ``trian_cfg`` and the full run
goes ahead (measured). :func:`check_cfg_option_keys` accepts the keys the
config already has and those mmengine's ``Runner`` (and the plugin's tools)
read, and raises naming the closest known key for any other.
"""
import difflib
import inspect
from typing import Iterable

# Read by Runner.from_cfg / Runner.__init__ and by Runner methods from cfg.
_RUNNER_EXTRA = ('runner_type', 'custom_imports', 'compile', 'sync_bn',
                 'find_unused_parameters', 'model_wrapper_cfg',
                 'activation_checkpointing', 'efficient_conv_bn_eval',
                 'work_dir', 'resume', 'load_from', 'launcher', 'cfg')


def known_top_level_keys(cfg) -> set:
    """The config's own top-level keys and those the Runner reads."""
    from mmengine.runner import Runner
    params = inspect.signature(Runner.__init__).parameters
    return set(cfg.keys()) | set(params) - {'self'} | set(_RUNNER_EXTRA)


def check_cfg_option_keys(cfg, options: Iterable[str]) -> None:
    """Raise when a ``--cfg-options`` key starts with an unknown name.

    Args:
        cfg (mmengine.Config): The config before the options are merged.
        options (Iterable[str]): The option keys (``'a.b.c'``).

    Raises:
        KeyError: Naming the key, the closest known top-level key and how
            to add a new one on purpose.
    """
    known = known_top_level_keys(cfg)
    for key in options:
        top = str(key).split('.', 1)[0]
        if top in known:
            continue
        close = difflib.get_close_matches(top, sorted(known), n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ''
        raise KeyError(
            f"--cfg-options {key}: '{top}' is not a top-level key of the "
            f'config nor one the Runner reads, so it would be ignored.{hint} '
            'To add a new top-level key on purpose, put it in a config file '
            'that inherits this one.')
