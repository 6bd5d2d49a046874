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


def test_a_stale_feat_dims_is_an_error_when_the_model_is_built():
    with pytest.raises(ValueError, match=r"feat_dims\['imgs'\] is 300 .*ResNet.* outputs 512.*"
                                         'leave feat_dims out'):
        _recognizer(TSN, layouts=dict(imgs='NCHW'), feat_dims=dict(imgs=300))
    # A correct size is accepted (and still checked at every forward).
    assert _recognizer(TSN, layouts=dict(imgs='NCHW'), feat_dims=dict(imgs=512)).feat_dims == \
        dict(imgs=512, audios=128)


def test_probe_reads_timesformer_img_size_on_its_patch_embed():
    """TimeSformer keeps img_size on patch_embed; its position embedding fixes it."""
    from mmaction_merdg.models.utils.modality_layout import declared_input, probe_shape
    net = MODELS.build(dict(type='TimeSformer', num_frames=4, img_size=16, patch_size=8,
                            embed_dims=16, num_heads=2, num_transformer_layers=1,
                            pretrained=None))
    assert declared_input(net)['size'] == ((16, 16), 'TimeSformer.patch_embed.img_size')
    assert probe_shape(net, 'imgs', 'NCTHW') == (3, 4, 16, 16)
    assert infer_feat_dims(dict(imgs=net), dict(imgs='NCTHW')) == dict(imgs=16)


def test_probe_reads_mvit_and_c3d_input_sizes():
    from mmaction_merdg.models.utils.modality_layout import declared_input, probe_shape
    mvit = MODELS.build(dict(type='MViT', arch=dict(embed_dims=8, num_layers=1, num_heads=1,
                                                    downscale_indices=[]),
                             spatial_size=32, temporal_size=4, pretrained=None))
    assert probe_shape(mvit, 'imgs', 'NCTHW') == (3, 4, 32, 32)
    assert declared_input(mvit)['frames'][1] == 'MViT.patch_embed.init_input_size'
    # C3D declares nothing, but its fc6 fixes 16 x 112 x 112 clips (built
    # C3D weighs 300 MB: an empty module of that name stands in).
    c3d = type('C3D', (torch.nn.Module, ), {})()
    assert probe_shape(c3d, 'imgs', 'NCTHW') == (3, 16, 112, 112)


def test_probe_failure_names_the_probe_input_not_a_layout_change():
    """A transformer whose size the probe cannot read: the hint says probe_shapes."""
    class FixedSize(torch.nn.Module):
        def forward(self, x):
            if x.shape[-1] != 24:
                raise AssertionError(f'Input image size ({x.shape[-1]}) does not match 24')
            return x

    with pytest.raises(ValueError) as err:
        infer_feat_dims(dict(imgs=FixedSize()), dict(imgs='NCTHW'))
    msg = str(err.value)
    assert 'per-sample input (3, 16, 64, 64)' in msg and 'probe_shapes=dict(imgs=' in msg
    assert 'declares no input size' in msg and 'input_layouts' not in msg
    dims = infer_feat_dims(dict(imgs=FixedSize()), dict(imgs='NCTHW'),
                           probe_shapes=dict(imgs=(3, 2, 24, 24)))
    assert dims == dict(imgs=3)


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


def test_x3d_swap_in_a_config_inheriting_the_synthetic_entry_point_trains_an_epoch(tmp_path):
    """The documented swap: `_delete_=True` of `imgs`, no feat_dims anywhere."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmaction_merdg.apis.dataset_options import iter_dataset_cfgs

    from ...conftest import write_tiny_synthetic_config
    extra = '''model = dict(cls_head=dict(dropout_ratio=0.0), backbones=dict(imgs=dict(
    _delete_=True, type='X3D', gamma_w=1.0, gamma_b=2.25, gamma_d=1.0,
    pretrained=None)))
'''
    base = write_tiny_synthetic_config(tmp_path, epochs=1, extra=extra)
    cfg = Config.fromfile(base)
    assert 'feat_dims' not in cfg.model
    cfg.work_dir = str(tmp_path / 'work')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for ds in iter_dataset_cfgs(cfg[loader]['dataset']):
            ds.update(samples_per_domain=2, rgb_shape=(8, 16, 16), audio_shape=(16, 16))
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1, save_best=None)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None  # training is the point
    cfg.train_dataloader.update(batch_size=4, sampler=dict(type='BalancedDomainSampler', batch_size=4, shuffle=True))
    runner = Runner.from_cfg(cfg)
    model = runner.model
    assert type(model.backbones['imgs']).__name__ == 'X3D'
    # X3D-S width: conv5 has 432 channels (the stale 288 came from the base).
    assert model.feat_dims['imgs'] == 432
    runner.train()
    assert runner.epoch == 1 and (tmp_path / 'work' / 'epoch_1.pth').is_file()
