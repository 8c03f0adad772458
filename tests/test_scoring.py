"""The letter bootstrap interval that metrics/evaluation.json gives beside each F."""
from spacy_imr.scoring import letter_bootstrap_interval


def test_scoring_interval_of_letters_that_all_score_alike_is_the_score():
    assert letter_bootstrap_interval([(6, 8, 8)] * 12) == [0.75, 0.75]


def test_scoring_interval_spans_the_letters_that_differ_and_holds_the_micro_score():
    letters = [(9, 10, 10), (1, 10, 10), (5, 10, 10), (7, 10, 10), (0, 2, 4), (4, 4, 4)]
    micro = 2 * 26 / (46 + 48)
    low, high = letter_bootstrap_interval(letters)
    assert low < micro < high
    assert (low, high) == tuple(letter_bootstrap_interval(letters))  # seeded
    assert letter_bootstrap_interval(letters, level=0.5)[0] > low


def test_scoring_interval_counts_a_letter_with_no_entities_as_no_evidence():
    # drawing only the empty letter gives F 0, as spaCy's scorer does for no gold and no prediction
    assert letter_bootstrap_interval([(0, 0, 0)]) == [0.0, 0.0]
    assert letter_bootstrap_interval([]) == [0.0, 0.0]
