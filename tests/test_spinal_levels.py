import pytest

from spacy_imr.spinal_levels import expand_levels


@pytest.mark.parametrize("text,levels", [
    ("C4-C7 paraspinal muscles", ["C4", "C5", "C6", "C7"]),
    ("L4-5", ["L4", "L5"]),
    ("L5/S1", ["L5", "S1"]),
    ("T7 to T10 parathoracic muscles", ["T7", "T8", "T9", "T10"]),
    ("C5-T1", ["C5", "C6", "C7", "T1"]),
    ("L3-S1 paraspinal muscles", ["L3", "L4", "L5", "S1"]),
    ("L4-5, L5-S1", ["L4", "L5", "S1"]),
    ("C5/6 and C6-7", ["C5", "C6", "C7"]),
    ("lumbar four and lumbar five dermatomes", ["L4", "L5"]),
    ("trapezius muscles", []),
])
def test_spinal_levels_expand(text, levels):
    assert expand_levels(text) == levels
