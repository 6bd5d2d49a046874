"""The loaders refuse a non-regular file (a FIFO) before opening it."""
import os

import pytest

from mmaction_merdg.datasets.transforms.audio import read_wav_window
from mmaction_merdg.datasets.transforms.errors import MediaReadError
from mmaction_merdg.datasets.transforms.loading import _read_image
from mmaction_merdg.datasets.transforms.strict_media import non_regular_kind


def test_frame_and_wav_loaders_refuse_a_fifo(tmp_path):
    """Before: open() of the FIFO blocked the worker forever."""
    fifo = tmp_path / 'img_0000000001.jpg'
    os.mkfifo(fifo)
    with pytest.raises(MediaReadError, match=r"frame file '.*img_0000000001"
                       r".jpg' is a FIFO \(named pipe\), not a regular file"):
        _read_image(str(fifo), 1)
    wav = tmp_path / 'a.wav'
    os.mkfifo(wav)
    with pytest.raises(MediaReadError, match=r"audio file '.*a.wav' is a FIFO"):
        read_wav_window(str(wav), 16000, 0.0, 1.0)
    assert non_regular_kind(str(tmp_path)) == 'a folder'
    assert non_regular_kind(str(tmp_path / 'missing.jpg')) is None
