"""check_finite_features: names the modality that diverged; no host sync on a GPU."""
import pytest
import torch

from mmaction_merdg.models.recognizers.feature_checks import check_finite_features


def test_cpu_names_every_bad_modality():
    feats = dict(imgs=torch.ones(2, 3), flow_imgs=torch.tensor([[float('inf')]]),
                 audios=torch.tensor([[float('nan'), 1.0]]))
    with pytest.raises(FloatingPointError, match=r"\['flow_imgs', 'audios'\] encoder"):
        check_finite_features(feats)
    check_finite_features(dict(imgs=torch.ones(2, 3)))  # finite: no error
    check_finite_features({})


def test_accelerator_path_asserts_on_the_device(monkeypatch):
    """Off the CPU the check is torch._assert_async per modality (no .tolist())."""
    calls = []
    monkeypatch.setattr(torch, '_assert_async', lambda cond, msg: calls.append((bool(cond), msg)))

    class OnDevice(torch.Tensor):
        @property
        def device(self):
            return torch.device('meta')

    feats = dict(imgs=torch.ones(2, 3).as_subclass(OnDevice),
                 audios=torch.tensor([[float('nan')]]).as_subclass(OnDevice))
    check_finite_features(feats)
    assert calls == [(True, "non-finite (NaN or Inf) features from the ['imgs'] encoder(s)"),
                     (False, "non-finite (NaN or Inf) features from the ['audios'] encoder(s)")]
