"""The annotation guide's span boundaries, applied to every entity (the NER's and the ruler's) by
imr_entity_modifiers after its own extensions. The word lists come with the modifiers
(`entity_modifiers.json`, key "boundaries"); each rule was measured on dev and checked against the
habit of the train gold (docs/annotation.md, "Span boundaries the pipeline enforces"):

- a span never ends on a function word, a comma or an unclosed "(" ("cyclobenzaprine 10 mg (",
  "naproxen 550mg twice a day with", "Official Disability Guidelines, the"): no gold span of train does;
- two guideline mentions written as one word are one ("CA-" and "MTUS" of "CA-MTUS"), and "CA" before
  "MTUS" belongs to it, whatever entity holds it;
- a guideline takes in the chapter written after it ("ODG, Knee & Leg Chapter", "ACOEM, Chapter 13")
  and leaves out the "Non-MTUS Citation" label before it and a "Guidelines" written after its year
  ("MTUS Chronic Pain Medical Treatment 2016 Guidelines": all 11 such train and dev spans end at the year);
- a diagnosis leaves out severity and coding words before it ("mild", "grade 2", "unspecified");
- a treatment leaves out the words before it that say when or how it is given ("a trial of", "continued",
  "prior", "retrospective");
- a treatment takes in the count written before it ("12 sessions of physical therapy", "six (6) visits",
  "1 open MRI", "8 additional chiropractic visits");
- a therapy takes in the unit written after it ("physical therapy sessions", "acupuncture visits")
  and the sites it is for ("six sessions of physical therapy to the lumbar spine", "physical therapy
  for the lumbar spine and left shoulder"), as a procedure takes in its site, and when it already
  holds the first of them, the ones coordinated with it ("... for the lumbar spine" + ", left knee");
- a site followed by "pain" is a diagnosis with it ("left elbow pain", guide rule 8);
- a generic word alone is no treatment ("surgery", "medications", "modalities", guide rule 10);
- a treatment and the other name written after it in parentheses are two treatments
  ("electromyography (EMG)", "Voltaren Gel 1% (diclofenac)"), but not a parenthesis that says how
  much ("Deprizine (unknown quantity)");
- a "diagnosis" that is a site and names no condition is an ANATOMY ("right ulnar wrist"): it ends
  where a ruler ANATOMY term inside it ends, and no ruler DIAGNOSIS term meets it;
- a site that is a list of spinal levels is one site a level ("L4-5 and L5-S1" gives "L4-5" and
  "L5-S1"; a range, "L3 to L5", stays one).
"""
import re
from typing import Dict, Iterable, List, Optional, Sequence, Set

from spacy.tokens import Doc, Span

from .spinal_levels import LEVEL_EXPRESSION
from .text_alignment import doc_text

# a guideline's chapter written after it: ", Chapter 13", ", Knee & Leg Chapter"
_CHAPTER_AFTER = re.compile(r",[ \t]*(?:Chapter[ \t]+\d+|(?:[A-Z][\w&-]*[ \t]+(?:(?:&|and)[ \t]+)?){1,5}Chapter)\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
_CITATION_LABEL = re.compile(r"Non-?\s*MTUS\s+Citation\s*:?\s*", re.I)
# what stands between the levels of a list: "L4-5 and L5-S1", "L3-4, L4-5, and L5-S1", "C5-6 & C6-7"
_LEVEL_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)")
# the sites a therapy is for: "for the lumbar spine", "to the low back, left shoulder and left knee",
# where the clause goes on with punctuation or a function word (not "for the right hip incision")
_SITE_LEAD = re.compile(r"\s+(?:for|to)\s+(?:the\s+)?")
_SITE_ARTICLE_AND_SIDE = {"the", "left", "right", "bilateral", "both"}
_SITE_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)")
_SITES_END = re.compile(r"\s*(?:[.,;:)]|$|(?:and|or|was|were|is|are|with|which|on|in|as|from|that|dated|per|to|for|at"
                        r"|had|has|have|but|the)\b)")


class SpanBoundaries:
    """The compiled rules of one word-list dict: {"trailing_words", "severity_words", "count_words",
    "count_qualifiers", "therapy_heads", "therapy_units", "pain_words", "generic_treatments"}."""

    def __init__(self, words: Dict[str, List[str]]):
        self.trailing = {w.lower() for w in words["trailing_words"]} | {",", ";", ":", "("}
        self.severity = re.compile(r"(?:(?:%s)(?:\s*,)?\s+)+" % "|".join(words["severity_words"]), re.I)
        self.treatment_lead = re.compile(r"(?:(?:%s)\s+)+" % "|".join(words.get("treatment_lead_words", []) or ["(?!)"]), re.I)
        count = r"(?:\d{1,2}|%s)(?:\s*\(\d{1,2}\))?|x\d{1,2}" % "|".join(words["count_words"])
        # lists added after the first release: a pipeline saved before them loads with none
        units = "|".join(words.get("therapy_units", []))
        qualifiers = "|".join(words.get("count_qualifiers", []))
        self.count = re.compile(r"(?<![\w/.-])(?:%s)\s+(?:(?:%s)\s+)?(?:(?:%s)\s+of\s+)?$" % (count, qualifiers, units), re.I)
        self.therapy = re.compile(r"(?:%s)\b" % "|".join(words["therapy_heads"]), re.I)
        self.names_therapy = re.compile(r"\b(?:%s)\b|therapy\b" % "|".join(words["therapy_heads"]), re.I)
        self.units = {w.lower() for w in words.get("therapy_units", [])}
        self.pain = {w.lower() for w in words["pain_words"]}
        self.generic = {w.lower() for w in words.get("generic_treatments", [])}
        self.quantity = ({w.lower() for w in words.get("quantity_words", [])} | {w.lower() for w in words["count_words"]}
                         | self.units)

    def __call__(self, doc: Doc, ents: Sequence[Span], matches: Iterable[Span] = ()) -> List[Span]:
        """`matches`: the entity ruler's matches, which tell a site from a condition."""
        terms = _RulerTerms(matches)
        kept: List[Span] = []
        for index, ent in enumerate(ents):
            if kept and ent.start < kept[-1].end:
                continue  # a site a therapy took in
            following = ents[index + 1].start if index + 1 < len(ents) else len(doc)
            span = self._bounded(doc, ent, kept[-1].end if kept else 0, following, terms)
            if span is None:
                continue
            if span.label_ == "TREATMENT" and self.names_therapy.search(span.text):
                span = _with_sites(span, ents, index + 1, terms.ends_with_site(span))
            if kept and _written_together(kept[-1], span):
                span = Span(doc, kept.pop().start, span.end, label=span.label_, span_id=span.id_)
            kept.extend(part for named in _other_name_apart(span, self.quantity) for part in _levels_apart(named))
        return kept

    def _bounded(self, doc: Doc, ent: Span, floor: int, ceiling: int, terms: "_RulerTerms") -> Optional[Span]:
        if ent.label_ not in ("DIAGNOSIS", "ANATOMY", "EXAM_FINDING", "TREATMENT", "GUIDELINE"):
            return ent
        start, end, label = ent.start, self._trimmed_end(ent), ent.label_
        if label == "DIAGNOSIS":
            start = self._without(self.severity, doc, start, end)
            if terms.site_only(start, end):
                label = "ANATOMY"
        elif label == "TREATMENT":
            start = self._without(self.treatment_lead, doc, start, end)
            if " ".join(doc[start:end].text.lower().split()) in self.generic:
                return None
            if end < ceiling and doc[end].lower_ in self.units and self.therapy.match(doc[start:end].text):
                end += 1
            start = self._with_count(doc, start, floor)
        elif label == "GUIDELINE":
            start, end = _guideline_bounds(doc, start, end, floor, ceiling)
        elif label == "ANATOMY":
            if doc[end - 1].lower_ in self.pain:
                label = "DIAGNOSIS"
            elif end < ceiling and doc[end].lower_ in self.pain:
                end, label = end + 1, "DIAGNOSIS"
        if (start, end, label) == (ent.start, ent.end, ent.label_):
            return ent
        return Span(doc, start, end, label=label, span_id=ent.id_) if end > start else None

    def _trimmed_end(self, ent: Span) -> int:
        end = ent.end
        opened = [t.i for t in ent if t.text == "("]
        if opened and opened[-1] > ent.start and not any(t.text == ")" for t in ent.doc[opened[-1]:end]):
            end = opened[-1]
        while end - 1 > ent.start and ent.doc[end - 1].lower_ in self.trailing:
            end -= 1
        return end

    @staticmethod
    def _without(words: re.Pattern, doc: Doc, start: int, end: int) -> int:
        """The span's start after the words of `words` that open it (never its last token)."""
        text_start = doc[start].idx
        match = words.match(doc_text(doc), text_start, doc[end - 1].idx)
        if not match:
            return start
        span = doc.char_span(match.end(), doc[end - 1].idx + len(doc[end - 1]), alignment_mode="contract")
        return span.start if span is not None and len(span) else start

    def _with_count(self, doc: Doc, start: int, floor: int) -> int:
        window_start = doc[max(floor, start - 8)].idx if start > floor else doc[start].idx
        match = self.count.search(doc_text(doc), window_start, doc[start].idx)
        if not match:
            return start
        span = doc.char_span(match.start(), doc[start].idx, alignment_mode="contract")
        return span.start if span is not None and len(span) and span.start >= floor else start


def _with_sites(span: Span, ents: Sequence[Span], following: int, holds_site: bool) -> Span:
    """A therapy through the sites written right after it that it is for (`ents[following]` on); when
    it already ends with one ("sessions for the lumbar spine"), through the sites coordinated with it
    (", left shoulder and left knee")."""
    text = doc_text(span.doc)
    last, gap = None, _SITE_JOIN if holds_site else _SITE_LEAD
    for site in (ents[i] for i in range(following, len(ents))):
        between = gap.match(text, (last or span).end_char)
        if site.label_ != "ANATOMY" or between is None or between.end() != site.start_char:
            break
        last, gap = site, _SITE_JOIN
    if last is None or not _SITES_END.match(text, last.end_char):
        return span
    return Span(span.doc, span.start, last.end, label=span.label_, span_id=span.id_)


def _other_name_apart(span: Span, quantity: Set[str]) -> List[Span]:
    """"X (Y)": X and Y, where Y is a treatment's other name, a word or four with no digit and no word of
    `quantity` ("(unknown quantity)" says how much)."""
    doc = span.doc
    if span.label_ != "TREATMENT" or len(span) < 4 or span[-1].text != ")":
        return [span]
    opened = max((t.i for t in span if t.text == "("), default=span.start)
    name = doc[opened + 1:span.end - 1]
    if (opened == span.start or not 1 <= len(name) <= 4 or any(c.isdigit() for c in name.text)
            or any(t.lower_ in quantity for t in name)):
        return [span]
    return [Span(doc, span.start, opened, label=span.label_, span_id=span.id_),
            Span(doc, opened + 1, span.end - 1, label=span.label_, span_id=span.id_)]


def _levels_apart(span: Span) -> List[Span]:
    """A site that is nothing but a list of spinal levels: one site a level."""
    if span.label_ != "ANATOMY":
        return [span]
    text = span.text
    levels = list(LEVEL_EXPRESSION.finditer(text))
    if len(levels) < 2 or levels[0].start() or levels[-1].end() != len(text) or not all(
            _LEVEL_SEPARATOR.fullmatch(text, before.end(), after.start()) for before, after in zip(levels, levels[1:])):
        return [span]
    parts = [span.doc.char_span(span.start_char + m.start(), span.start_char + m.end(), label=span.label_,
                                span_id=span.id_, alignment_mode="expand") for m in levels]
    return parts if all(part is not None for part in parts) else [span]


def _guideline_bounds(doc: Doc, start: int, end: int, floor: int, ceiling: int):
    """Without a "Non-MTUS Citation" label before the title; with "CA" before "MTUS" and the chapter after."""
    text = doc_text(doc)
    label = _CITATION_LABEL.match(text, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))
    if label:
        inside = doc.char_span(label.end(), doc[end - 1].idx + len(doc[end - 1]), alignment_mode="contract")
        start = inside.start if inside is not None and len(inside) else end
    if start > floor and doc[start - 1].text.upper() in ("CA", "CA-") and doc[start].text.upper().startswith("MTUS"):
        start -= 1
    if end - start > 2 and doc[end - 1].lower_ in ("guidelines", "guideline"):
        year = end - 2 - doc[end - 2].is_space
        if year > start and _YEAR.fullmatch(doc[year].text):
            end = year + 1  # "MTUS Chronic Pain Medical Treatment 2016 Guidelines, Section(s)": the title ends at its year
    chapter = _CHAPTER_AFTER.match(text, doc[end - 1].idx + len(doc[end - 1]))
    if chapter:
        after = doc.char_span(doc[end].idx if end < len(doc) else chapter.end(), chapter.end(), alignment_mode="contract")
        if after is not None and after.end <= ceiling:
            end = after.end
    return start, end


def _written_together(before: Span, span: Span) -> bool:
    """Two guideline mentions written as one word, or "CA-" before "MTUS" in another entity."""
    return (span.label_ == "GUIDELINE" and before.end == span.start and not before.doc[before.end - 1].whitespace_
            and (before.label_ == "GUIDELINE" or before.text.upper() == "CA-"))


class _RulerTerms:
    """Where the ruler's ANATOMY terms end and which tokens its DIAGNOSIS terms cover."""

    def __init__(self, matches: Iterable[Span]):
        self.anatomy_starts: Dict[int, List[int]] = {}
        self.condition_tokens = set()
        for match in matches:
            if match.label_ == "ANATOMY":
                self.anatomy_starts.setdefault(match.end, []).append(match.start)
            elif match.label_ == "DIAGNOSIS":
                self.condition_tokens.update(range(match.start, match.end))

    def ends_with_site(self, span: Span) -> bool:
        """The span ends with a ruler ANATOMY term written after "for" or "to" ("... for the lumbar spine",
        "... to the left hand")."""
        doc = span.doc
        for start in self.anatomy_starts.get(span.end, ()):
            lead = start - 1
            while lead > span.start and doc[lead].lower_ in _SITE_ARTICLE_AND_SIDE:
                lead -= 1
            if lead > span.start and doc[lead].lower_ in ("for", "to"):
                return True
        return False

    def site_only(self, start: int, end: int) -> bool:
        return (any(term_start >= start for term_start in self.anatomy_starts.get(end, ()))
                and not any(i in self.condition_tokens for i in range(start, end)))
