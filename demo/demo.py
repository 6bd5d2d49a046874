"""Classify one video (its audio and, if given, its flow) with a trained mmaction_merdg model.

    python demo/demo.py CONFIG CHECKPOINT VIDEO [--audio WAV] [--flow DIR] [--device cpu]

The same program as the installed ``mmaction-merdg-demo`` (``mmaction_merdg/demo.py``): the audio
is the video's own track unless ``--audio`` names a file; ``--flow DIR`` (``flow_x.mp4`` and
``flow_y.mp4``) is needed by models with flow.
"""
from mmaction_merdg.demo import main, parse_args  # noqa: F401

if __name__ == '__main__':
    main()
