"""Guideline citations and the basis of each party's decision.

A guideline statement ("Claims Administrator guideline: ...", "MAXIMUS guideline: ...") gets a
GuidelineBasis (MTUS-based or not, or no evidence cited) and one citation per "Decision based on"
clause. Elsewhere every GUIDELINE entity becomes a citation, with the chapter, table, page,
edition and year written right after it. A source cited in a "Non-MTUS Citation" clause that no
entity covers (a textbook, a journal article: "Green's Operative Hand Surgery, 6th ed") becomes a
GUIDELINE entity, its title (guide rule 12), so that the relation step can link the item to it; so
does a title that an edition marks ("Bonica's Management of Pain, 4th Edition (2010)") wherever it
stands. Citations are spans in doc.spans["citations"] with a typed value in span._.citation;
statements carry span._.guideline_basis.
"""
import re
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from .intervals import Intervals
from .scoring import score_span_group
from .text_alignment import doc_text
from .values import Citation, GuidelineBasis

CITATIONS_KEY = "citations"
MTUS_CLAUSE = re.compile(
    r"Decision\s+based\s+on\s+MTUS\s+(?P<title>.+?)(?:\s+(?P<year>(?:19|20)\d\d))?"
    r"(?:\s*,\s*Section\(s\)\s*:\s*(?P<section>.+?))?\s*(?:\.(?=\s|$)|$|(?=\s*Decision\s+based\s+on))",
    re.I | re.S)
NON_MTUS_CLAUSE = re.compile(
    r"Decision\s+based\s+on\s+Non-MTUS\s+Citation\s*:?\s*"
    r"(?P<citation>\([^)]{1,40}\)(?=\s|$)|[^(\s].*?(?=\.\s|\.$|$|\s*Decision\s+based\s+on))",
    re.I | re.S)
NO_EVIDENCE = re.compile(r"did\s+not\s+cite\s+any\s+(?:medical\s+evidence|evidence-based\s+guidelines?|guidelines?)", re.I)
NOT_MTUS = re.compile(r"did\s+not\s+base\s+(?:their|its|his|her)\s+decision\s+on\s+the\s+MTUS|outside\s+(?:of\s+)?the\s+MTUS"
                      r"|not\s+part\s+of\s+the\s+MTUS", re.I)
# Prose statements of 2013 letters and professional reviews: "..., which is part of the MTUS".
PART_OF_MTUS = re.compile(r"(?<!not\s)part\s+of\s+the\s+MTUS|sections?\s+of\s+the\s+MTUS", re.I)
SOURCES = [
    ("MTUS", re.compile(r"\bMTUS\b|Medical\s+Treatment\s+Utilization\s+Schedule", re.I)),
    ("CPMTG", re.compile(r"Chronic\s+Pain\s+(?:Medical\s+)?Treatment|\bCPMTG\b", re.I)),
    ("ODG", re.compile(r"\bODG\b|Official\s+Disability\s+Guidelines|Work\s+Loss\s+Data", re.I)),
    ("ACOEM", re.compile(r"\bACOEM\b|American\s+College\s+of\s+Occupational|Occupational\s+Medicine\s+Practice", re.I)),
    ("CCR", re.compile(r"C\.?C\.?R\.?|\b97\d\d\b|Labor\s+Code|§", re.I)),
]
# MTUS titles: a citation of these is MTUS-based whatever words surround it.
MTUS_TITLES = re.compile(
    r"Chronic\s+Pain\s+(?:Medical\s+)?Treatment|Low\s+Back\s+Complaints|Neck\s+and\s+Upper\s+Back\s+Complaints|"
    r"Shoulder\s+Complaints|Knee\s+Complaints|Elbow\s+(?:Complaints|Disorders)|Forearm,\s+Wrist,?\s+and\s+Hand\s+Complaints|"
    r"Ankle\s+and\s+Foot\s+Complaints|General\s+Approaches|Acupuncture\s+(?:Medical\s+)?Treatment|Post-?surgical\s+Treatment|"
    r"Opioids?\s+Treatment|\b9792\.2[0-6]", re.I)
DETAIL_WINDOW = 90
CHAPTER = re.compile(r"\bChapter\s+(\d+|[A-Z][A-Za-z&,\- ]{2,40}?)(?=[,;.)]|\s+(?:Table|page|pg|p\.)|$)", re.I)
PAGE = re.compile(r"\b(?:pages?|pgs?\.?|p\.)\s*(\d+(?:\s*-\s*\d+)?)", re.I)
EDITION = re.compile(r"\b(\d)(?:st|nd|rd|th)\s+ed(?:ition|\.)?", re.I)
YEAR = re.compile(r"^\s*,?\s*\(?((?:19|20)\d\d)\)?")
# A title that an edition marks as a book ("Bonica's Management of Pain, 4th Edition (2010)"): a source
# wherever it stands. In the train and dev gold, 40 of the 42 "Nth edition" lie inside GUIDELINE spans.
EDITION_TITLE = re.compile(
    r"(?P<title>[A-Z][\w'’&.-]*(?:\s+(?:[A-Z][\w'’&.-]*|of|and|the|for|in|to|&)){0,12}?)"
    r",\s*\d{1,3}(?:st|nd|rd|th)\s+(?i:ed(?:ition)?)\b(?:\s*\((?:19|20)\d\d\))?")
# where to look for one: the edition mark, found far faster than the title before it
EDITION_MARK = re.compile(r"\d(?:st|nd|rd|th)\s+(?i:ed)")
TITLE_REACH = 200
# words a sentence may open with before a title ("According to Bonica's ...")
TITLE_LEAD = re.compile(r"^(?:(?:According|Per|See|As|From|By|Under|On|Using|In|The)\s+(?:to\s+)?)*")
REGULATION = re.compile(r"\b(97\d\d(?:\.\d+)*(?:\([a-z0-9]+\))*)", re.I)


def citation_source(text: str) -> str:
    for name, pattern in SOURCES:
        if pattern.search(text):
            return "CPMTG" if name == "MTUS" and SOURCES[1][1].search(text) else name
    return "other"


def is_mtus(text: str) -> bool:
    return bool(re.search(r"\bMTUS\b(?!\s+Citation)", text) and not re.search(r"Non-MTUS", text, re.I)) \
        or bool(MTUS_TITLES.search(text))


def guideline_basis(text: str, party: str) -> GuidelineBasis:
    if NO_EVIDENCE.search(text):
        return GuidelineBasis(party=party, mtus_based=None, cited_evidence=False)
    if MTUS_CLAUSE.search(text) or PART_OF_MTUS.search(text):
        return GuidelineBasis(party=party, mtus_based=True)
    if NOT_MTUS.search(text) or NON_MTUS_CLAUSE.search(text):
        return GuidelineBasis(party=party, mtus_based=False)
    return GuidelineBasis(party=party, mtus_based=None)


def statement_citations(text: str, start: int, end: int, party: str) -> List[Tuple[int, int, Citation]]:
    """One citation per 'Decision based on' clause of a guideline statement."""
    found = []
    for match in MTUS_CLAUSE.finditer(text, start, end):
        title = " ".join(match.group("title").split())
        cited_end = match.end("section") if match.group("section") else (match.end("year") if match.group("year") else match.end("title"))
        found.append((match.start("title") - len("MTUS "), cited_end, Citation(
            source=citation_source("MTUS " + title), mtus=True, title=title,
            year=int(match.group("year")) if match.group("year") else None,
            section=" ".join(match.group("section").split()) if match.group("section") else None, party=party)))
    for match in NON_MTUS_CLAUSE.finditer(text, start, end):
        cited = match.group("citation").strip()
        cited_start = match.start("citation")
        cited_end = cited_start + len(cited)
        if cited.startswith("(") and cited.endswith(")"):
            cited_start, cited_end, cited = cited_start + 1, cited_end - 1, cited[1:-1]
        title, _, section = cited.partition(",")
        year = re.search(r"\b((?:19|20)\d\d)\b", title)
        found.append((cited_start, cited_end, Citation(
            source=citation_source(cited), mtus=False,
            title=" ".join(re.sub(r"\s*\b(?:19|20)\d\d\b", "", title).split()) or None,
            year=int(year.group(1)) if year else None,
            section=" ".join(section.split()) or None, party=party)))
    return found


def entity_citation(text: str, ent: Span, party: Optional[str]) -> Tuple[int, int, Citation]:
    window_end = min(len(text), ent.end_char + DETAIL_WINDOW)
    sentence_end = text.find(". ", ent.end_char, window_end)
    window = text[ent.end_char:sentence_end if sentence_end >= 0 else window_end]
    chapter, page, edition = CHAPTER.search(window), PAGE.search(window), EDITION.search(window)
    year = YEAR.match(window) or re.search(r"\b((?:19|20)\d\d)\b", ent.text)
    regulation = REGULATION.search(ent.text)
    return ent.start_char, ent.end_char, Citation(
        source=citation_source(ent.text), mtus=is_mtus(ent.text),
        title=ent.text, year=int(year.group(1)) if year else None,
        chapter=" ".join(chapter.group(1).split()) if chapter else (edition.group(0) if edition else None),
        page=page.group(1).replace(" ", "") if page else None,
        regulation=regulation.group(1) if regulation else None, party=party)


def _edition_titles(text: str) -> Iterator[re.Match]:
    """EDITION_TITLE's matches, sought only before an edition mark."""
    searched = 0
    for mark in EDITION_MARK.finditer(text):
        if mark.end() <= searched:
            continue
        match = EDITION_TITLE.search(text, max(searched, mark.start() - TITLE_REACH), mark.end() + 40)
        if match is not None:
            searched = match.end()
            yield match


def _tag_cited_sources(doc: Doc, text: str, found: List[Tuple[int, int, Citation]]) -> None:
    """A GUIDELINE entity over the title of each non-MTUS source that no entity covers, and over each
    title an edition marks, in place of the entities of other labels it overlaps."""
    ents, before = list(doc.ents), len(doc.ents)
    replaced = False
    for match in _edition_titles(text):
        start = match.start() + len(TITLE_LEAD.match(match.group("title")).group(0))
        if any(ent.label_ == "GUIDELINE" and ent.start_char < match.end() and start < ent.end_char for ent in ents):
            continue
        title = doc.char_span(start, match.end(), label="GUIDELINE", alignment_mode="contract")
        if title is not None and len(title):
            ents = [ent for ent in ents if not (ent.start < title.end and title.start < ent.end)] + [title]
            replaced = True
    for start, end, citation in found:
        # the titles added so far count too: two clauses may cite one source at one place
        if citation.mtus or any(ent.start_char < end and start < ent.end_char for ent in ents):
            continue
        comma = text.find(",", start, end)
        title = doc.char_span(start, comma if comma >= 0 else end, label="GUIDELINE", alignment_mode="contract")
        if title is not None and len(title):
            ents.append(title)
    if replaced or len(ents) > before:
        doc.ents = sorted(ents, key=lambda ent: ent.start)


@registry.scorers("spacy_imr.guideline_citations_scorer.v1")
def make_guideline_citations_scorer():
    return guideline_citations_score


def guideline_citations_score(examples: Iterable[Example], **kwargs) -> Dict[str, object]:
    return score_span_group(examples, CITATIONS_KEY, **kwargs)


@Language.factory(
    "imr_guideline_citations",
    assigns=["doc.spans", "doc.ents", "span._.citation", "span._.guideline_basis"],
    requires=["doc.ents"],
    default_config={"tag_cited_sources": True, "scorer": {"@scorers": "spacy_imr.guideline_citations_scorer.v1"}},
    default_score_weights={f"spans_{CITATIONS_KEY}_f": 1.0},
)
def make_guideline_citations(nlp: Language, name: str, tag_cited_sources: bool, scorer: Optional[Callable]):
    return GuidelineCitations(nlp, name, tag_cited_sources=tag_cited_sources, scorer=scorer)


class GuidelineCitations:
    def __init__(self, nlp: Language, name: str = "imr_guideline_citations", *, tag_cited_sources: bool = True,
                 scorer: Optional[Callable] = guideline_citations_score):
        self.name = name
        self.tag_cited_sources = tag_cited_sources
        self.scorer = scorer

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        statements = list(doc.spans.get("guideline_statements", []))
        rationales = list(doc.spans.get("rationales", []))
        found = []
        for statement in statements:
            statement._.guideline_basis = guideline_basis(statement.text, statement.label_)
            found.extend(statement_citations(text, statement.start_char, statement.end_char, statement.label_))
        # looked up by offset: a long input (many letters in one text) holds many of each
        if self.tag_cited_sources:
            _tag_cited_sources(doc, text, found)
        cited = Intervals((start, end, True) for start, end, _ in found)
        negations = Intervals((*m.span(), True) for s in statements for m in NOT_MTUS.finditer(text, s.start_char, s.end_char))
        parties = Intervals((s.start_char, s.end_char, (order, s.label_)) for order, s in enumerate(statements))
        in_rationale = Intervals((r.start_char, r.end_char, True) for r in rationales)
        for ent in doc.ents:
            if ent.label_ != "GUIDELINE" or cited.containing(ent.start_char):
                continue
            if negations.containing(ent.start_char) or text.endswith("Non-", 0, ent.start_char):
                continue  # "did not base their decision on the MTUS", "Non-MTUS Citation" cite nothing
            party = min(parties.containing(ent.start_char), default=(None, None))[1]
            if party is None and in_rationale.containing(ent.start_char):
                party = "rationale"
            found.append(entity_citation(text, ent, party))
        spans, placed = [], set()
        for start, end, citation in sorted(found, key=lambda f: (f[0], f[1])):
            span = doc.char_span(start, end, label=citation.source, alignment_mode="expand")
            # one citation a span (by its bounds, not by a value a previous run left there)
            if span is not None and (span.start, span.end) not in placed:
                placed.add((span.start, span.end))
                span._.citation = citation
                spans.append(span)
        doc.spans[CITATIONS_KEY] = spans
        return doc

    def score(self, examples: Iterable[Example], **kwargs):
        return self.scorer(examples, **kwargs) if self.scorer else {}
