"""The vector-level variant of the synthetic benchmark: the same world and
generative rules as :class:`SyntheticMMDGDataset`, each modality rendered as a
feature vector instead of a clip.

Meant for many-seed statistics and knob searches on a CPU (a run of a small
MLP encoder per modality takes seconds). Labels, shown classes, tokens and
co-occurrence rules come from the parent class unchanged; only the rendering
parts differ (see ``docs/synthetic_benchmark.md``):

* class template ``P_m[c]``: a Gaussian vector of ``D_m`` coordinates, unit std;
* nuisance token ``N_m[t] = sum_b (2 bit_b(t) - 1) * basis_b / sqrt(B)`` with
  orthogonal bit directions of unit RMS, confined to the first
  ``token_extent * D_m`` coordinates;
* recording conditions: per-coordinate gain ``1 + 0.3 g``, offset ``0.5 g``
  and a fixed texture of std 0.5.

Output per sample: ``{modality: float32 [1, D_m]}`` (one "clip" of a vector;
``[V, D_m]`` with ``num_views=V``: the same vector with independent noise).
"""
from typing import Dict, Optional

import numpy as np

from mmaction.registry import DATASETS

from ..modalities import MODALITIES
from .synthetic_mmdg_dataset import SyntheticMMDGDataset


@DATASETS.register_module()
class SyntheticMMDGVectorDataset(SyntheticMMDGDataset):
    """Vector-level synthetic multimodal domain-generalization benchmark.

    Args:
        vector_dims (dict, optional): ``modality -> D_m``, coordinates of each
            modality's vector. Defaults to 32 for every modality.
        **kwargs: Every argument of :class:`SyntheticMMDGDataset` (``rgb_shape``
            and ``audio_shape`` are ignored).
    """

    def __init__(self, vector_dims: Optional[Dict[str, int]] = None, **kwargs) -> None:
        dims = dict(imgs=32, flow_imgs=32, audios=32)
        unknown = [m for m in (vector_dims or {}) if m not in MODALITIES]
        if unknown:
            raise ValueError(f'SyntheticMMDGVectorDataset: vector_dims has unknown '
                             f'modalities {unknown}; expected keys among {MODALITIES}.')
        dims.update(vector_dims or {})
        bad = {m: d for m, d in dims.items() if int(d) < 4}
        if bad:
            raise ValueError(f'SyntheticMMDGVectorDataset: vector_dims must be >= 4; got {bad}.')
        self.vector_dims = {m: int(d) for m, d in dims.items()}
        # Rendering is a pure function of the sample's seed and the world;
        # vectors are small, so each is rendered once and reused every epoch.
        self._rendered: Dict[tuple, Dict[str, np.ndarray]] = {}
        super().__init__(**kwargs)

    def render(self, info: dict) -> Dict[str, np.ndarray]:
        """Render (once, then from memory) the vectors of one sample.

        Args:
            info (dict): One entry of :meth:`load_data_list`.

        Returns:
            dict: ``modality -> float32 array [V, D_m]`` (copies; ``V =
            num_views``).
        """
        key = tuple(info['sample_seed'])  # (world, split, domain, index): one sample
        if key not in self._rendered:
            self._rendered[key] = super().render(info)
        return {m: v.copy() for m, v in self._rendered[key].items()}

    def _shapes(self) -> Dict[str, tuple]:
        return {m: (self.vector_dims[m], ) for m in MODALITIES}

    def _draw_template(self, rng: np.random.Generator, m: str, shape: tuple) -> np.ndarray:
        x = rng.standard_normal(shape)
        return ((x - x.mean()) / (x.std() + 1e-8)).astype(np.float32)

    def _draw_tokens(self, rng: np.random.Generator, m: str, shape: tuple) -> np.ndarray:
        """``[2^B, D]`` tokens; the ``B`` bit directions are orthogonal, of unit
        RMS over the ``ceil(token_extent * D)`` coordinates that carry them."""
        n_bits, d = self.token_bits, shape[0]
        span = max(n_bits, int(np.ceil(self.token_extent * d)))
        q = np.linalg.qr(rng.standard_normal((span, n_bits)))[0]  # [span, B], orthonormal
        basis = np.zeros((n_bits, d), dtype=np.float32)
        basis[:, :span] = q.T * np.sqrt(span)  # unit RMS on the carrying coordinates
        return self._token_values(basis)

    def _draw_style(self, rng: np.random.Generator, m: str, shape: tuple) -> dict:
        return dict(gain=(1.0 + 0.3 * rng.standard_normal(shape)).astype(np.float32),
                    offset=(0.5 * rng.standard_normal(shape)).astype(np.float32),
                    texture=(0.5 * rng.standard_normal(shape)).astype(np.float32))
