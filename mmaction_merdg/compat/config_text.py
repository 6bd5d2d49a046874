"""Format a run's config text once instead of at every use.

mmengine 0.10.7's ``Config.pretty_text`` re-formats the whole config with
yapf at each call (about 0.7 s for the shipped configs), and a training calls
it in ``Runner.__init__`` (log, dump, visualizer) and in every
``Runner.save_checkpoint`` (``meta['cfg']``): with three epochs and a new
best each epoch, that is 13 calls, most of a tiny run's time. A run's config
does not change once the runner is built, so :func:`format_config_text_once`
makes it format once and reuse the text.
"""
from mmengine.config import Config


class TextOnceConfig(Config):
    """A ``Config`` whose ``pretty_text`` is formatted once, then reused.

    Only for a config that is no longer edited (the text is not updated).
    """

    @property
    def pretty_text(self) -> str:
        text = self.__dict__.get('_pretty_text_once')
        if text is None:
            text = Config.pretty_text.fget(self)
            object.__setattr__(self, '_pretty_text_once', text)
        return text


def format_config_text_once(cfg: Config) -> Config:
    """Make ``cfg`` (a plain ``Config``) a :class:`TextOnceConfig`, in place.

    Call it when the config will not be edited any more (before building the
    runner: ``Runner`` deep-copies it, the class and any cached text too).
    """
    if type(cfg) is Config:
        object.__setattr__(cfg, '__class__', TextOnceConfig)
    return cfg
