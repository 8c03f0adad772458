"""The letter record against the seed's expected record and the fixtures' exact expected records."""
import json

import jsonschema
import pytest
import srsly

from spacy_imr.reading import read_letter

from conftest import FIXTURE_LETTERS, FIXTURES, REPO, SEED, folded, needs_shared

SCHEMA = srsly.read_json(REPO / "schema" / "letter_record.schema.json")


def record_of(nlp, path):
    letter = read_letter(str(path))
    doc = nlp(letter.text)
    doc._.source_name = path.name
    return doc._.imr_record, letter.text


TRAINED = REPO / "training" / "imr_letters"


@pytest.fixture(scope="module", params=["rules", "trained"])
def any_pipeline(request, nlp):
    """The rule pipeline, and the trained pipeline that `spacy project run all` assembles."""
    if request.param == "rules":
        return nlp
    if not TRAINED.exists():
        pytest.skip("no trained pipeline: run `spacy project run all` first")
    import spacy

    return spacy.load(TRAINED)


@needs_shared(SEED)
def test_record_seed_has_every_expected_fact(any_pipeline):
    expected = json.loads(SEED.with_name(SEED.stem + ".expected.json").read_text())
    record, _ = record_of(any_pipeline, SEED)
    assert record["patient"] == expected["patient"]
    for name, value in expected["dates"].items():
        assert record["dates"][name] == value
    assert {key: record["reviewer"][key] for key in expected["reviewer"]} == expected["reviewer"]
    assert record["reviewer"]["licensed_states"] == ["California"]
    assert [d["text"] for d in record["diagnoses"]] == expected["diagnoses"]
    findings = record["exam_findings"]
    assert [{"site": t["site"], "levels": t["levels"]} for t in findings["tenderness_sites"]] == \
        expected["exam_findings"]["tenderness_sites"]
    assert [{k: t[k] for k in ("test", "result", "laterality")} for t in findings["tests"]] == \
        expected["exam_findings"]["tests"]
    assert [{k: r[k] for k in ("site", "result")} for r in findings["range_of_motion"]] == \
        expected["exam_findings"]["range_of_motion"]
    assert {k: findings["grip_strength"][k] for k in expected["exam_findings"]["grip_strength"]} == \
        expected["exam_findings"]["grip_strength"]
    (item,), (want,) = record["items"], expected["items"]
    assert (item["item"], item["decision"]) == (want["item"], want["decision"])
    for party, wanted in want["guidelines"].items():
        got = item["guidelines"][party]
        assert got["mtus_based"] is wanted["mtus_based"]
        for text in wanted["citations_include"]:
            assert any(text in citation["text"] for citation in got["citations"]), (party, text)
    assert item["rationale"]["text"].startswith(want["rationale_starts_with"])
    assert item["rationale"]["text"].endswith(want["rationale_ends_with"])
    mentions = [e["text"] for e in record["entities"] if e["label"] == "GUIDELINE"] + [g["text"] for g in record["guidelines"]]
    for mention in expected["guideline_mentions_include"]:
        assert any(mention in text for text in mentions), mention


@needs_shared(SEED)
def test_record_offsets_refer_to_the_original_text(nlp):
    record, original = record_of(nlp, SEED)
    located = [e for e in record["entities"]] + record["diagnoses"] + [i["rationale"] for i in record["items"]] \
        + record["guidelines"]
    assert len(located) > 40
    for value in located:
        assert folded(original[value["start"]:value["end"]]) == value["text"]


@pytest.mark.parametrize("path", FIXTURE_LETTERS, ids=lambda p: p.stem)
def test_record_fixture_equals_expected_record(nlp, path):
    record, _ = record_of(nlp, path)
    expected_path = FIXTURES / "expected" / f"{path.stem}.json"
    assert record == srsly.read_json(expected_path)


@pytest.mark.parametrize("path", FIXTURE_LETTERS, ids=lambda p: p.stem)
def test_record_validates_against_schema(nlp, path):
    record, _ = record_of(nlp, path)
    jsonschema.validate(record, SCHEMA)


PROSE_SUMMARY = """Summary of the independent review.

The worker asked for a cervical traction unit for home use and for tramadol 50mg #60. The cervical
traction unit is certified, since home traction is supported for radicular neck pain after a trial in
therapy. Recommendation is for non-certification of tramadol 50mg #60, as no functional gain was shown.
"""


def _relation(text, head, child, label, probability, party=None, nth=0):
    from spacy_imr.values import Relation

    def bounds(phrase):
        start = -1
        for _ in range(nth + 1 if phrase == head else 1):
            start = text.index(phrase, start + 1)
        return (start, start + len(phrase))
    return Relation(head=bounds(head), child=bounds(child), label=label, probability=probability, party=party)


def test_record_items_from_relations_where_structure_has_none(nlp):
    """With no item structure, the items are the heads the relation step links to decisions (one item
    per name), with the decision read from the linked phrase."""
    doc = nlp(PROSE_SUMMARY)
    assert doc._.item_blocks == []
    text = doc.text
    doc._.relations = [
        _relation(text, "cervical traction unit", "is certified", "HAS_DECISION", 0.9, nth=1),
        _relation(text, "tramadol 50mg #60", "Recommendation is for non-certification", "HAS_DECISION", 0.8, nth=1),
        _relation(text, "tramadol 50mg #60", "as no functional gain was shown", "HAS_RATIONALE", 0.7, nth=1),
    ]
    record = doc._.imr_record
    assert [(i["item"], i["decision"], i["decision_text"]["text"]) for i in record["items"]] == [
        ("cervical traction unit", "overturned", "is certified"),
        ("tramadol 50mg #60", "upheld", "Recommendation is for non-certification")]
    assert record["items"][1]["rationale"]["text"] == "as no functional gain was shown"
    assert record["items"][0]["guidelines"]["reviewer"]["citations"] == []
    assert record["outcome"] == "partially_overturned"
    jsonschema.validate(record, SCHEMA)


def test_record_item_decision_from_a_mention_naming_it(nlp):
    """An item heading without a decision word takes the decision the relation step links to a mention
    that names it, even in another item's block; "partially" before the phrase makes it partial."""
    from test_letter_sections import BARE_HEADINGS

    text = BARE_HEADINGS.replace("The night splint for the left\nfoot is not medically necessary.",
                                 "The night splint is partially\noverturned, for 2 weeks.")
    doc = nlp(text)
    text = doc.text
    doc._.relations = [
        _relation(text, "Gel heel cups, bilateral", "are medically necessary", "HAS_DECISION", 0.7),
        _relation(text, "night splint", "overturned", "HAS_DECISION", 0.8, nth=1),
    ]
    record = doc._.imr_record
    assert [(i["item"], i["decision"]) for i in record["items"]] == [
        ("Gel heel cups, bilateral", "overturned"),
        ("Night splint for the left foot, 1 month rental", "partial")]
    jsonschema.validate(record, SCHEMA)


SHARED_STATEMENTS = """MEDICAL PROFESSIONAL REVIEW

IMR Case Number:  CM13-0051846
Date of Injury:  02/27/2012
UR Denial Date:  09/16/2013
Application Received:  09/30/2013
Priority:  Standard

ISSUE AT DISPUTE:
1. Naproxen 550mg #60
2. Lumbar support brace, purchase

CASE SUMMARY:
The patient is a 47 year old male warehouse loader who strained his low back lifting a
pallet on 02/27/2012. He has chronic low back pain without radicular signs. On 08/29/2013
he rated the pain at 6/10; lumbar flexion was limited to 50 degrees and there was
paraspinal tenderness. He takes naproxen with benefit and asked for a back brace.

DOCUMENTS REVIEWED FOR DETERMINATION:
Utilization Review Determination dated 09/16/2013
Primary treating physician reports dated 04/02/2013 to 08/29/2013

MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:
The Claims Administrator based its decision on the Chronic Pain Medical Treatment
Guidelines (2009), page 67, for naproxen, and on the Official Disability Guidelines (ODG),
Low Back Chapter, Lumbar supports, for the brace. The professional reviewer relied on the
Chronic Pain Medical Treatment Guidelines (2009), pages 67-68, for naproxen and on ACOEM,
2nd Edition (2004), Chapter 12, Low Back Complaints, page 301, for the brace, as both are
part of the MTUS.

RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:
NSAIDs are recommended at the lowest dose for the shortest period in patients with
moderate to severe pain. Naproxen lowers his pain and keeps him at work, and no adverse
effect is reported. The request for naproxen 550mg #60 is medically necessary and
appropriate.

Lumbar supports have not been shown to have any lasting benefit beyond the acute phase of
symptom relief. His injury is more than a year old. The request for lumbar support brace,
purchase is not medically necessary and appropriate.

MEDICAL REVIEWER QUALIFICATIONS:
The professional reviewer is Board Certified in Occupational Medicine, is licensed in
Oregon, and has no affiliation with any party.
"""


def _cited(record):
    return [{party: [c["text"] for c in item["guidelines"][party]["citations"]] for party in ("claims_administrator", "reviewer")}
            for item in record["items"]]


def test_record_shared_statement_citations_follow_the_relations(nlp):
    """Where one party's statement speaks for several items, each item lists the citations the relation
    step links to it (by its heading or a mention naming it), not every citation of the statement."""
    doc = nlp(SHARED_STATEMENTS)
    blocks = doc._.item_blocks
    assert len(blocks) == 2 and blocks[0].claims_administrator == blocks[1].claims_administrator
    text = doc.text
    doc._.relations = [
        _relation(text, "naproxen 550mg #60", "Chronic Pain Medical Treatment", "CITES", 0.9, "claims_administrator"),
        _relation(text, "Lumbar support brace, purchase", "Official Disability Guidelines", "CITES", 0.8,
                  "claims_administrator"),
        _relation(text, "lumbar support brace, purchase", "ACOEM", "CITES", 0.7, "reviewer"),
    ]
    assert _cited(doc._.imr_record) == [
        {"claims_administrator": ["Chronic Pain Medical Treatment Guidelines"], "reviewer": []},
        {"claims_administrator": ["Official Disability Guidelines"], "reviewer": ["ACOEM"]},
    ]
    doc._.relations = None  # no relation step: each item keeps all its statements' citations
    statement_citations = [c["text"] for c in doc._.imr_record["guidelines"]]
    assert [sorted(c["claims_administrator"] + c["reviewer"]) for c in _cited(doc._.imr_record)] == [
        sorted(statement_citations)] * 2


@needs_shared(SEED)
def test_record_seed_diagnoses_from_its_gold_entities(nlp):
    """With the annotated entities of the seed, the record lists exactly the expected diagnoses: the
    diagnosis list's last entry ends where the next sentence's conditions begin."""
    from spacy_imr.corpus import gold_layers

    expected = json.loads(SEED.with_name(SEED.stem + ".expected.json").read_text())
    annotation = srsly.read_jsonl(REPO / "corpus" / "annotations" / "seed" / "seed.jsonl")
    doc = nlp(read_letter(str(SEED)).text)
    gold_layers(doc, next(iter(annotation)))
    assert [d["text"] for d in doc._.imr_record["diagnoses"]] == expected["diagnoses"]


LIST_WITHOUT_STOP = ("CLINICAL CASE SUMMARY\n\nThe diagnoses are: 1. Right wrist sprain 2. Lumbar strain 3. Insomnia "
                     "Per the progress report the patient has neck pain and headaches.")


def test_record_numbered_list_ends_after_its_last_entry(nlp):
    doc = nlp(LIST_WITHOUT_STOP)
    text = doc.text
    terms = ["Right wrist sprain", "Lumbar strain", "Insomnia", "neck pain", "headaches"]
    doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label="DIAGNOSIS") for t in terms]
    assert [d["text"] for d in doc._.imr_record["diagnoses"]] == terms[:3]


PROSE_DECISIONS_SECTION = """IMR ISSUES, DECISIONS AND RATIONALES

The IRO overturned the non-certification of the right knee arthroscopy with partial medial
meniscectomy, as the criteria are met. The guidelines allow 12 visits after meniscectomy, and
the request for post-operative physical therapy 12 sessions is medically necessary. The IRO
upheld the denial of the requested hinged knee brace.
"""


def test_record_items_from_relations_beside_prose_sentences(nlp):
    """Where the only items are those of "the request for X is ..." sentences, the heads the relation
    step decides in other words are items too; a head that another decided head names more fully
    ("meniscectomy") is not."""
    doc = nlp(PROSE_DECISIONS_SECTION)
    text = doc.text
    assert [(text[slice(*b.item)], b.origin) for b in doc._.item_blocks] == [
        ("post-operative physical therapy 12 sessions", "prose")]
    doc._.relations = [
        _relation(text, "right knee arthroscopy with partial medial meniscectomy", "overturned the non-certification",
                  "HAS_DECISION", 0.8),
        _relation(text, "meniscectomy", "is medically necessary", "HAS_DECISION", 0.9, nth=1),
        _relation(text, "post-operative physical therapy 12 sessions", "is medically necessary", "HAS_DECISION", 0.9),
        _relation(text, "hinged knee brace", "upheld the denial", "HAS_DECISION", 0.7),
    ]
    record = doc._.imr_record
    assert [(i["item"], i["decision"]) for i in record["items"]] == [
        ("right knee arthroscopy with partial medial meniscectomy", "overturned"),
        ("post-operative physical therapy 12 sessions", "overturned"),
        ("hinged knee brace", "upheld")]
    assert record["outcome"] == "partially_overturned"
    jsonschema.validate(record, SCHEMA)


PROSE_LETTER = """Case Number: CM17-0031842  Date Assigned: 03/02/2017
Date of Injury: 06/11/2015  Decision Date: 04/05/2017
UR Denial Date: 02/14/2017  Priority: Standard
Application Received: 02/24/2017

HOW THE IMR FINAL DETERMINATION WAS MADE

MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no
affiliation with the employer, employee, providers or the claims administrator.
State(s) of Licensure: California
Certification(s)/Specialty: Orthopedic Surgery

CLINICAL CASE SUMMARY

The injured worker is a 47 year old female warehouse picker who sustained an industrial injury
on 06/11/2015 when she twisted her right knee stepping off a pallet jack. The diagnoses are a
right knee medial meniscus tear and right knee chondromalacia. An MRI of the right knee from
11/2016 showed a horizontal tear of the posterior horn of the medial meniscus. She completed
18 sessions of physical therapy and a corticosteroid injection with two weeks of relief. On
examination there was medial joint line tenderness and a positive McMurray test, with range
of motion from 0 to 120 degrees. The treating surgeon requested a right knee arthroscopy with
partial medial meniscectomy, 12 sessions of post-operative physical therapy and a hinged knee
brace. Utilization review non-certified all three requests on 02/14/2017.

IMR ISSUES, DECISIONS AND RATIONALES

The ODG supports arthroscopic partial meniscectomy when mechanical symptoms persist after
conservative care and imaging shows a tear. This claimant has joint line tenderness and a
positive McMurray test after 18 sessions of therapy and an injection, and the MRI confirms a
tear of the posterior horn. The IRO overturned the non-certification of the right knee
arthroscopy with partial medial meniscectomy, as the criteria are met. With the surgery
supported, the MTUS Postsurgical Treatment Guidelines allow 12 visits over 12 weeks after
meniscectomy, and the post-operative physical therapy 12 sessions is medically necessary.
The ODG does not recommend a hinged brace after an isolated meniscectomy. The IRO upheld the
denial of the requested hinged knee brace.
"""


def test_record_trained_pipeline_reads_a_decisions_section_in_prose():
    """A letter of the three headings whose decisions section has no item heading: the trained
    pipeline's relation step finds each item in the sentence that decides it."""
    if not TRAINED.exists():
        pytest.skip("no trained pipeline: run `spacy project run all` first")
    import spacy

    text = PROSE_LETTER
    record = spacy.load(TRAINED)(text)._.imr_record
    assert record["layout"] == "A"
    assert [(i["item"], i["decision"]) for i in record["items"]] == [
        ("right knee arthroscopy with partial medial meniscectomy", "overturned"),
        ("post-operative physical therapy 12 sessions", "overturned"),
        ("hinged knee brace", "upheld")]
    for item in record["items"]:
        assert " ".join(text[item["start"]:item["end"]].split()) == item["item"]
