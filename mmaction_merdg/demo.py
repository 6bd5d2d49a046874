"""Classify one video (its audio and, if given, its flow) with a trained model.

    mmaction-merdg-demo CONFIG CHECKPOINT VIDEO [--audio WAV] [--flow DIR] [--device cpu]

(also ``python -m mmaction_merdg.demo`` or ``python demo/demo.py`` in a
checkout). Prints the top-5 classes with their scores. The audio is the
video's own track unless ``--audio`` names another file; ``--flow DIR`` holds
``flow_x.mp4`` and ``flow_y.mp4`` (frame-aligned with VIDEO) and is needed by
models with flow, as a video holds no optical flow. The config's frame
sampling, crops and audio transforms are used
(:func:`mmaction_merdg.apis.inference.media_test_pipeline`); CONFIG may be a
path or the name of a shipped config.
"""
import argparse

from mmaction_merdg.apis.inference import (format_topk, inference_multimodal,
                                           init_multimodal_recognizer)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='mmaction_merdg demo: top-5 classes of a video')
    parser.add_argument('config', help='config file (a path or a shipped config name)')
    parser.add_argument('checkpoint', help='trained checkpoint')
    parser.add_argument('video', help='RGB video file')
    parser.add_argument('--audio', help="audio file (default: the video's own audio track)")
    parser.add_argument('--flow', help='directory with flow_x.mp4 and flow_y.mp4')
    parser.add_argument('--device', default='cpu', help='e.g. cpu or cuda:0')
    parser.add_argument('--topk', type=int, default=5)
    parser.add_argument('--allow-partial-checkpoint', action='store_true',
                        help='use a checkpoint whose keys do not all fit the model')
    return parser.parse_args(argv)


def main(argv=None):
    """Run the demo; returns the printed lines."""
    args = parse_args(argv)
    model = init_multimodal_recognizer(args.config, args.checkpoint, device=args.device,
                                       allow_partial_checkpoint=args.allow_partial_checkpoint)
    result = inference_multimodal(model, args.video, audio=args.audio, flow=args.flow)
    lines = format_topk(result, model.cfg, args.topk)
    print('\n'.join(lines))
    return lines


if __name__ == '__main__':
    main()
