"""The error raised when a sample's media cannot be read.

Transforms raise :class:`MediaReadError` for a missing, unreadable or too-short
frame, video or wav file, always naming the file and what was expected. The
datasets' opt-in skip policy (``skip_unreadable=True``) catches exactly this
error (and other ``OSError``), so that a programming error is never mistaken
for a broken file.
"""


class MediaReadError(OSError):
    """A media file of one sample is missing, unreadable or too short."""
