"""The method registry: every MMDG method of the plugin, declared once.

``METHODS['simmmdg']`` is SimMMDG's :class:`MethodSpec`. MER-DG is not a row
of its own but a switch on every method (``+MER-DG``), declared as
:data:`MERDG`. Add a method with :func:`register_method` (its regularizer
registered in MMAction2's ``MODELS``, its fragment in
``configs/_base_/methods/``).
"""
from typing import Dict

from .method_spec import Default, MethodSpec
from .search_space import LogUniform

#: The optimizer's learning rate, searched for every method (DomainBed searches
#: it for every algorithm): one decade and a half around the plugin's two
#: defaults (Adam 1e-3 from scratch on the synthetic benchmarks, 1e-4 from
#: pretrained encoders on EPIC-Kitchens / HAC).
_LR = 'optim_wrapper.optimizer.lr'
_LR_SPACE = {_LR: LogUniform(3e-5, 3e-3)}


def _weights(key: str, **defaults: float) -> dict:
    """Log-uniform over one decade either side of each default weight.

    Args:
        key (str): The method's key in ``model.regularizers``.
        **defaults: ``<field>_weight=default`` of the method's fragment.

    Returns:
        dict: ``config path -> LogUniform(default / 10, default * 10)``,
        with the learning rate of :data:`_LR_SPACE`.
    """
    space = {f'model.regularizers.{key}.{k}': LogUniform(v / 10, v * 10)
             for k, v in defaults.items()}
    space.update(_LR_SPACE)
    return space


#: name -> spec, in the order tables list them.
METHODS: Dict[str, MethodSpec] = {}

_MER_WEIGHT = 'model.regularizers.mer.loss.loss_weight'
_SYNTHETIC = ('synthetic', 'synthetic_vector')
#: Why the synthetic benchmarks shrink the heads: their encoders are CPU-sized.
_CPU = 'CPU-sized head of the synthetic benchmarks (128 wide, as their MER-DG projector)'
_MBCD_TAU = ('teacher time constant (1 / momentum steps) a fifth of the schedule ({} '
             'iterations), as the official 1000 steps are of an EPIC two-source run')
_TEACHER_START = ('teacher averaged from the 2nd epoch: the official 400 iterations '
                  'are about the first 8 % of the EPIC schedule')


def _on_synthetic(values: Dict[str, Default], families=_SYNTHETIC) -> Dict[str, Dict[str, Default]]:
    """The same ``values`` for each synthetic family."""
    return {f: dict(values) for f in families}


def _head128(key: str, translator: bool = False) -> Dict[str, Default]:
    """128-wide SupCon projector (and translators) of regularizer ``key``."""
    out = {f'model.regularizers.{key}.projector.hidden_channels': Default(128, _CPU)}
    if translator:
        out[f'model.regularizers.{key}.translator_hidden_channels'] = Default(128, _CPU)
    return out

_MER_HIDDEN = 'model.regularizers.mer.projector.hidden_channels'


def register_method(spec: MethodSpec) -> MethodSpec:
    """Add ``spec`` to :data:`METHODS`; a name is registered once."""
    if spec.name in METHODS:
        raise KeyError(f'method {spec.name!r} is already registered.')
    METHODS[spec.name] = spec
    return spec


def get_method(name: str) -> MethodSpec:
    """The spec of ``name``, or a ValueError listing the valid names."""
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f'unknown method {name!r}; valid methods: {list(METHODS)}.') from None


#: MER-DG as added to any method (``regularizers.mer``).
MERDG = MethodSpec(
    name='merdg', title='MER-DG',
    paper='Yarici & AlRegib, ICML 2026', official_code='olivesgatech/MER-DG',
    fragment='merdg', regularizer_key='mer', regularizer_var='mer_regularizer',
    defaults={
        '*': {_MER_WEIGHT: Default(3.0, 'MER-DG paper / train_mer_dg.py --lambda_mer'),
              _MER_HIDDEN: Default(2048, 'train_mer_dg.py ProjectHead --hidden_dim 2048, '
                                         'not overridden by run_experiments.sh')},
        **_on_synthetic({_MER_HIDDEN: Default(
            128, 'CPU-sized projection head of the synthetic benchmarks, not official')})},
    search_space={_MER_WEIGHT: LogUniform(0.1, 30.0)},
    schedules={f: Default('lars-1e-4_20e', 'train_mer_dg.py defaults (--optimizer lars, lr 1e-4, '
                                           'no scheduler), as run_experiments.sh runs Fusion + '
                                           'MER-DG; the official optimizer.py is not released')
               for f in ('epic_kitchens', 'hac')})

register_method(MethodSpec(
    name='fusion', title='Fusion', paper='late-fusion baseline of SimMMDG (NeurIPS 2023)',
    search_space=dict(_LR_SPACE)))
register_method(MethodSpec(
    name='simmmdg', title='SimMMDG', paper='Dong et al., NeurIPS 2023',
    official_code='donghao51/SimMMDG', fragment='simmmdg', regularizer_key='simmmdg',
    regularizer_var='simmmdg_regularizer',
    defaults=_on_synthetic(_head128('simmmdg', translator=True)),
    search_space=_weights('simmmdg', contrast_weight=3.0, distance_weight=0.7,
                          translation_weight=0.1)))
register_method(MethodSpec(
    name='cmrf', title='CMRF', paper='Fan et al., NeurIPS 2024',
    official_code='fanyunfeng-bit/Cross-modal-Representation-Flattening-for-MMDG',
    fragment='cmrf', regularizer_key='cmrf', regularizer_var='cmrf_regularizer',
    hooks_var='cmrf_hooks', needs_teacher=True,
    defaults={
        **_on_synthetic(dict(
            _head128('cmrf'),
            **{'custom_hooks.-1.begin_iter': Default(0, _TEACHER_START),
               'custom_hooks.-1.begin_epoch': Default(1, _TEACHER_START)})),
        'epic_kitchens': {'custom_hooks.-1.begin_iter': Default(
            400, 'CMRF README, EPIC commands: train_video_flow_audio_EPIC_ours2.py '
                 '--sma_start_step 400')},
        'hac': {'custom_hooks.-1.begin_iter': Default(
            100, 'CMRF README, HAC commands: train_video_flow_audio_HAC_ours2.py '
                 '--sma_start_step 100')}},
    search_space=_weights('cmrf', contrast_weight=3.0, unimodal_weight=2.0, distill_weight=3.0)))
register_method(MethodSpec(
    name='rnanet', title='RNA-Net', paper='Planamente et al., WACV 2022',
    official_code='lihongzhao99/MMDG_Benchmark', fragment='rnanet', regularizer_key='rna',
    regularizer_var='rna_regularizer',
    search_space=_weights('rna', loss_weight=1.0)))
register_method(MethodSpec(
    name='moosa', title='MOOSA', paper='Dong et al., ECCV 2024',
    official_code='donghao51/MOOSA', fragment='moosa', regularizer_key='moosa',
    regularizer_var='moosa_regularizer',
    defaults=_on_synthetic(_head128('moosa', translator=True)),
    search_space=_weights('moosa', contrast_weight=3.0, distance_weight=0.7,
                          translation_weight=0.1, jigsaw_weight=1.0,
                          entropy_min_weight=0.001)))
register_method(MethodSpec(
    name='mbcd', title='MBCD', paper='Wang et al., 2025',
    official_code='xiaohanwang01/MBCD', fragment='mbcd', regularizer_key='mbcd',
    regularizer_var='mbcd_regularizer', model_var='mbcd_model', hooks_var='mbcd_hooks',
    needs_teacher=True,
    defaults={
        'synthetic': {
            'model.regularizers.mbcd.hidden_channels': Default(128, _CPU),
            'custom_hooks.-1.momentum': Default(0.04, _MBCD_TAU.format('4 epochs of 32'))},
        'synthetic_vector': {
            'model.regularizers.mbcd.hidden_channels': Default(128, _CPU),
            'model.meta_stage': Default(
                'layers.2', "the MLP encoder's last linear layer (its 'layer4')"),
            'custom_hooks.-1.momentum': Default(0.02, _MBCD_TAU.format('6 epochs of 48'))}},
    search_space=dict(_weights('mbcd', unimodal_weight=1.0, distill_fused_weight=1.0,
                               distill_unimodal_weight=1.0),
                      # the meta step's own learning rate (default 1e-4)
                      **{'model.inner_lr': LogUniform(1e-5, 1e-3)})))
register_method(MethodSpec(
    name='nel', title='NEL', paper='Neurocomputing 658, 2025',
    official_code='lihongzhao99/MMDG_Benchmark', fragment='nel', regularizer_key='nel',
    regularizer_var='nel_regularizer', model_var='nel_model', train_views=2,
    defaults=_on_synthetic(_head128('nel')),
    search_space=_weights('nel', nee_weight=1 / 16)))
register_method(MethodSpec(
    name='jat', title='JAT', paper='Li et al., ACM MM 2025',
    official_code='lihongzhao99/MMDG-Joint-Adversarial-Training', fragment='jat', regularizer_key='jat',
    regularizer_var='jat_regularizer', needs_domains=True,
    search_space=_weights('jat', unimodal_weight=3.0, modality_weight=0.1,
                          local_domain_weight=0.5, global_domain_weight=0.5)))
register_method(MethodSpec(
    name='gmp', title='GMP', paper='Li et al., AAAI 2026 (benchmark implementation)',
    official_code='lihongzhao99/MMDG_Benchmark', fragment='gmp', regularizer_key='gmp',
    regularizer_var='gmp_regularizer', needs_domains=True,
    search_space=_weights('gmp', unimodal_weight=3.0, domain_weight=0.5)))
