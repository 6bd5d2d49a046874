"""Late-fusion classification head: concatenation -> MLP -> class scores."""
import warnings
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor, nn

from mmaction.registry import MODELS


@MODELS.register_module()
class MultiModalFusionHead(nn.Module):
    """Concatenate per-modality features and classify them with an MLP.

    Contract: ``forward(feats)`` takes a dict ``modality -> [N, D_m]`` and the
    modality order fixed at construction, concatenates to ``[N, sum_m D_m]``
    and returns class scores ``[N, num_classes]``. This is the fusion module
    of SimMMDG / MER-DG (one hidden layer, dropout before each linear layer).

    Args:
        in_channels (dict): Feature size per modality, in concatenation order.
        num_classes (int): Number of classes.
        hidden_channels (int): Hidden width; 0 gives a single linear layer.
            Defaults to 512.
        dropout_ratio (float): Dropout before each linear layer. Defaults to 0.5.
        input_dropout_ratio (float, optional): Dropout on the concatenated
            input alone (before the first linear layer). None: ``dropout_ratio``
            (the head drops its own input). ``MultiModalRecognizer`` sets it to
            0 when it drops each modality's embedding itself
            (``embedding_dropout``), as the official heads do: the fused MLP of
            SimMMDG / MER-DG / the MMDG benchmark is Linear-ReLU-Dropout-Linear
            on embeddings the per-modality heads have already dropped.
            Defaults to None.
        loss_cls (dict): Classification loss config. Defaults to
            ``dict(type='CrossEntropyLoss')`` (MMAction2's).
        score_type (str): What :meth:`predict_scores` returns: ``'prob'``
            (softmax probabilities) or ``'score'`` (raw logits). Defaults to
            ``'prob'``. (Views/clips are averaged before the head, on the
            features, by the recognizer: nothing is averaged here, hence not
            MMAction2's ``average_clips``.)
        average_clips (str, optional): Former name of ``score_type``;
            accepted with a warning.
    """

    def __init__(self,
                 in_channels: Dict[str, int],
                 num_classes: int,
                 hidden_channels: int = 512,
                 dropout_ratio: float = 0.5,
                 input_dropout_ratio: Optional[float] = None,
                 loss_cls: dict = dict(type='CrossEntropyLoss'),
                 score_type: str = 'prob',
                 average_clips: Optional[str] = None) -> None:
        super().__init__()
        if average_clips is not None:
            warnings.warn('MultiModalFusionHead: `average_clips` is renamed '
                          '`score_type` (it picks softmax or raw scores; '
                          'nothing is averaged here).', DeprecationWarning)
            score_type = average_clips
        if score_type not in ('prob', 'score'):
            raise ValueError("MultiModalFusionHead: score_type must be "
                             f"'prob' or 'score', got {score_type!r}.")
        self.modalities: Sequence[str] = tuple(in_channels)
        self.in_channels = dict(in_channels)
        self.num_classes = num_classes
        self.score_type = score_type
        total = sum(self.in_channels.values())
        self.input_dropout_ratio = float(dropout_ratio if input_dropout_ratio is None
                                         else input_dropout_ratio)
        # Same module layout whatever the ratios (checkpoint keys unchanged).
        layers = []
        if hidden_channels:
            layers += [
                nn.Dropout(self.input_dropout_ratio),
                nn.Linear(total, hidden_channels),
                nn.ReLU(inplace=True)
            ]
            total = hidden_channels
        layers += [nn.Dropout(dropout_ratio if hidden_channels else self.input_dropout_ratio),
                   nn.Linear(total, num_classes)]
        self.mlp = nn.Sequential(*layers)
        self.loss_cls = MODELS.build(loss_cls)

    def forward(self, feats: Dict[str, Tensor]) -> Tensor:
        """Class logits ``[N, num_classes]`` from ``modality -> [N, D_m]``."""
        x = torch.cat([feats[m] for m in self.modalities], dim=1)  # [N, sum D_m]
        return self.mlp(x)

    def loss(self, logits: Tensor, labels: Tensor) -> Dict[str, Tensor]:
        """Return ``dict(loss_cls=...)`` for ``logits [N, K]`` and ``labels [N]``."""
        return dict(loss_cls=self.loss_cls(logits, labels))

    def predict_scores(self, logits: Tensor) -> Tensor:
        """Scores ``[N, K]`` from logits ``[N, K]``, as ``score_type`` says."""
        return logits.softmax(dim=1) if self.score_type == 'prob' else logits
