from . import backbones, heads, losses, necks, recognizers, regularizers  # noqa: F401
