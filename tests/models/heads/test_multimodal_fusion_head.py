"""MultiModalFusionHead: concatenation order, MLP shape, loss and score types."""
import pytest
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from mmaction_merdg.models.heads import MultiModalFusionHead


def feats(n=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return dict(imgs=torch.randn(n, 6, generator=g), audios=torch.randn(n, 3, generator=g))


def test_concatenates_in_construction_order_and_matches_a_reference_mlp():
    head = MultiModalFusionHead(dict(imgs=6, audios=3), num_classes=4, hidden_channels=8,
                                dropout_ratio=0.0).eval()
    f = feats()
    lin1, lin2 = head.mlp[1], head.mlp[4]
    ref = lin2(F.relu(lin1(torch.cat([f['imgs'], f['audios']], 1))))  # [N, 9] -> [N, 4]
    torch.testing.assert_close(head(f), ref)
    # The dict's order in the batch does not matter; the construction order does.
    torch.testing.assert_close(head(dict(audios=f['audios'], imgs=f['imgs'])), ref)
    linear = MultiModalFusionHead(dict(imgs=6, audios=3), num_classes=4, hidden_channels=0)
    assert [type(m).__name__ for m in linear.mlp] == ['Dropout', 'Linear']


def test_loss_is_cross_entropy_and_scores_follow_score_type():
    head = MODELS.build(dict(type='MultiModalFusionHead', in_channels=dict(imgs=6, audios=3),
                             num_classes=4, hidden_channels=8, dropout_ratio=0.0))
    logits = head(feats())
    labels = torch.tensor([0, 1, 2, 3, 0])
    torch.testing.assert_close(head.loss(logits, labels)['loss_cls'],
                               F.cross_entropy(logits, labels))
    torch.testing.assert_close(head.predict_scores(logits), logits.softmax(1))
    raw = MultiModalFusionHead(dict(imgs=6), num_classes=4, score_type='score')
    assert raw.predict_scores(logits) is logits


def test_former_average_clips_name_and_errors():
    with pytest.warns(DeprecationWarning, match='score_type'):
        head = MultiModalFusionHead(dict(imgs=6), num_classes=4, average_clips='score')
    assert head.score_type == 'score'
    with pytest.raises(ValueError, match="score_type must be 'prob' or 'score'"):
        MultiModalFusionHead(dict(imgs=6), num_classes=4, score_type='mean')
