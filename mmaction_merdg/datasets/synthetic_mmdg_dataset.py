"""A synthetic multimodal, multi-domain benchmark with a controllable
"Fusion Overfitting" shortcut (cross-modal co-occurrences).

Generated in memory from a seed, no files. The full generative model, with the
numbers each knob takes, is documented in ``docs/synthetic_benchmark.md``.

Summary, per sample of domain ``d`` with label ``y`` in ``0..K-1``:

* **Class evidence** in every modality ``m``: the modality shows the template
  ``P_m[c_m]`` of a class ``c_m`` that equals ``y`` with probability
  ``reliability`` and is a uniformly drawn *other* class otherwise, scaled by
  ``class_signal``. Each modality alone is informative but imperfect; the
  modalities err independently, so fusing them helps.
* **Recording conditions** (domain shift, present at every setting): every
  domain has its own per-modality style (RGB channel gain/offset and a fixed
  texture, a constant camera-motion flow vector and flow gain, an audio
  spectral tilt and a background band), scaled by ``domain_shift``.
* **Cross-modal co-occurrence** (the shortcut): every modality carries a
  nuisance token ``n_m``, a ``B``-bit code (``B = ceil(log2 K)``) rendered as
  a global, label-free recording condition (signed sums of ``B`` lighting
  colour casts for RGB, camera-motion directions for flow, background hums for
  audio). In a *source* domain ``s``, with probability ``cooccurrence``, the
  tokens obey ``n_m = n_first XOR code_{s,m}[y]`` for every configured
  modality after the first configured one, with ``code_{s,m}`` a random
  injective map from classes to codes per source domain and modality;
  otherwise they are drawn independently and uniformly. Each token alone is
  uniform whatever ``y`` (the pairing is predictive of the label only
  jointly), the rule differs between source domains, and target domains never
  follow it. At ``cooccurrence=0`` the tokens are independent of the label
  everywhere (the referee's randomised control) while the domain shift stays.
* Additive Gaussian noise of std ``noise``.

Knobs that shape the shortcut (defaults in ``docs/synthetic_benchmark.md``):
``cooccurrence_form`` (``'xor'``: the pair is predictive only jointly, as
above; ``'split'``: each modality's token carries one part of a
domain-specific class code, each part alone weakly predictive, all parts
together fully predictive), ``target_rule`` (``'none'``: target tokens are
independent of the label; ``'own'``: the target follows a rule of its own,
different from every source rule, with the same probability
``cooccurrence``; ``'random'``: the target follows, with that probability, a
rule drawn as a source's is, independent of the sources' rules, so that it may
agree with one of them: the target is then one more domain like a source),
``nuisance_strength`` (token amplitude) and
``token_extent`` (fraction of the clip the token covers; global average
pooling dilutes a token by this factor).

Output per sample (shapes of the real pipelines, only smaller):
``imgs [1, 3, T, H, W]``, ``flow_imgs [1, 2, T/2, H, W]``, ``audios [1, 1, F, Ta]``,
float32, roughly zero-mean and unit-scale (no further normalisation needed);
``num_views=V`` renders ``V`` noisy views of each sample (``[V, ...]``).
"""
from typing import Dict, List, Sequence

import numpy as np
from mmengine.dataset import BaseDataset

from mmaction.registry import DATASETS

from ..modalities import MODALITIES, canonical_order
from .mm_base_dataset import check_pipeline_modalities
SPLITS = ('train', 'val', 'test')
COOCCURRENCE_FORMS = ('xor', 'split')
TARGET_RULES = ('none', 'own', 'random')


def _smooth_noise(rng: np.random.Generator, shape: Sequence[int],
                  factors: Sequence[int]) -> np.ndarray:
    """Low-frequency random pattern: coarse Gaussian noise upsampled by
    ``factors`` (nearest) along each axis, standardised to unit std."""
    coarse = rng.standard_normal(
        [max(1, s // f) for s, f in zip(shape, factors)])
    out = coarse
    for axis, (s, f) in enumerate(zip(shape, factors)):
        out = np.repeat(out, f, axis=axis)
        out = np.take(out, np.arange(s) % out.shape[axis], axis=axis)
    out = out - out.mean()
    return (out / (out.std() + 1e-8)).astype(np.float32)


@DATASETS.register_module()
class SyntheticMMDGDataset(BaseDataset):
    """Synthetic multimodal domain-generalization benchmark.

    Every instance built with the same ``seed`` shares one "world" (class
    templates, domain styles, nuisance tokens and co-occurrence rules); the
    samples of each split are drawn with a split-specific seed, so train,
    val and test splits are disjoint draws of the same world.

    Args:
        domains (Sequence[str]): Domains whose samples this split holds, among
            ``domain_names``.
        source_domains (Sequence[str]): Domains that follow the co-occurrence
            rule (the training domains of the experiment), among
            ``domain_names``. Defaults to ``('source0', 'source1')``.
        domain_names (Sequence[str]): All domains of the world. Defaults to
            ``('source0', 'source1', 'target')``.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Defaults to
            ``'train'``.
        samples_per_domain (int): Samples per domain in this split. Defaults
            to 256.
        modalities (Sequence[str]): Subset of ``('imgs', 'flow_imgs',
            'audios')``. Defaults to all three.
        num_classes (int): Number of classes ``K``; tokens have
            ``ceil(log2 K)`` bits. Defaults to 4.
        cooccurrence (float): Probability that a source-domain sample follows
            its domain's cross-modal token rule, in [0, 1]. Defaults to 1.0.
        reliability (float): Probability that a modality shows the true
            class's template. Defaults to 0.6.
        class_signal (float): Amplitude of the class template. Defaults to 1.0.
        domain_shift (float): Amplitude of the recording conditions. Defaults
            to 1.0.
        nuisance_strength (float): Amplitude of the nuisance tokens. Defaults
            to 1.0.
        noise (float): Std of the additive Gaussian noise. Defaults to 0.5.
        cooccurrence_form (str): How a rule ties the tokens to the label:
            ``'xor'`` (``n_m = n_first XOR code_{d,m}[y]``, predictive only
            jointly) or ``'split'`` (the first ``p`` bits of every token are
            that modality's part of a domain-specific class code; each part
            alone weakly predictive, the parts jointly injective). Defaults
            to ``'xor'``.
        target_rule (str): ``'none'`` (target domains never follow a rule)
            or ``'own'`` (they follow, with probability ``cooccurrence``, a
            rule of their own that differs from every source rule in every
            modality, drawn by rejection) or ``'random'`` (they follow, with
            probability ``cooccurrence``, a rule drawn exactly as a source's,
            independent of the sources': what a held-out source domain is to
            the others). Defaults to ``'none'``.
        token_extent (float): Fraction, in (0, 1], of the time/space extent
            (clips) or of the coordinates (vectors) that carries the token;
            1 is a global token. Defaults to 1.0.
        rgb_shape (Sequence[int]): ``(T, H, W)`` of RGB clips. Defaults to
            ``(16, 32, 32)``; flow clips have ``T // 2`` frames.
        audio_shape (Sequence[int]): ``(F, Ta)`` of spectrograms. Defaults to
            ``(64, 64)``.
        num_views (int): Views ``V`` rendered per sample, stacked on the clip
            axis (``[V, C, ...]``): the same sample (class evidence, tokens,
            recording conditions) with independently drawn noise, as two
            clips of one video differ (NEL trains on two). View 1 is the
            single view of ``num_views=1``; each view is fixed per sample, as
            that view is. Defaults to 1.
        seed (int): World seed. Defaults to 0.
        pipeline (list): Transforms applied after rendering; typically
            ``[dict(type='PackMultiModalInputs')]``, which packs this dataset's
            ``modalities`` (set in every sample) and the domain.
        test_mode (bool): mmengine flag. Defaults to False.
    """

    METAINFO: dict = dict()

    def __init__(self,
                 domains: Sequence[str],
                 source_domains: Sequence[str] = ('source0', 'source1'),
                 domain_names: Sequence[str] = ('source0', 'source1', 'target'),
                 split: str = 'train',
                 samples_per_domain: int = 256,
                 modalities: Sequence[str] = MODALITIES,
                 num_classes: int = 4,
                 cooccurrence: float = 1.0,
                 reliability: float = 0.6,
                 class_signal: float = 1.0,
                 domain_shift: float = 1.0,
                 nuisance_strength: float = 1.0,
                 noise: float = 0.5,
                 cooccurrence_form: str = 'xor',
                 target_rule: str = 'none',
                 token_extent: float = 1.0,
                 rgb_shape: Sequence[int] = (16, 32, 32),
                 audio_shape: Sequence[int] = (64, 64),
                 num_views: int = 1,
                 seed: int = 0,
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 **kwargs) -> None:
        self._check_args(domains, source_domains, domain_names, split,
                         modalities, num_classes, cooccurrence, reliability,
                         samples_per_domain, rgb_shape, audio_shape)
        self._check_shortcut_args(cooccurrence_form, target_rule, token_extent)
        self.domains = list(domains)
        self.source_domains = list(source_domains)
        self.domain_names = list(domain_names)
        self.split = split
        self.samples_per_domain = int(samples_per_domain)
        self.modalities = list(canonical_order(modalities))
        self.num_classes = int(num_classes)
        self.cooccurrence = float(cooccurrence)
        self.reliability = float(reliability)
        self.class_signal = float(class_signal)
        self.domain_shift = float(domain_shift)
        self.nuisance_strength = float(nuisance_strength)
        self.noise = float(noise)
        self.cooccurrence_form = cooccurrence_form
        self.target_rule = target_rule
        self.token_extent = float(token_extent)
        self.rgb_shape = tuple(int(v) for v in rgb_shape)
        self.audio_shape = tuple(int(v) for v in audio_shape)
        if int(num_views) < 1:
            raise ValueError(f'{type(self).__name__}: num_views must be >= 1, got {num_views}.')
        self.num_views = int(num_views)
        self.seed = int(seed)
        self._build_world()
        # ``domains``: every domain name of the world, checked by
        # DomainAccMetric against its source/target lists.
        metainfo = dict(classes=tuple(f'class{k}' for k in range(num_classes)),
                        domains=tuple(self.domain_names))
        super().__init__(
            ann_file='', metainfo=metainfo, pipeline=list(pipeline),
            test_mode=test_mode, serialize_data=False, **kwargs)
        check_pipeline_modalities(self.pipeline, self.modalities,
                                  type(self).__name__)

    # ------------------------------------------------------------------ #
    @staticmethod
    def _check_args(domains, source_domains, domain_names, split, modalities,
                    num_classes, cooccurrence, reliability, samples_per_domain,
                    rgb_shape, audio_shape) -> None:
        name = 'SyntheticMMDGDataset'
        if len(set(domain_names)) != len(domain_names):
            raise ValueError(f'{name}: domain_names has duplicates: {list(domain_names)}.')
        for field, values in (('domains', domains), ('source_domains', source_domains)):
            bad = [d for d in values if d not in domain_names]
            if bad:
                raise ValueError(f'{name}: {field} has unknown domains {bad}; '
                                 f'expected names among {list(domain_names)}.')
        if not domains:
            raise ValueError(f'{name}: domains is empty.')
        if split not in SPLITS:
            raise ValueError(f'{name}: split must be one of {SPLITS}, got {split!r}.')
        bad = [m for m in modalities if m not in MODALITIES]
        if bad or not modalities:
            raise ValueError(f'{name}: modalities must be a non-empty subset of '
                             f'{MODALITIES}; got {list(modalities)}.')
        if num_classes < 2:
            raise ValueError(f'{name}: num_classes must be >= 2, got {num_classes}.')
        if not 0.0 <= cooccurrence <= 1.0:
            raise ValueError(f'{name}: cooccurrence must lie in [0, 1], got {cooccurrence}.')
        if not 0.0 <= reliability <= 1.0:
            raise ValueError(f'{name}: reliability must lie in [0, 1], got {reliability}.')
        if samples_per_domain < 1:
            raise ValueError(f'{name}: samples_per_domain must be >= 1.')
        if len(rgb_shape) != 3 or rgb_shape[0] < 2 or min(rgb_shape[1:]) < 8:
            raise ValueError(f'{name}: rgb_shape must be (T>=2, H>=8, W>=8); got {rgb_shape}.')
        if len(audio_shape) != 2 or min(audio_shape) < 8:
            raise ValueError(f'{name}: audio_shape must be (F>=8, Ta>=8); got {audio_shape}.')

    @staticmethod
    def _check_shortcut_args(cooccurrence_form, target_rule, token_extent) -> None:
        name = 'SyntheticMMDGDataset'
        if cooccurrence_form not in COOCCURRENCE_FORMS:
            raise ValueError(f'{name}: cooccurrence_form must be one of '
                             f'{COOCCURRENCE_FORMS}, got {cooccurrence_form!r}.')
        if target_rule not in TARGET_RULES:
            raise ValueError(f'{name}: target_rule must be one of {TARGET_RULES}, '
                             f'got {target_rule!r}.')
        if not 0.0 < token_extent <= 1.0:
            raise ValueError(f'{name}: token_extent must lie in (0, 1], got {token_extent}.')

    def _shapes(self) -> Dict[str, tuple]:
        t, h, w = self.rgb_shape
        return dict(imgs=(3, t, h, w), flow_imgs=(2, max(1, t // 2), h, w),
                    audios=(1, ) + self.audio_shape)

    def _build_world(self) -> None:
        """Draw everything shared by all splits from the world seed."""
        rng = np.random.default_rng([self.seed, 7919])
        k = self.num_classes
        self.token_bits = max(1, int(np.ceil(np.log2(k))))
        shapes = self._shapes()
        # Class templates P_m[c]: unit std.
        self.templates = {
            m: np.stack([self._draw_template(rng, m, shapes[m]) for _ in range(k)])
            for m in MODALITIES
        }
        # Nuisance tokens: one global pattern per token value and modality.
        self.tokens = {m: self._draw_tokens(rng, m, shapes[m]) for m in MODALITIES}
        # Recording conditions per domain and modality.
        self.styles = {
            d: {m: self._draw_style(rng, m, shapes[m]) for m in MODALITIES}
            for d in self.domain_names
        }
        # Co-occurrence rule per source domain and modality after the first:
        # an injective code class -> B-bit token, t_m = t_first XOR code[y].
        self.rules = {
            d: {m: rng.permutation(2**self.token_bits)[:k] for m in MODALITIES}
            for d in self.domain_names
        }
        # Everything below comes from its own stream, so the draws above (and
        # every sample of the 'xor' / 'none' setting) stay those of earlier
        # versions of this benchmark.
        rule_rng = np.random.default_rng([self.seed, 7919, 2])
        # 'split' form: part bits per modality and a jointly injective code.
        self.part_bits = min(self.token_bits,
                             max(1, int(np.ceil(self.token_bits / len(self.modalities)))))
        self.split_rules = {d: self._draw_split_rule(rule_rng) for d in self.domain_names}
        # Target domains: a rule of their own, different from every source's
        # (one stream per form, so the 'split' world does not depend on the
        # 'xor' codes, which differ between the clip and vector variants).
        xor_rng = np.random.default_rng([self.seed, 7919, 3])
        split_rng = np.random.default_rng([self.seed, 7919, 4])
        for d in self.domain_names:
            # 'random' keeps the rule drawn above with every domain's: like a source's.
            if d not in self.source_domains and self.target_rule != 'random':
                self.rules[d] = self._draw_target_rule(xor_rng, 'xor')
                self.split_rules[d] = self._draw_target_rule(split_rng, 'split')

    def active_rules(self) -> Dict[str, Dict[str, np.ndarray]]:
        """``domain -> modality -> class code`` of the configured form.

        ``'xor'``: ``code[y]`` is ``n_m XOR n_first`` (modalities after the
        first configured one); ``'split'``: ``code[y]`` is the value of the
        first ``part_bits`` bits of ``n_m`` (every configured modality).
        """
        return self.rules if self.cooccurrence_form == 'xor' else self.split_rules

    def _rule_modalities(self, form: str) -> List[str]:
        return self.modalities[1:] if form == 'xor' else list(self.modalities)

    def _draw_split_rule(self, rng: np.random.Generator) -> Dict[str, np.ndarray]:
        """Per modality a balanced, non-injective map class -> ``part_bits``
        value, such that the tuple of all parts is injective (rejection)."""
        k, values = self.num_classes, 2**self.part_bits
        for _ in range(10000):
            parts = {m: rng.permutation(np.arange(k) % values) for m in self.modalities}
            if len({tuple(int(parts[m][c]) for m in self.modalities) for c in range(k)}) == k:
                return parts
        raise ValueError(
            f'SyntheticMMDGDataset: cooccurrence_form="split" needs the '
            f'{len(self.modalities)} modalities\' {self.part_bits}-bit parts to tell '
            f'{k} classes apart; use more modalities or the "xor" form.')

    def _draw_target_rule(self, rng: np.random.Generator, form: str) -> Dict[str, np.ndarray]:
        """A rule that differs from every source rule in every modality.

        First tried: differing for every class (the source rule then points to
        a wrong class for each label); if that is impossible, differing as a
        map. Both are checked by rejection.
        """
        k, mods = self.num_classes, self._rule_modalities(form)
        sources = [(self.rules if form == 'xor' else self.split_rules)[s]
                   for s in self.source_domains]

        def draw():
            if form == 'xor':
                return {m: rng.permutation(2**self.token_bits)[:k] for m in MODALITIES}
            return self._draw_split_rule(rng)

        for strict in (True, False):
            for _ in range(2000):
                rule = draw()
                ok = all((np.all(rule[m] != src[m]) if strict
                          else not np.array_equal(rule[m], src[m]))
                         for src in sources for m in mods)
                if ok:
                    return rule
        raise ValueError('SyntheticMMDGDataset: found no target rule that differs from '
                         'every source rule; use more classes or token bits.')

    def _draw_template(self, rng: np.random.Generator, m: str, shape: tuple) -> np.ndarray:
        """Class template of modality ``m``: a low-frequency pattern, unit std."""
        factors = dict(imgs=(1, 4, 8, 8), flow_imgs=(1, 2, 8, 8), audios=(1, 8, 8))
        return _smooth_noise(rng, shape, factors[m])

    def _draw_tokens(self, rng: np.random.Generator, m: str, shape: tuple) -> np.ndarray:
        """Global, label-free nuisance patterns, one per token value.

        A token ``t`` in ``0..2^B-1`` is rendered as ``sum_b (2 bit_b(t) - 1)
        * basis_b``: each of its ``B`` bits flips the sign of one global
        pattern, so every bit is linearly readable from a globally pooled
        feature, as real recording conditions are: lighting colour casts
        (RGB), camera-motion directions (flow), background hums (audio).
        """
        n_bits = self.token_bits
        basis = np.zeros((n_bits, ) + shape, dtype=np.float32)
        if m == 'audios':
            f = shape[1]
            rows = np.linspace(2, f - 5, n_bits).round().astype(int)
            for b, r in enumerate(rows):  # a steady 3-bin hum per bit
                basis[b, 0, r:r + 3, :] = np.array([0.5, 1.0, 0.5])[:, None]
        else:
            c = shape[0]
            vecs = rng.standard_normal((n_bits, c))
            if n_bits <= c:  # orthonormal directions when the channels allow
                vecs = np.linalg.qr(vecs.T)[0].T[:n_bits]
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-8
            basis[:] = vecs[:, :, None, None, None]  # colour casts / motions
        if self.token_extent < 1.0:
            basis = basis * self._extent_mask(m, shape)
        return self._token_values(basis)

    def _extent_mask(self, m: str, shape: tuple) -> np.ndarray:
        """``[1, *shape[1:]]`` mask of the corner box holding the token.

        Covers the fraction ``token_extent`` of the clip: of the time axis for
        audio (the hums keep their frequency rows), of the time x height x
        width volume for RGB and flow (``token_extent ** (1/3)`` per axis).
        """
        axes = (2, ) if m == 'audios' else (1, 2, 3)
        frac = self.token_extent**(1.0 / len(axes))
        mask = np.zeros((1, ) + tuple(shape[1:]), dtype=np.float32)
        box = [slice(None)] * mask.ndim
        for a in axes:
            box[a] = slice(0, max(1, int(round(frac * shape[a]))))
        mask[tuple(box)] = 1.0
        return mask

    def _token_values(self, basis: np.ndarray) -> np.ndarray:
        """``[B, *shape]`` bit patterns -> ``[2^B, *shape]`` token patterns
        ``sum_b (2 bit_b(t) - 1) * basis_b / sqrt(B)``."""
        n_bits = basis.shape[0]
        signs = np.array([[2.0 * ((t >> b) & 1) - 1.0 for b in range(n_bits)]
                          for t in range(2**n_bits)], dtype=np.float32)  # [2^B, B]
        return np.tensordot(signs, basis, axes=(1, 0)) / np.sqrt(n_bits)

    def _draw_style(self, rng: np.random.Generator, m: str, shape: tuple) -> dict:
        c = shape[0]
        if m == 'imgs':
            return dict(gain=1.0 + 0.3 * rng.standard_normal((c, 1, 1, 1)),
                        offset=0.5 * rng.standard_normal((c, 1, 1, 1)),
                        texture=0.5 * _smooth_noise(rng, shape, (1, shape[1], 4, 4)))
        if m == 'flow_imgs':
            return dict(gain=1.0 + 0.3 * rng.standard_normal((1, 1, 1, 1)),
                        offset=0.8 * rng.standard_normal((c, 1, 1, 1)),
                        texture=0.3 * _smooth_noise(rng, shape, (1, shape[1], 8, 8)))
        f = shape[1]
        tilt = rng.standard_normal() * np.linspace(-1, 1, f)[None, :, None]
        band = np.zeros(shape, dtype=np.float32)
        centre = rng.integers(f // 3, f)
        band[0, max(0, centre - 3):centre + 3, :] = 1.0
        return dict(gain=1.0 + 0.3 * rng.standard_normal((1, 1, 1)),
                    offset=0.7 * tilt.astype(np.float32), texture=0.6 * band)

    # ------------------------------------------------------------------ #
    def load_data_list(self) -> List[dict]:
        """Draw the per-sample latent variables (labels, tokens, shown classes)."""
        split_id = SPLITS.index(self.split)
        k = self.num_classes
        rules = self.active_rules()
        data_list = []
        for d in self.domains:
            d_id = self.domain_names.index(d)
            rng = np.random.default_rng([self.seed, split_id, d_id, 104729])
            n = self.samples_per_domain
            labels = rng.permutation(np.arange(n) % k)  # balanced classes
            is_source = d in self.source_domains
            for i in range(n):
                y = int(labels[i])
                shown = {}
                for m in MODALITIES:
                    if rng.random() < self.reliability:
                        shown[m] = y
                    else:  # a uniformly drawn other class
                        shown[m] = int((y + rng.integers(1, k)) % k)
                # Short-circuit: without a target rule, target samples draw
                # nothing here (the sample stream of earlier versions).
                follows = bool((is_source or self.target_rule in ('own', 'random'))
                               and rng.random() < self.cooccurrence)
                tokens = {m: int(rng.integers(2**self.token_bits)) for m in MODALITIES}
                if follows:
                    tokens = self._apply_rule(tokens, rules[d], y)
                data_list.append(
                    dict(label=y, domain=d, index_in_domain=i, shown_class=shown,
                         tokens=tokens, follows_rule=follows,
                         sample_seed=[self.seed, split_id, d_id, i]))
        return data_list

    def _apply_rule(self, tokens: Dict[str, int], rule: Dict[str, np.ndarray],
                    y: int) -> Dict[str, int]:
        """Tokens of a sample that follows ``rule`` (uniform draws in ``tokens``)."""
        tokens = dict(tokens)
        if self.cooccurrence_form == 'xor':  # anchor on the first *configured* modality
            first = tokens[self.modalities[0]]
            for m in self.modalities[1:]:
                tokens[m] = int(first ^ rule[m][y])
        else:  # low part_bits bits = the modality's part; the others stay uniform
            p = self.part_bits
            for m in self.modalities:
                tokens[m] = int(((tokens[m] >> p) << p) | int(rule[m][y]))
        return tokens

    def get_domain_labels(self) -> List[str]:
        """Domain name of every sample, in index order."""
        return [info['domain'] for info in self.data_list]

    def render(self, info: dict) -> Dict[str, np.ndarray]:
        """Render the modalities of one sample.

        Args:
            info (dict): One entry of :meth:`load_data_list`.

        Returns:
            dict: ``modality -> float32 array [V, C, ...]`` (``V =
            num_views`` clips: the same noise-free sample, each with its own
            noise).
        """
        # View 1 draws from the stream every earlier version drew from; view
        # v > 1 from a stream of its own.
        rngs = [np.random.default_rng(info['sample_seed'] + [15485863])] + [
            np.random.default_rng(info['sample_seed'] + [15485863, v])
            for v in range(1, self.num_views)]
        out = {}
        for m in self.modalities:
            style = self.styles[info['domain']][m]
            x = self.class_signal * self.templates[m][info['shown_class'][m]]
            x = x + self.nuisance_strength * self.tokens[m][info['tokens'][m]]
            x = x + self.domain_shift * (style['offset'] + style['texture'])
            x = x * (1.0 + self.domain_shift * (style['gain'] - 1.0))
            views = [x + self.noise * rng.standard_normal(x.shape).astype(np.float32)
                     for rng in rngs]
            out[m] = np.stack(views).astype(np.float32)  # V x [C, ...] -> [V, C, ...]
        return out

    def prepare_data(self, idx: int) -> dict:
        results = self.get_data_info(idx)  # already a deep copy (BaseDataset)
        results.update(self.render(results))
        # The subset drives packing (PackMultiModalInputs), as in the real datasets.
        results['modalities'] = tuple(self.modalities)
        return self.pipeline(results)
