"""Input layouts (2D backbones through NCHW) and feat_dims inference."""
import pytest
import torch

from mmaction.registry import MODELS
from mmaction_merdg.models.utils import forward_backbone, infer_feat_dims, resolve_layouts

TSN = dict(type='ResNet', depth=18, pretrained=None)
TSM = dict(type='ResNetTSM', depth=18, pretrained=None, num_segments=4)


def _recognizer(imgs, layouts=None, feat_dims=None):
    return MODELS.build(dict(
        type='MultiModalRecognizer',
        backbones=dict(imgs=imgs, audios=dict(type='ResNetAudio', depth=50, pretrained=None,
                                              in_channels=1, base_channels=4)),
        feat_dims=feat_dims, input_layouts=layouts,
        cls_head=dict(type='MultiModalFusionHead', num_classes=3, hidden_channels=16)))


@pytest.mark.parametrize('backbone', [TSN, TSM], ids=['TSN-ResNet18', 'TSM-ResNet18'])
def test_2d_backbones_fold_frames_and_infer_their_size(backbone):
    model = _recognizer(backbone, layouts=dict(imgs='NCHW')).eval()
    assert model.feat_dims == dict(imgs=512, audios=128)
    x = torch.randn(2, 1, 3, 4, 32, 32)  # [N, V, C, T, H, W], T == TSM's num_segments
    with torch.no_grad():
        feats = model.extract_feat(dict(imgs=x, audios=torch.randn(2, 1, 1, 32, 32)))
        if backbone['type'] == 'ResNet':  # TSM mixes frames: only TSN is frame-separable
            # Recognizer2D's rule: frames through the 2D net one by one, then averaged.
            per_frame = torch.stack([
                model.backbones['imgs'](x[:, 0, :, t]).mean(dim=(2, 3)) for t in range(4)], 1)
            assert torch.allclose(feats['imgs'], per_frame.mean(1), atol=1e-5)
    assert feats['imgs'].shape == (2, 512)


def test_2d_backbone_under_the_3d_layout_names_modality_type_and_fix():
    with pytest.raises(ValueError) as err:
        _recognizer(TSN)  # default imgs layout is NCTHW
    msg = str(err.value)
    assert "'imgs'" in msg and 'ResNet' in msg and 'NCTHW' in msg
    assert "input_layouts=dict(imgs='NCHW')" in msg


def test_given_feat_dims_are_checked_at_the_first_forward():
    model = _recognizer(TSN, layouts=dict(imgs='NCHW'), feat_dims=dict(imgs=300))
    with pytest.raises(ValueError, match=r"feat_dims\['imgs'\] is 300 .*ResNet.* outputs 512"):
        model.extract_feat(dict(imgs=torch.randn(1, 1, 3, 2, 32, 32),
                                audios=torch.randn(1, 1, 1, 32, 32)))


def test_probe_leaves_rng_and_training_mode_alone():
    backbone = MODELS.build(dict(TSN))
    torch.manual_seed(0)
    state = torch.get_rng_state()
    assert infer_feat_dims(dict(imgs=backbone), dict(imgs='NCHW')) == dict(imgs=512)
    assert torch.equal(state, torch.get_rng_state()) and backbone.training


def test_layout_errors():
    with pytest.raises(ValueError, match="expected one of"):
        resolve_layouts(['imgs'], dict(imgs='NTCHW'))
    with pytest.raises(ValueError, match='not among'):
        resolve_layouts(['imgs'], dict(audios='NCHW'))
    with pytest.raises(ValueError, match=r'expects \[N, V, C, T, H, W\]'):
        forward_backbone(torch.nn.Identity(), torch.zeros(1, 1, 3, 4, 4), 'NCTHW', 'imgs')


def test_sizes_of_modalities_without_backbone_are_ignored():
    """A subset config inherits the recipe's feat_dims for all three modalities."""
    backbone = MODELS.build(dict(TSN))
    dims = infer_feat_dims(dict(imgs=backbone), dict(imgs='NCHW'),
                           feat_dims=dict(imgs=512, flow_imgs=2048, audios=512))
    assert dims == dict(imgs=512)


def test_nc_layout_feeds_vectors_and_probes_their_size():
    from mmaction_merdg.models.utils.modality_layout import forward_backbone, probe_feat_dim
    enc = torch.nn.Sequential(torch.nn.Linear(5, 7))
    enc.in_channels = 5
    x = torch.randn(3, 2, 5)  # [N, V, C]
    out = forward_backbone(enc, x, 'NC', 'imgs')
    assert out.shape == (6, 7)
    torch.testing.assert_close(out, enc(x.reshape(6, 5)))
    assert probe_feat_dim(enc, 'imgs', 'NC') == 7
    with pytest.raises(ValueError, match=r'layout NC\) expects \[N, V, C\]'):
        forward_backbone(enc, torch.randn(3, 2, 5, 1), 'NC', 'imgs')
