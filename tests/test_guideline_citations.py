"""Citations of each party's guideline statement, and of guideline mentions elsewhere."""
from conftest import phrase_span

# a letter's item block written for these tests: the Claims Administrator's line names the MTUS
# without citing it, and cites a non-MTUS guideline; the reviewer's cites an MTUS chapter
NOT_CITED = """IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth
below:

Hinged knee brace, right: Upheld

Claims Administrator guideline: The Claims Administrator based its decision on
recommendation(s) outside of the MTUS Guidelines. Decision based on Non-MTUS Citation ODG Knee
and Leg Chapter.

MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004, Section(s): Activity Alteration.

Decision rationale: The brace is not medically necessary.
"""


def _citations(doc):
    return [(span.text, value.source, value.mtus, value.title, value.year, value.section, value.party)
            for span in doc.spans["citations"] for value in [span._.citation]]


def test_guideline_citations_statement_clauses_and_negated_mentions(nlp):
    doc = nlp(NOT_CITED)
    assert _citations(doc) == [
        ("ODG Knee and Leg Chapter", "ODG", False, "ODG Knee and Leg Chapter", None, None, "claims_administrator"),
        ("MTUS Knee Complaints 2004, Section(s): Activity Alteration", "MTUS", True, "Knee Complaints", 2004,
         "Activity Alteration", "reviewer")]
    bases = [(s._.guideline_basis.party, s._.guideline_basis.mtus_based) for s in doc.spans["guideline_statements"]]
    assert bases == [("claims_administrator", False), ("reviewer", True)]
    # "outside of the MTUS Guidelines" and the MTUS of "Non-MTUS" are mentions, not citations
    mentions = [ent.text for ent in doc.ents if ent.label_ == "GUIDELINE"]
    assert "MTUS Guidelines" in mentions and len(mentions) > len(doc.spans["citations"])


def test_guideline_citations_run_again_gives_the_same_citations(nlp):
    doc = nlp(NOT_CITED)
    first = _citations(doc)
    assert _citations(nlp.get_pipe("imr_guideline_citations")(doc)) == first


# a reviewer's line citing a textbook, which no ruler term names
TEXTBOOK = NOT_CITED.replace("Decision based on MTUS Knee Complaints 2004, Section(s): Activity Alteration.",
                             "Decision based on Non-MTUS Citation: Campbell's Operative Orthopaedics, chapter 45.")


def test_guideline_citations_tag_the_title_of_an_uncovered_source(nlp):
    doc = nlp(TEXTBOOK)
    guidelines = [ent.text for ent in doc.ents if ent.label_ == "GUIDELINE"]
    assert "Campbell's Operative Orthopaedics" in guidelines  # the title, without the chapter
    cited = [(span.text, span._.citation.party) for span in doc.spans["citations"]]
    assert ("Campbell's Operative Orthopaedics, chapter 45", "reviewer") in cited


# a rationale citing textbooks by their editions, and the ACOEM guidelines, which the ruler names
EDITIONS = NOT_CITED.replace(
    "Decision rationale: The brace is not medically necessary.",
    "Decision rationale: According to Rockwood and Green's Fractures in Adults, 8th Edition (2015), a brace\n"
    "helps after ligament repair. ACOEM Practice Guidelines, 2nd Edition, and Miller's Review of\n"
    "Orthopaedics, 7th ed., say no more. The brace is not medically necessary.")


def test_guideline_citations_tag_titles_an_edition_marks(nlp):
    """A title an edition marks is a GUIDELINE wherever it stands, edition and year included, in place of
    the entities of other labels it overlaps; a GUIDELINE mention already there is kept as it is."""
    doc = nlp.make_doc(EDITIONS)
    for name in nlp.pipe_names[: nlp.pipe_names.index("imr_guideline_citations")]:
        doc = nlp.get_pipe(name)(doc)
    fractures = phrase_span(doc, "Fractures", "TREATMENT")  # an entity the title must replace
    doc.ents = [ent for ent in doc.ents if not (ent.start < fractures.end and fractures.start < ent.end)] + [fractures]
    acoem = [(ent.text, ent.label_) for ent in doc.ents if ent.text.startswith("ACOEM")]
    doc = nlp.get_pipe("imr_guideline_citations")(doc)
    guidelines = [ent.text for ent in doc.ents if ent.label_ == "GUIDELINE"]
    assert "Rockwood and Green's Fractures in Adults, 8th Edition (2015)" in guidelines
    assert "Miller's Review of Orthopaedics, 7th ed" in guidelines  # the line break read as a space
    assert [(ent.text, ent.label_) for ent in doc.ents if ent.text.startswith("ACOEM")] == acoem
    assert not any(ent.label_ == "TREATMENT" and "Fractures" in ent.text for ent in doc.ents)


def test_guideline_citations_leave_the_entities_when_told(nlp):
    import spacy

    plain = spacy.blank("en")
    plain.add_pipe("imr_guideline_citations", config={"tag_cited_sources": False})
    doc = nlp.make_doc(TEXTBOOK)
    for name in nlp.pipe_names[: nlp.pipe_names.index("imr_guideline_citations")]:
        doc = nlp.get_pipe(name)(doc)
    before = [(ent.start, ent.end, ent.label_) for ent in doc.ents]
    assert [(ent.start, ent.end, ent.label_) for ent in plain.get_pipe("imr_guideline_citations")(doc).ents] == before
    assert nlp.get_pipe("imr_guideline_citations")(doc).ents != before
