"""tools/analysis/survey_backbones.py: one zoo backbone's feat_dim inferred by the recognizer."""
from ..conftest import load_tool


def test_survey_reports_the_inferred_feature_size(capsys):
    survey = load_tool('analysis/survey_backbones.py')
    survey.main(['--names', 'ResNetAudio-50 (audio)'])
    rows = [r for r in capsys.readouterr().out.splitlines() if r.startswith('| ResNetAudio')]
    # probe input (1, 64, 64), feat_dim of mmaction's ResNetAudio-50, parameters (M)
    assert rows == ['| ResNetAudio-50 (audio) | audios | ResNetAudio | NCHW | (1, 64, 64) | 1024 | '
                    '5.91 |'], rows
