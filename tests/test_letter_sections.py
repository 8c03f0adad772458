"""Layouts, sections and item blocks: fixtures against facts their author wrote, and all real letters
against item headings derived here, independently of the pipeline's code."""
import re

import pytest
import srsly

from spacy_imr.reading import read_letter

from conftest import FIXTURE_LETTERS, FIXTURES, REAL_LETTERS, folded, needs_shared

LAYOUTS = {"A": "A", "B": "B", "C": "C", "notice_2013": "0", "unknown": "unknown"}


def fixture_record(nlp, path):
    letter = read_letter(str(path))
    return nlp(letter.text)._.imr_record, letter.text


@pytest.mark.parametrize("path", FIXTURE_LETTERS, ids=lambda p: p.stem)
def test_letter_sections_fixture_matches_facts(nlp, path):
    facts = srsly.read_json(path.with_suffix(".facts.json"))
    record, original = fixture_record(nlp, path)
    assert record["layout"] == LAYOUTS[facts["layout"]]
    assert record["case_number"] == facts["case_number"]
    assert {k: v for k, v in record["patient"].items()} == {**{"age": None, "sex": None}, **facts["patient"]}
    for name, value in facts["dates"].items():
        assert record["dates"][name] == value, name
    assert {key: record["reviewer"][key] for key in facts["reviewer"]} == facts["reviewer"]
    assert [(i["item"], i["decision"]) for i in record["items"]] == [(i["item"], i["decision"]) for i in facts["items"]]
    for got, want in zip(record["items"], facts["items"]):
        assert got["guidelines"]["claims_administrator"]["mtus_based"] == want["claims_administrator_mtus_based"]
        assert got["guidelines"]["reviewer"]["mtus_based"] == want["reviewer_mtus_based"]
        rationale = folded(original[got["rationale"]["start"]:got["rationale"]["end"]])
        assert rationale.startswith(want["rationale_starts_with"]) and rationale.endswith(want["rationale_ends_with"])
        if "partial" in want:
            assert {k: v["text"] for k, v in got["partial"].items()} == want["partial"]
    if "grip_strength" in facts:
        grip = record["exam_findings"]["grip_strength"]
        assert {k: grip[k] for k in facts["grip_strength"]} == facts["grip_strength"]


def test_letter_sections_unknown_layout_warns(nlp):
    doc = nlp("Progress report.\n\nThe patient has knee pain. Plan: MRI of the right knee.")
    assert doc._.layout == "unknown"
    assert doc._.imr_warnings and doc._.imr_warnings[0].startswith("[W001]")
    assert doc._.item_blocks == []


def test_letter_sections_prose_items_in_unknown_layout(nlp):
    doc = nlp("Summary of an appeal.\n\nThe reviewer found that the request for a functional restoration "
              "program is not medically necessary and appropriate. The request for Norco 10/325mg #60 is "
              "medically necessary.")
    record = doc._.imr_record
    assert [(i["item"], i["decision"]) for i in record["items"]] == [
        ("functional restoration program", "upheld"), ("Norco 10/325mg #60", "overturned")]


def test_letter_sections_prose_items_in_the_wording_of_appeals(nlp):
    doc = nlp("Summary of an appeal.\n\nOn review, the request for a lumbar support brace was not found to be "
              "medically necessary. The request for aquatic therapy, 6 visits has been shown to be medically "
              "necessary. The request for Norco 10/325mg #60 is notmedically necessary. The request for a cane "
              "was found not to be medically necessary.")
    assert [(i["item"], i["decision"]) for i in doc._.imr_record["items"]] == [
        ("lumbar support brace", "upheld"), ("aquatic therapy, 6 visits", "overturned"),
        ("Norco 10/325mg #60", "upheld"), ("cane", "upheld")]


def expected_headings(path):
    """Item headings of a DWC letter, read from its PDF text flattened to one line: each heading is the
    text between the previous sentence end and '<decision> Claims Administrator guideline:'."""
    import pypdf

    reader = pypdf.PdfReader(str(path))
    if reader.is_encrypted:
        reader.decrypt("")
    flat = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    headings = []
    for match in re.finditer(r":?\s*\b(Upheld|Overturned)\s+Claims Administrator guideline:", flat):
        before = flat[:match.start()]
        cut = max(before.rfind(". "), before.rfind("set forth below:") + len("set forth below:") - 1)
        heading = before[cut + 1:].strip()
        heading = re.sub(r"^The (?:remaining (?:IMR eligible )?portion of the )?original request,\s*", "", heading)
        headings.append((re.sub(r"\s+is$", "", heading).rstrip(": "), match.group(1).lower()))
    return headings


REAL = sorted(REAL_LETTERS.glob("*.pdf")) if REAL_LETTERS.exists() else []


@needs_shared(REAL_LETTERS)
def test_letter_sections_real_letters_are_all_present():
    assert len(REAL) == 120


@needs_shared(REAL_LETTERS)
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_letter_sections_real_letter_items_equal_headings(nlp, path):
    record = nlp(read_letter(str(path)).text)._.imr_record
    assert record["layout"] == "A"
    assert [(i["item"], i["decision"]) for i in record["items"]] == expected_headings(path)


BARE_HEADINGS = """IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth
below:

Gel heel cups, bilateral:

Claims Administrator guideline: Decision based on MTUS Ankle and Foot Complaints 2004,
Section(s): Initial Care.

MAXIMUS guideline: Decision based on MTUS Ankle and Foot Complaints 2004, Section(s):
Initial Care.

Decision rationale: The guidelines list heel cups among the first measures for heel pain, and
he has worn none so far. The gel heel cups are medically necessary. The guidelines do not
support a night splint before those measures have been tried. The night splint for the left
foot is not medically necessary.

Night splint for the left foot, 1 month rental:

Claims Administrator guideline: Decision based on MTUS Ankle and Foot Complaints 2004,
Section(s): Initial Care.

MAXIMUS guideline: Decision based on MTUS Ankle and Foot Complaints 2004, Section(s):
Initial Care.

Decision rationale: See the rationale for the heel cups above.
"""


def test_letter_sections_item_headings_without_a_decision_word(nlp):
    """'<item>:' alone on its line before a guideline label is an item whose decision is in prose."""
    doc = nlp(BARE_HEADINGS)
    blocks = doc._.item_blocks
    assert [(doc.text[b.item[0]:b.item[1]], b.decision, b.decision_text) for b in blocks] == [
        ("Gel heel cups, bilateral", "unknown", None),
        ("Night splint for the left foot, 1 month rental", "unknown", None)]
    assert all(b.claims_administrator and b.reviewer and b.rationale for b in blocks)
    assert doc.text[slice(*blocks[1].rationale)] == "See the rationale for the heel cups above."
    assert "Claims Administrator guideline" not in [doc.text[slice(*b.item)] for b in blocks]


def test_letter_sections_headings_found_when_rule_patterns_cannot_be_joined(nlp):
    """Rules whose patterns share a group name cannot be tried as one pattern; each is tried alone."""
    from spacy_imr.letter_sections import compile_rules, find_headings

    rules = compile_rules([
        {"id": "X.summary", "layouts": ["X"], "section": "clinical_summary", "pattern": r"(?P<name>CASE\s+SUMMARY)"},
        {"id": "X.decision", "layouts": ["X"], "section": "decisions", "pattern": r"(?P<name>DECISIONS?)", "inline": True},
    ])
    doc = nlp.make_doc("Dear Sir,\nCASE SUMMARY\nThe patient fell.\nDECISION: upheld.\nCASE SUMMARY\n")
    found = [(rule["id"], doc.text[start:end]) for rule, start, end in find_headings(doc, rules)]
    assert found == [("X.summary", "CASE SUMMARY"), ("X.decision", "DECISION")]


def test_letter_sections_double_spaced_lead_in_stays_out_of_the_first_item(nlp):
    """In a double-spaced dump the lead-in's wrapped last word ("below:") stands alone before the
    first item heading; it ends the lead-in, not the heading's first line."""
    decided = BARE_HEADINGS.replace("bilateral:", "bilateral: Overturned").replace("rental:", "rental: Upheld")
    doc = nlp("\n\n".join(line for line in decided.split("\n") if line))
    assert [(doc.text[b.item[0]:b.item[1]], b.decision) for b in doc._.item_blocks] == [
        ("Gel heel cups, bilateral", "overturned"), ("Night splint for the left foot, 1 month rental", "upheld")]


def test_letter_sections_drop_entities_in_section_headings(nlp):
    """A heading is structure: "IS/WAS NOT MEDICALLY NECESSARY" in layout C's rationale heading is no
    decision, while an entity in the section's text stays."""
    doc = nlp.make_doc(read_letter(str(next(p for p in FIXTURE_LETTERS if p.stem == "c_professional_review"))).text)
    for name, component in nlp.pipeline:
        if name == "imr_letter_sections":
            break
        doc = component(doc)
    # offsets into the doc's text, which the letter tokenizer normalises
    in_heading = doc.text.index("IS/WAS NOT MEDICALLY") + len("IS/WAS ")
    in_text = doc.text.index("acupuncture may be used")
    heading_phrase = doc.char_span(in_heading, doc.text.index("NECESSARY", in_heading) + len("NECESSARY"), label="DECISION")
    treatment = doc.char_span(in_text, in_text + len("acupuncture"), label="TREATMENT")
    added = [heading_phrase, treatment]
    doc.ents = sorted([ent for ent in doc.ents if not any(ent.start < a.end and a.start < ent.end for a in added)] + added,
                      key=lambda span: span.start)
    ents = [(ent.start_char, ent.label_) for ent in nlp.get_pipe("imr_letter_sections")(doc).ents]
    assert (in_text, "TREATMENT") in ents
    assert not any(in_heading <= start < in_heading + 30 for start, _ in ents)


def test_letter_sections_rationale_without_its_label(nlp):
    """A block with no "Decision rationale:" label: the reviewer's statement is its first paragraph and
    the rationale the paragraphs after it."""
    text = BARE_HEADINGS.replace("Decision rationale: ", "")
    doc = nlp(text)
    blocks = doc._.item_blocks
    assert [doc.text[slice(*b.reviewer)] for b in blocks] == [
        "Decision based on MTUS Ankle and Foot Complaints 2004, Section(s): Initial Care."] * 2
    assert doc.text[slice(*blocks[0].rationale)].startswith("The guidelines list heel cups among the first measures")
    assert doc.text[slice(*blocks[1].rationale)] == "See the rationale for the heel cups above."
    labelled = nlp(BARE_HEADINGS)  # the same rationales as with their label
    assert [doc.text[slice(*b.rationale)] for b in blocks] == [
        labelled.text[slice(*b.rationale)] for b in labelled._.item_blocks]


def test_letter_sections_notice_block_shared_by_two_items(nlp):
    """'2) and 3) Regarding the requests for X and Y:' discusses both items: each gets the block's
    statement and rationale; item 1 keeps its own block only."""
    text = (FIXTURES / "letters" / "notice_2013.txt").read_text()
    second = text.index("2) Regarding the request for repeat MRI")
    third = text.index("3) Regarding the request for physical therapy")
    shared = text[:second] + ("2) and 3) Regarding the requests for repeat MRI of the lumbar spine and physical therapy "
                              "2 times per week for 4 weeks for the lumbar spine:") + text[text.index("\n", third):]
    doc = nlp(shared)
    first, mri, therapy = doc._.item_blocks
    assert first.rationale[1] < mri.block[0]
    assert mri.block == therapy.block and mri.rationale == therapy.rationale and mri.reviewer == therapy.reviewer
    assert doc.text[slice(*therapy.rationale)].startswith("The MTUS recommends active therapy")
    assert len(doc.spans["rationales"]) == 2



def test_letter_sections_notice_item_granted_as_modified_is_partial(nlp):
    """'is medically necessary and appropriate as modified to ...' grants part of the request."""
    text = (FIXTURES / "letters" / "notice_2013.txt").read_text()
    granted = "for the lumbar spine is medically necessary and appropriate."
    modified = text.replace(granted, granted[:-1] + " as modified to 6 visits.", 1)
    assert modified != text
    assert [b.decision for b in nlp(text)._.item_blocks] == ["upheld", "upheld", "overturned"]
    assert [b.decision for b in nlp(modified)._.item_blocks] == ["upheld", "upheld", "partial"]


# paragraphs on one line each, as the written letters of the corpus have them
SHARED_RATIONALES = """IMR ISSUES, DECISIONS AND RATIONALES

The Final Determination was based on decisions for the disputed items/services set forth below:

Hard stabilization splint, maxillary:

Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for its decision.

MAXIMUS guideline: Decision based on Non-MTUS Citation Orofacial Pain guidelines, 6th edition.

Cone beam CT of the temporomandibular joints:

Claims Administrator guideline: Decision based on Non-MTUS Citation ODG Head, CT.

MAXIMUS guideline: Decision based on Non-MTUS Citation Orofacial Pain guidelines, 6th edition.

The MTUS does not address jaw disorders. The guidelines favor a hard splint for nocturnal clenching with \
muscle pain, and she has clenched at night since the injury. The request for a hard stabilization splint is \
medically necessary.

Imaging of the jaw joints is kept for a locked jaw or a planned procedure. Her opening is 38 mm and no \
procedure is planned. The request for a cone beam CT of the temporomandibular joints is not medically necessary.
"""


def test_letter_sections_rationales_argued_in_turn_after_the_headings(nlp):
    """Headings without rationales of their own, then one paragraph per item, each closing with the
    decision sentence that names it: each item gets its own paragraph."""
    doc = nlp(SHARED_RATIONALES)
    splint, imaging = doc._.item_blocks
    assert doc.text[slice(*splint.rationale)].startswith("The MTUS does not address jaw disorders.")
    assert doc.text[slice(*splint.rationale)].endswith("The request for a hard stabilization splint is medically necessary.")
    assert doc.text[slice(*imaging.rationale)].startswith("Imaging of the jaw joints")
    assert doc.text[slice(*imaging.rationale)].endswith("is not medically necessary.")


def test_letter_sections_prose_items_take_the_sentences_before_their_decision(nlp):
    doc = nlp("IMR ISSUES, DECISIONS AND RATIONALES\n\nThe treating physician asked for two items.\n\n"
              "Topical lidocaine is recommended only after a first-line agent has failed, and none has been tried. "
              "The request for Lidoderm 5% patch #30 is not medically necessary. Her flare is recent and the "
              "guideline allows eight visits. The request for physical therapy, 8 visits is medically necessary.")
    lidoderm, therapy = doc._.item_blocks
    assert doc.text[slice(*lidoderm.rationale)].startswith("The treating physician asked")
    assert doc.text[slice(*lidoderm.rationale)].endswith("#30 is not medically necessary.")
    assert doc.text[slice(*therapy.rationale)] == ("Her flare is recent and the guideline allows eight visits. The "
                                                   "request for physical therapy, 8 visits is medically necessary.")


PARTIAL_HEADINGS = """IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth
below:

Aquatic therapy 12 sessions for the lumbar spine: Partially Overturned

Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016,
Section(s): Aquatic therapy.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s):
Aquatic therapy.

Decision rationale: Six sessions fit the guideline's trial; the other six are not supported.

Lumbar support brace: Upheld

Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.

MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004.

Decision rationale: Lumbar supports have no lasting benefit beyond the acute phase.
"""


def test_letter_sections_partially_overturned_heading_and_where_items_were_found(nlp):
    """'Partially Overturned' after an item heading is a partial decision; each block says where its
    item was found: a heading, a list of issues, a 2013 notice's determinations or a prose sentence."""
    doc = nlp(PARTIAL_HEADINGS)
    assert [(doc.text[slice(*b.item)], b.decision, b.origin) for b in doc._.item_blocks] == [
        ("Aquatic therapy 12 sessions for the lumbar spine", "partial", "heading"),
        ("Lumbar support brace", "upheld", "heading")]
    origins = {path.stem: {b.origin for b in nlp(read_letter(str(path)).text)._.item_blocks}
               for path in FIXTURE_LETTERS if path.stem in ("c_professional_review", "notice_2013")}
    assert origins == {"c_professional_review": {"issues"}, "notice_2013": {"notice"}}
    prose = nlp("Summary of an appeal.\n\nThe request for a cane is medically necessary.")
    assert [b.origin for b in prose._.item_blocks] == ["prose"]
