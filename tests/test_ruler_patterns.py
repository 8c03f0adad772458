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


def test_ruler_patterns_spinal_levels_as_the_letters_write_them(nlp):
    text = ("MRI showed disc bulges at L4-5 and L5-S1, stenosis from C4 through C7, a fracture of T9-10. "
            "Tenderness over the L1-5 paraspinal muscles and at C5/C6. Class C9 and T13 are not levels.")
    levels = {span for span, label in ruler_matches(nlp, text) if label == "ANATOMY" and span[0] in "CTLS"}
    # the span group keeps every match; the longest win when entities are set
    assert {"L4-5", "L5-S1", "C4 through C7", "T9-10", "L1-5", "C5/C6"} <= levels
    assert not any(span.startswith(("C9", "T13")) for span in levels)


def test_ruler_patterns_regulation_sections_start_on_their_words(nlp):
    text = ("Per 8 CCR § 9792.24.2 and section 9792.20 (e), see C.C.R. 9792.26 and Labor Code § 4610.5 for it. "
            "Sections 9792.20 - 9792.26 apply; ccr 9792.21 too. Section headings and 9792 alone are not citations.")
    sections = {span for span, label in ruler_matches(nlp, text) if label == "GUIDELINE"}
    assert sections == {"8 CCR § 9792.24.2", "CCR § 9792.24.2", "§ 9792.24.2", "section 9792.20", "C.C.R. 9792.26",
                        "Labor Code § 4610.5", "Sections 9792.20", "ccr 9792.21"}
