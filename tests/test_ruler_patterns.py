"""The two span rulers: phrase terms on LOWER, short capitalised terms on ORTH, one span group."""
import spacy

from spacy_imr.ruler_patterns import create_ruler_patterns


def ruler_matches(nlp, text):
    doc = nlp(text)
    return [(span.text, span.label_) for span in doc.spans["ruler"]]


def test_ruler_patterns_split_between_the_two_rulers():
    case_sensitive = create_ruler_patterns(case_sensitive=True)
    others = create_ruler_patterns(case_sensitive=False)
    assert {"label": "TREATMENT", "pattern": "PT", "id": "therapies"} in case_sensitive
    assert all(isinstance(p["pattern"], str) for p in case_sensitive)
    assert not any(p["pattern"] == "PT" for p in others)
    assert all("case_sensitive" not in p for p in case_sensitive + others)


def test_ruler_patterns_case_sensitive_terms_match_only_in_capitals(nlp):
    matches = ruler_matches(nlp, "Requested: MRI of the Lumbar Spine and PT for the neck; pt states the mri was done.")
    assert ("MRI", "TREATMENT") in matches and ("PT", "TREATMENT") in matches
    assert ("Lumbar Spine", "ANATOMY") in matches
    assert not any(text in ("pt", "mri") for text, _ in matches)


def test_ruler_patterns_survive_to_disk_and_back(nlp, tmp_path):
    nlp.to_disk(tmp_path / "rules")
    reloaded = spacy.load(tmp_path / "rules")
    text = "Left SI joint injection and physical therapy for the AC joint."
    assert ruler_matches(reloaded, text) == ruler_matches(nlp, text)
    assert ("SI joint", "ANATOMY") in ruler_matches(reloaded, text)
