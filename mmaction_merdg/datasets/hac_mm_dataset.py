"""HAC: the same 7 actions performed by humans, animals and cartoon figures.

Dong et al., "SimMMDG: A Simple and Effective Framework for Multi-modal Domain
Generalization", NeurIPS 2023 (https://github.com/donghao51/SimMMDG), which
introduced HAC and whose lists and layout are read here. The conventions are
written down in ``shared/fixtures/real/FORMATS.md``; in short:

* ``HAC_{train,test}_only_{domain}.csv``: no header, CRLF, two fields
  ``<file name>,<label>``; names are kept verbatim (one holds a space,
  ``'drinking_54 .mp4'``).
* ``<domain>/videos/<name>``, ``<domain>/flow/<stem>_flow_x.mp4`` and
  ``_flow_y.mp4``, ``<domain>/audio/<stem>.wav``.
* The prior protocol evaluates the target domain on its train **and** test
  lists (``split=('train', 'test')``); the 24 human videos listed in both
  stay twice, as there.
* The prior code assumes 24 fps when it turns sampled frame indices into the
  audio window (``assume_fps=24``); ``assume_fps=None`` uses each video's own
  rate.
"""
import csv
import os.path as osp
from typing import List, Optional, Sequence, Union

from mmaction.registry import DATASETS
from ..modalities import MODALITIES
from .mm_base_dataset import MultiModalBaseDataset, check_domains


@DATASETS.register_module()
class HACMMDataset(MultiModalBaseDataset):
    """HAC videos with RGB, flow (two mp4s) and audio.

    Building the dataset reads only the csv lists; videos are opened by the
    pipeline (``MultiModalDecordInit``...).

    Each sample dict holds ``label``, ``domain``, ``sample_id``
    (``'<domain>/<split>/<name>'``), ``video_name``, ``modalities``,
    ``frame_index_base`` (0), ``fps`` (``assume_fps``, if set) and per
    modality ``filename`` (RGB), ``flow_x_filename`` / ``flow_y_filename`` and
    ``flow_stride`` (1: flow videos share the RGB frame index), and
    ``audio_path``.

    Path templates are relative to ``data_root`` and may use ``{domain}``,
    ``{name}`` (the listed file name) and ``{stem}`` (the name without
    ``.mp4``).

    Args:
        ann_root (str): Folder holding the csv lists; relative to
            ``data_root`` unless absolute.
        domains (Sequence[str]): Among ``'human', 'animal', 'cartoon'``.
        split (str | Sequence[str]): ``'train'``, ``'test'``, or several, e.g.
            ``('train', 'test')`` for the target domain as in the prior
            protocol.
        pipeline (list): Transforms.
        data_root (str): Root of the media tree. Defaults to ``''``.
        modalities (Sequence[str]): Subset of ``('imgs', 'flow_imgs',
            'audios')``. Defaults to all three.
        num_classes (int): Defaults to 7.
        ann_file_tmpl (str): Defaults to ``'HAC_{split}_only_{domain}.csv'``.
        video_tmpl (str): Defaults to ``'{domain}/videos/{name}'``.
        flow_x_tmpl (str): Defaults to ``'{domain}/flow/{stem}_flow_x.mp4'``.
        flow_y_tmpl (str): Defaults to ``'{domain}/flow/{stem}_flow_y.mp4'``.
        audio_tmpl (str): Defaults to ``'{domain}/audio/{stem}.wav'``.
        assume_fps (float, optional): Frame rate used to place the audio
            window. Defaults to 24.0 (the prior code's assumption).
        skip_unreadable (bool): Opt-in skip policy, see
            :class:`MultiModalBaseDataset`. Defaults to False.
        allow_empty_domains (bool): Accept a requested domain whose list has
            no row, see :class:`MultiModalBaseDataset`. Defaults to False.
        test_mode (bool): Defaults to False.
    """

    DOMAINS = ('human', 'animal', 'cartoon')
    # ``domains``: every domain name, checked by DomainAccMetric.
    METAINFO = dict(classes=('sleeping', 'watching_tv', 'eating', 'drinking',
                             'swimming', 'running', 'door_opening'),
                    domains=DOMAINS)
    SPLITS = ('train', 'test')

    def __init__(self,
                 ann_root: str,
                 domains: Sequence[str],
                 split: Union[str, Sequence[str]],
                 pipeline: List[Union[dict, callable]],
                 data_root: str = '',
                 modalities: Sequence[str] = MODALITIES,
                 num_classes: int = 7,
                 ann_file_tmpl: str = 'HAC_{split}_only_{domain}.csv',
                 video_tmpl: str = '{domain}/videos/{name}',
                 flow_x_tmpl: str = '{domain}/flow/{stem}_flow_x.mp4',
                 flow_y_tmpl: str = '{domain}/flow/{stem}_flow_y.mp4',
                 audio_tmpl: str = '{domain}/audio/{stem}.wav',
                 assume_fps: Optional[float] = 24.0,
                 skip_unreadable: bool = False,
                 test_mode: bool = False,
                 **kwargs) -> None:
        self.domains = check_domains(domains, self.DOMAINS,
                                     type(self).__name__)
        splits = [split] if isinstance(split, str) else list(split)
        bad = [s for s in splits if s not in self.SPLITS]
        if bad or not splits:
            raise ValueError(f'{type(self).__name__}: split must be one of '
                             f'{self.SPLITS} or a list of them, got {split!r}')
        self.splits = splits
        self.ann_root = ann_root
        self.ann_file_tmpl = ann_file_tmpl
        self.video_tmpl = video_tmpl
        self.flow_x_tmpl = flow_x_tmpl
        self.flow_y_tmpl = flow_y_tmpl
        self.audio_tmpl = audio_tmpl
        self.assume_fps = assume_fps
        super().__init__(
            modalities=modalities,
            num_classes=num_classes,
            skip_unreadable=skip_unreadable,
            ann_file='',
            pipeline=pipeline,
            data_root=data_root,
            test_mode=test_mode,
            **kwargs)

    def ann_file_of(self, domain: str, split: str) -> str:
        """The csv list of ``domain`` and ``split``."""
        return osp.join(
            self._root_path(self.ann_root),
            self.ann_file_tmpl.format(domain=domain, split=split))

    def read_list(self, domain: str, split: str) -> List[tuple]:
        """``[(name, label), ...]`` of one csv list, validated."""
        path = self.ann_file_of(domain, split)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{type(self).__name__}: list {path!r} of domain {domain!r}, '
                f'split {split!r} does not exist; expected '
                f'{self.ann_file_tmpl!r} under ann_root={self.ann_root!r}')
        rows = []
        # newline='' lets csv handle the CRLF endings (no '\r' in labels);
        # utf-8-sig strips a byte-order mark, which would otherwise join the
        # first file name ('\ufeffa.mp4').
        with open(path, newline='', encoding='utf-8-sig') as f:
            for line_no, row in enumerate(csv.reader(f), start=1):
                if not row:
                    continue
                where = f'{path!r} line {line_no}'
                if len(row) != 2 or not row[0]:
                    raise ValueError(f'{where}: expected 2 fields '
                                     f'"<file name>,<label>", got {row!r}')
                name, label = row
                try:
                    label = int(label)
                except ValueError:
                    raise ValueError(f'{where}: label {label!r} is not an '
                                     'integer') from None
                rows.append((name, self.check_label(label, where), where))
        return rows

    def load_data_list(self) -> List[dict]:
        """One dict per listed video of every requested domain and split."""
        data_list = []
        for domain in self.domains:
            for split in self.splits:
                rows = self.read_list(domain, split)
                self.check_domain_rows(domain, split,
                                       self.ann_file_of(domain, split),
                                       len(rows))
                for name, label, _ in rows:
                    data_list.append(self._sample(domain, split, name, label))
        return self.check_not_empty(data_list, [
            self.ann_file_of(d, s) for d in self.domains for s in self.splits
        ])

    def _sample(self, domain: str, split: str, name: str, label: int) -> dict:
        stem = osp.splitext(name)[0]
        fields = dict(domain=domain, name=name, stem=stem)
        sample = dict(label=label, domain=domain, video_name=name,
                      sample_id=f'{domain}/{split}/{name}',
                      frame_index_base=0)
        if self.assume_fps:
            sample['fps'] = float(self.assume_fps)
        if 'imgs' in self.modalities:
            sample['filename'] = self._root_path(
                self.video_tmpl.format(**fields))
        if 'flow_imgs' in self.modalities:
            sample.update(
                flow_x_filename=self._root_path(
                    self.flow_x_tmpl.format(**fields)),
                flow_y_filename=self._root_path(
                    self.flow_y_tmpl.format(**fields)),
                flow_stride=1)
        if 'audios' in self.modalities:
            sample['audio_path'] = self._root_path(
                self.audio_tmpl.format(**fields))
        return sample
