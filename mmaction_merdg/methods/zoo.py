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

#: name -> spec, in the order tables list them.
METHODS: Dict[str, MethodSpec] = {}

_MER_WEIGHT = 'model.regularizers.mer.loss.loss_weight'
_MER_HIDDEN = 'model.regularizers.mer.projector.hidden_channels'
#: The begin iteration of a method's AveragedTeacherHook (its teacher's start).
TEACHER_BEGIN_ITER = 'custom_hooks.AveragedTeacherHook.begin_iter'


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
        'synthetic': {_MER_HIDDEN: Default(128, 'CPU-sized head of the synthetic benchmark '
                                                '(mer_regularizer_synthetic), not official')},
        'synthetic_vector': {_MER_HIDDEN: Default(128, 'CPU-sized head of the synthetic '
                                                       'benchmark (mer_regularizer_synthetic), '
                                                       'not official')}},
    search_space={_MER_WEIGHT: LogUniform(0.1, 30.0)})

register_method(MethodSpec(
    name='fusion', title='Fusion', paper='late-fusion baseline of SimMMDG (NeurIPS 2023)'))
register_method(MethodSpec(
    name='simmmdg', title='SimMMDG', paper='Dong et al., NeurIPS 2023',
    official_code='donghao51/SimMMDG', fragment='simmmdg', regularizer_key='simmmdg',
    regularizer_var='simmmdg_regularizer'))
register_method(MethodSpec(
    name='cmrf', title='CMRF', paper='Fan et al., NeurIPS 2024',
    official_code='fanyunfeng-bit/Cross-modal-Representation-Flattening-for-MMDG',
    fragment='cmrf', regularizer_key='cmrf', regularizer_var='cmrf_regularizer',
    hooks_var='cmrf_hooks', needs_teacher=True,
    defaults={
        'epic_kitchens': {TEACHER_BEGIN_ITER: Default(
            400, 'CMRF README, EPIC commands: train_video_flow_audio_EPIC_ours2.py '
                 '--sma_start_step 400')},
        'hac': {TEACHER_BEGIN_ITER: Default(
            100, 'CMRF README, HAC commands: train_video_flow_audio_HAC_ours2.py '
                 '--sma_start_step 100')}}))
register_method(MethodSpec(
    name='rnanet', title='RNA-Net', paper='Planamente et al., WACV 2022',
    official_code='lihongzhao99/MMDG_Benchmark', fragment='rnanet', regularizer_key='rna',
    regularizer_var='rna_regularizer'))
register_method(MethodSpec(
    name='moosa', title='MOOSA', paper='Dong et al., ECCV 2024',
    official_code='donghao51/MOOSA', fragment='moosa', regularizer_key='moosa',
    regularizer_var='moosa_regularizer'))
register_method(MethodSpec(
    name='mbcd', title='MBCD', paper='Wang et al., 2025',
    official_code='xiaohanwang01/MBCD', fragment='mbcd', regularizer_key='mbcd',
    regularizer_var='mbcd_regularizer', model_var='mbcd_model', hooks_var='mbcd_hooks',
    needs_teacher=True))
register_method(MethodSpec(
    name='nel', title='NEL', paper='Neurocomputing 658, 2025',
    official_code='lihongzhao99/MMDG_Benchmark', fragment='nel', regularizer_key='nel',
    regularizer_var='nel_regularizer', model_var='nel_model', train_views=2))
register_method(MethodSpec(
    name='jat', title='JAT', paper='Li et al., ACM MM 2025',
    official_code='lihongzhao99/MMDG-Joint-Adversarial-Training', fragment='jat', regularizer_key='jat',
    regularizer_var='jat_regularizer', needs_domains=True))
register_method(MethodSpec(
    name='gmp', title='GMP', paper='Li et al., AAAI 2026 (benchmark implementation)',
    official_code='lihongzhao99/MMDG_Benchmark', fragment='gmp', regularizer_key='gmp',
    regularizer_var='gmp_regularizer', needs_domains=True))
