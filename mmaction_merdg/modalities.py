"""The modality names of the plugin, defined once.

Every module that needs the modality keys imports them from here: datasets
(what is loaded), transforms (what is processed and packed), the recognizer
(which backbones exist) and the tools.

* ``imgs``: RGB frames, ``[num_clips, 3, T, H, W]`` after formatting.
* ``flow_imgs``: optical flow (x, y), ``[num_clips, 2, T, H, W]``.
* ``audios``: log spectrograms, ``[num_clips, 1, F, T]``.
"""

#: Modality keys in their fixed canonical order (RGB, flow, audio).
MODALITIES = ('imgs', 'flow_imgs', 'audios')

#: Short names used in config file names and CLI options -> modality keys.
MODALITY_ALIASES = dict(rgb='imgs', flow='flow_imgs', audio='audios')


def canonical_order(modalities):
    """Return ``modalities`` sorted in the canonical order of :data:`MODALITIES`.

    Args:
        modalities (Iterable[str]): Modality keys.

    Returns:
        tuple[str]: The same keys in canonical order.

    Raises:
        ValueError: If a key is not one of :data:`MODALITIES`.
    """
    modalities = list(modalities)
    unknown = [m for m in modalities if m not in MODALITIES]
    if unknown:
        raise ValueError(f'Unknown modalities {unknown}; expected keys among {MODALITIES}.')
    return tuple(m for m in MODALITIES if m in modalities)
