"""Conditions named in guideline talk or after a negation are not the patient's diagnoses."""
import spacy

CLINICAL = ("The patient was diagnosed with lumbar radiculopathy and rule out cervical myelopathy. "
            "She has chronic low back pain. ")
DECISIONS = ("The MTUS recommends antidepressants as a first-line option for neuropathic pain. "
             "The patient has lumbar radiculopathy on examination. Therefore the request is not medically necessary.")


def diagnosis_doc(nlp):
    doc = nlp.make_doc(CLINICAL + DECISIONS)
    text = doc.text
    terms = [("lumbar radiculopathy", 0), ("cervical myelopathy", 0), ("chronic low back pain", 0),
             ("neuropathic pain", 0), ("lumbar radiculopathy", 1)]
    ents = []
    for term, occurrence in terms:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(term, start + 1)
        ents.append(doc.char_span(start, start + len(term), label="DIAGNOSIS"))
    ents.append(doc.char_span(text.index("MTUS"), text.index("MTUS") + 4, label="GUIDELINE"))
    doc.ents = sorted(ents, key=lambda span: span.start)
    doc.spans["sections"] = [doc.char_span(0, len(CLINICAL) - 1, label="clinical_summary"),
                             doc.char_span(len(CLINICAL), len(text), label="decisions")]
    return doc


def test_condition_filter_keeps_only_the_patients_conditions():
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_condition_filter")
    doc = component(diagnosis_doc(nlp))
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("lumbar radiculopathy", "DIAGNOSIS"), ("chronic low back pain", "DIAGNOSIS"), ("MTUS", "GUIDELINE"),
        ("lumbar radiculopathy", "DIAGNOSIS")]


def test_condition_filter_sections_come_from_the_config():
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_condition_filter", config={"sections": ["rationale"]})
    doc = component(diagnosis_doc(nlp))
    assert "neuropathic pain" in [ent.text for ent in doc.ents]
    assert "cervical myelopathy" not in [ent.text for ent in doc.ents]


def filtered(clinical, decisions, terms, label="DIAGNOSIS"):
    """The texts kept of `terms` (each found in order, as `label` entities) in a clinical summary and a
    decisions section."""
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_condition_filter")
    doc = nlp.make_doc(clinical + decisions)
    ents, start = [], 0
    for term in terms:
        start = doc.text.index(term, start)
        ents.append(doc.char_span(start, start + len(term), label=label))
        start += len(term)
    doc.ents = ents
    doc.spans["sections"] = [doc.char_span(0, len(clinical) - 1, label="clinical_summary"),
                             doc.char_span(len(clinical), len(doc.text), label="decisions")]
    return [ent.text for ent in component(doc).ents]


def test_condition_filter_drops_every_member_of_a_denied_list():
    clinical = ("The injured worker denied tinnitus, ear discharge, nausea, vomiting, dizziness, or chest pain. "
                "He has post-traumatic headaches. The request for Ultram was denied as it was prescribed for "
                "acute knee strain. She denied any new fall but reported worsening lumbar radiculopathy. ")
    terms = ["tinnitus", "dizziness", "chest pain", "post-traumatic headaches", "acute knee strain", "lumbar radiculopathy"]
    assert filtered(clinical, "Decision rationale: the request is not medically necessary.", terms) == [
        "post-traumatic headaches", "acute knee strain", "lumbar radiculopathy"]


def test_condition_filter_drops_conditions_of_a_quoted_visit_table():
    decisions = ("Decision rationale: Myalgia and myositis, unspecified (ICD9 729.1): 9-10 visits over 8 weeks. "
                 "Neuralgia, neuritis, and radiculitis, unspecified: 8-10 visits over 4 weeks. "
                 "This worker's cervical radiculitis has improved with 12 prior visits.")
    terms = ["Myalgia", "Neuralgia", "radiculitis", "cervical radiculitis"]
    assert filtered("The worker has neck pain. ", decisions, terms) == ["cervical radiculitis"]


def test_condition_filter_drops_suspected_and_unshown_conditions():
    clinical = ("An MRI was requested to evaluate for a medial meniscal tear. X-rays did not show a fracture. "
                "There were no electroneurographic indicators of ulnar neuropathy. "
                "The MRI showed a complex medial meniscal tear. ")
    terms = ["medial meniscal tear", "fracture", "ulnar neuropathy", "complex medial meniscal tear"]
    assert filtered(clinical, "Decision rationale: the request is medically necessary.", terms) == [
        "complex medial meniscal tear"]


def test_condition_filter_drops_findings_named_as_a_guideline_criterion():
    clinical = "On examination there was weakness of abduction and crepitus of the right shoulder. "
    decisions = ("Decision rationale: The ODG supports acromioplasty when there is pain with active arc motion and "
                 "night pain. The patient has weakness of abduction on examination, and the ODG criteria are met. "
                 "The request is medically necessary.")
    # the summary's findings and the patient's own in the rationale stay; the guideline's criteria go
    assert filtered(clinical, decisions, ["weakness", "crepitus", "active arc", "weakness"], "EXAM_FINDING") == [
        "weakness", "crepitus", "weakness"]


def test_condition_filter_drops_findings_named_as_what_a_treatment_is_for():
    clinical = ("Lumbar flexion was reduced to 40 degrees, with spasm. She is in therapy to improve her range "
                "of motion. ")
    decisions = ("Decision rationale: Active exercise is helpful in restoring flexibility, strength and range "
                 "of motion. Therapy for the hand is useful for reducing swelling, pain and stiffness. On "
                 "examination the worker still had decreased range of motion and swelling of the wrist.")
    terms = ["flexion", "spasm", "range of motion", "flexibility", "range of motion",
             "swelling", "stiffness", "range of motion", "swelling"]
    assert filtered(clinical, decisions, terms, "EXAM_FINDING") == [
        "flexion", "spasm", "range of motion", "swelling"]
