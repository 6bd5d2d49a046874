"""benchmark_step measures both variants on the same model and batch."""
from ..conftest import load_tool


def test_benchmark_step_tiny(tmp_path):
    bench = load_tool('analysis/benchmark_step.py')
    out = tmp_path / 'bench.json'
    res = bench.main(['--steps', '2', '--warmup', '1', '--batch-size', '4',
                      '--modalities', 'flow_imgs', 'audios', '--out', str(out)])
    assert out.is_file()
    assert res['modalities'] == ['flow_imgs', 'audios'] and res['batch'] == 4
    assert res['fusion_ms'] > 0 and res['merdg_ms'] > 0
    assert abs(res['ratio'] - res['merdg_ms'] / res['fusion_ms']) < 1e-2
    assert res['mer_loss_only_ms_per_modality'] > 0


def test_benchmark_step_puts_labels_on_the_model_device():
    """On CUDA the labels must follow the model (nll_loss refuses mixed devices).

    The meta device stands in for a GPU here: everything build() returns must
    be on it, the labels included.
    """
    import torch
    bench = load_tool('analysis/benchmark_step.py')
    args = bench.parse_args(['--device', 'meta', '--batch-size', '2',
                             '--modalities', 'flow_imgs', 'audios'])
    model, inputs, samples, n = bench.build(args)
    meta = torch.device('meta')
    assert next(model.parameters()).device == meta
    assert all(x.device == meta for x in inputs.values())
    assert len(samples) == n == 2
    assert all(s.gt_label.device == meta for s in samples)
