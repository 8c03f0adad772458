"""Grip sentences found from the keyword outwards, and their readings per hand."""
from spacy_imr import exam_findings
from spacy_imr.exam_findings import grip_findings, grip_sentences

GRIP_PARAGRAPH = (
    "She reports numbness at night. Sensation is intact. Jamar grip strength measured 22.5, 24 and 23.5 kg "
    "on the right and 30.2, 31 and 29.8 kg on the left. Tinel's sign is positive at the right wrist. "
    "On the dynamometer, right 40 lbs, left 55 lbs")


def test_exam_findings_grip_sentences_end_at_periods_but_not_decimal_points():
    sentences = [GRIP_PARAGRAPH[start:end] for start, end in grip_sentences(GRIP_PARAGRAPH, 0, len(GRIP_PARAGRAPH))]
    assert sentences == [
        " Jamar grip strength measured 22.5, 24 and 23.5 kg on the right and 30.2, 31 and 29.8 kg on the left",
        " On the dynamometer, right 40 lbs, left 55 lbs",
    ]


def test_exam_findings_grip_sentences_stay_inside_the_region():
    region_start = GRIP_PARAGRAPH.index("Tinel")
    sentences = list(grip_sentences(GRIP_PARAGRAPH, region_start, len(GRIP_PARAGRAPH)))
    assert [GRIP_PARAGRAPH[start:end] for start, end in sentences] == [" On the dynamometer, right 40 lbs, left 55 lbs"]


def test_exam_findings_grip_readings_per_hand():
    readings = [(finding.instrument, finding.unit, finding.right, finding.left)
                for _, _, finding in grip_findings(GRIP_PARAGRAPH, 0, len(GRIP_PARAGRAPH))]
    assert readings == [("Jamar", "kg", [22.5, 24.0, 23.5], [30.2, 31.0, 29.8]),
                        ("dynamometer", "lb", [40.0], [55.0])]


def test_exam_findings_test_named_by_the_whole_ruler_term(nlp):
    doc = nlp.make_doc("On exam, Cervical compression test is positive bilaterally. Spurling's test was negative.")
    for name in ("ruler", "ruler_case"):
        doc = nlp.get_pipe(name)(doc)
    partial = doc.char_span(doc.text.index("compression"), doc.text.index("compression") + len("compression"),
                            label="EXAM_FINDING")
    spurling = doc.char_span(doc.text.index("Spurling's test"), doc.text.index(" was"), label="EXAM_FINDING")
    doc.ents = [partial, spurling]
    found = [(value.test, value.result, value.laterality) for _, _, value in exam_findings.test_findings(doc, 0, len(doc.text))]
    assert found == [("Cervical compression", "positive", "bilateral"), ("Spurling's", "negative", None)]
