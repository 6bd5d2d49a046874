from . import analysis, metrics  # noqa: F401
