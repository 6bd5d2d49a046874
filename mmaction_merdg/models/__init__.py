from . import backbones, heads, losses, necks, recognizers  # noqa: F401
