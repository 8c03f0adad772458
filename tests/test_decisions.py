"""Decision wording in prose: what a heading word or a concluding phrase says was decided."""
import pytest

from spacy_imr.decisions import PROSE_DECISION, normalize_decision, normalize_decision_at


@pytest.mark.parametrize("text,expected", [
    ("Upheld", "upheld"),
    ("Overturned", "overturned"),
    ("is not medically necessary and appropriate", "upheld"),
    ("is medically necessary and appropriate", "overturned"),
    ("is notmedically necessary and appropriate", "upheld"),
    ("was not medically necessary per the documentation", "upheld"),
    ("would not be medically necessary", "upheld"),
    ("is determined to not be medically necessary", "upheld"),
    ("is not considered medically necessary", "upheld"),
    ("is not medically appropriate", "upheld"),
    ("is determined to be medically necessary", "overturned"),
    ("was not found to be medically necessary", "upheld"),
    ("has not been shown to be medically necessary", "upheld"),
    ("is not deemed medically necessary", "upheld"),
    ("is not established as medically necessary", "upheld"),
    ("was found not to be medically necessary", "upheld"),
    ("was found to be medically necessary", "overturned"),
    ("the prior denial is reversed", "overturned"),
    ("Recommendation is for denial", "upheld"),
    ("Recommendation is for non-certification", "upheld"),
    ("Recommendation is for certification", "overturned"),
    ("the IRO upheld the denial", "upheld"),
    ("the prior denial is overturned", "overturned"),
    ("overturned", "overturned"),
    ("is certified", "overturned"),
    ("was approved", "overturned"),
    ("is non-certified", "upheld"),
    ("is not certified", "upheld"),
    ("was not authorized", "upheld"),
    ("certified in part", "partial"),
    ("modified to 6 visits", "partial"),
    ("is partially overturned", "partial"),
    ("Partially Overturned", "partial"),
    ("is recommended", "unknown"),
    ("", "unknown"),
    (None, "unknown"),
])
def test_normalize_decision_phrases(text, expected):
    assert normalize_decision(text) == expected


def test_normalize_decision_at_reads_the_word_before_the_phrase():
    text = "the request is partially overturned; the brace is not medically necessary; the MRI is upheld"
    overturned = text.index("overturned")
    assert normalize_decision_at(text, overturned, overturned + len("overturned")) == "partial"
    necessary = text.index("medically necessary")
    assert normalize_decision_at(text, necessary, necessary + len("medically necessary")) == "upheld"
    upheld = text.index("upheld")
    assert normalize_decision_at(text, upheld, len(text)) == "upheld"
    text = "The brace was not found to be medically necessary. The cane was found to be medically necessary."
    necessary = [i for i in range(len(text)) if text.startswith("medically necessary", i)]
    assert [normalize_decision_at(text, i, i + len("medically necessary")) for i in necessary] == ["upheld", "overturned"]


def test_normalize_decision_at_reads_a_modification_after_the_phrase():
    text = ("has determined the request for Norco 10/325mg #120 is\nmedically necessary and appropriate as "
            "modified to Norco 10/325mg #60.\nThe request for a cane is medically necessary and appropriate.")
    first = text.index("is\nmedically")
    assert normalize_decision_at(text, first, text.index(" as modified")) == "partial"
    second = text.index("is medically")
    assert normalize_decision_at(text, second, len(text) - 1) == "overturned"


@pytest.mark.parametrize("sentence,expected", [
    ("The request for 18 acupuncture sessions is medically necessary and appropriate in part: 6 sessions are "
     "certified.", "partial"),
    ("The request for post-operative therapy is medically necessary and appropriate for an initial course of 6 "
     "sessions, and not medically necessary and appropriate for the remaining 12 sessions.", "partial"),
    ("The request for the crutches is medically necessary and appropriate, and the cold unit is not medically "
     "necessary.", "overturned"),
    ("The request for the crutches is medically necessary and appropriate. The remaining items are not "
     "medically necessary.", "overturned"),
])
def test_normalize_decision_at_reads_a_partial_certification_after_the_phrase(sentence, expected):
    start = sentence.index("is medically")
    end = start + len("is medically necessary and appropriate")
    assert normalize_decision_at(sentence, start, end) == expected


@pytest.mark.parametrize("sentence,phrase", [
    ("A lumbar support is certified.", "is certified"),
    ("The knee brace was non-certified.", "was non-certified"),
    ("For the knee arthroscopy the prior denial is overturned.", "prior denial is overturned"),
    ("Aquatic therapy 8 visits is partially overturned, for 4 visits.", "is partially overturned"),
    ("The cane is not medically necessary and appropriate.", "is not medically necessary and appropriate"),
    ("Physical therapy 12 visits is certified in part; six visits are appropriate.", "is certified in part"),
    ("The request for 12 visits is modified to 6 visits.", "is modified to"),
    ("The brace and the stimulator are therefore not medically necessary.", "are therefore not medically necessary"),
    ("Without a trial, the unit would not be medically necessary.", "would not be medically necessary"),
    ("The MRI is determined to be medically necessary.", "is determined to be medically necessary"),
    ("The brace was not found to be medically necessary.", "was not found to be medically necessary"),
    ("Topical lidocaine has not been shown to be medically necessary here.",
     "has not been shown to be medically necessary"),
    ("The second injection is deemed medically necessary.", "is deemed medically necessary"),
    ("The cream was found not to be medically necessary.", "was found not to be medically necessary"),
    ("For the cervical MRI the prior denial is reversed.", "prior denial is reversed"),
    ("The cream is not considered medically necessary and appropriate.",
     "is not considered medically necessary and appropriate"),
])
def test_prose_decision_finds_concluding_phrases(sentence, phrase):
    assert PROSE_DECISION.search(sentence).group(0) == phrase


def test_prose_decision_leaves_out_what_another_party_certified():
    assert PROSE_DECISION.search("The sling was certified by the claims administrator.") is None


def test_prose_decision_leaves_out_the_utilization_reviews_modification():
    assert PROSE_DECISION.search("The request for acupuncture was modified to allow 6 sessions.") is None
