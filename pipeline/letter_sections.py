"""Letter layout, sections and the per-item blocks of the decisions section.

Headings are found at line starts of the letter (the tokenizer keeps the source lines), with
patterns that allow any case, whitespace runs and line breaks; each layout scores the headings it
owns and the best-scoring layout decides the sections. Inside the decisions section each disputed
item becomes an `ItemBlock`: the item text, its decision, the two parties' guideline statements and
the decision rationale.
"""
import logging
import re
from dataclasses import replace
from functools import lru_cache
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import SimpleFrozenList, ensure_path, filter_spans, registry

from .anchored_search import AnchoredWindows
from .decisions import PROSE_DECISION, UNKNOWN, normalize_decision, normalize_decision_at
from .errors import Errors, Warnings
from .item_names import name_stems
from .rules import check_rules, read_rules
from .scoring import score_span_group
from .text_alignment import doc_text
from .values import ItemBlock

logger = logging.getLogger(__name__)

LAYOUT_ORDER = ("A", "B", "C", "0")
UNKNOWN_LAYOUT = "unknown"
# the span id of the TREATMENT and DECISION entities made from item headings
ITEM_SPAN_ID = "items"
RULE_KEYS = ("id", "layouts", "section", "pattern")

HEADING_DECISION = re.compile(r"(?:(?P<colon>:)\s*|^\s*)(?P<decision>(?:partially\s+)?(?:upheld|overturned))\s*\.?\s*$",
                              re.I)
CLAIMS_LABEL = r"Claims\s+Administrator\s+guidelines?\s*:"
REVIEWER_LABEL = r"(?:MAXIMUS|(?:Expert\s+|IMR\s+)?Reviewer)\s+guidelines?\s*:"
RATIONALE_LABEL = r"Decision\s+rationale\s*:"
BLOCK_LABELS = re.compile(
    rf"(?P<claims_administrator>{CLAIMS_LABEL})|(?P<reviewer>{REVIEWER_LABEL})|(?P<rationale>{RATIONALE_LABEL})",
    re.I,
)
# every block label ends so; scanned only near these, a label reaches at most BLOCK_LABEL_REACH back
BLOCK_LABEL_ANCHOR = re.compile(r"(?i:guidelines?|rationale)\s*:")
BLOCK_LABEL_REACH = 100
# an item heading with no decision word ("Custom orthotics, bilateral:"), known by the guideline label
# that opens the next line: the decision is stated in prose, for the relation step to find
BARE_HEADING = re.compile(r"^\s*(?P<item>[^\s:][^\n]*?)\s*:\s*$")
PARTY_LABEL_START = re.compile(rf"^\s*(?:{CLAIMS_LABEL}|{REVIEWER_LABEL})", re.I)
# the lead-in's last line, also when only its last words wrapped onto it ("set forth" / "below:")
LEAD_IN = re.compile(r"(?:set\s+forth\s+|^\s*(?:forth\s+)?)below\s*:\s*$|^\s*The\s+Final\s+Determination\s+was\s+based",
                     re.I)
PARTIAL = re.compile(
    r"(?P<original>\S.*?)\s+was\s+the\s+original\s+request\s*\.\s+(?P<authorized>\S.*?)\s+was\s+"
    r"authorized\s+by\s+the\s+Claims\s+Administrator\s*\.\s+The\s+remaining\s+(?:IMR\s+eligible\s+)?"
    r"portion\s+of\s+the\s+original\s+request\s*,\s*(?P<item>[^\s\"][^\n\"]*?)(?:\s+is)?\s*$",
    re.I | re.S,
)
PARTIAL_ELIGIBLE = re.compile(
    r"(?P<original>\S.*?)\s+was\s+the\s+original\s+request\s*\.\s+The\s+Claims\s+Administrator\s+authorized\s+"
    r"(?P<authorized>\S.*?)\s*,\s*leaving\s+the\s+original\s+request\s+IMR\s+eligible\s*\.\s+The\s+original\s+request\s*,\s*"
    r"(?P<item>[^\s\"][^\n\"]*?)(?:\s+is)?\s*$",
    re.I | re.S,
)
PARTIAL_WINDOW = 1200
NOTICE_ITEM = re.compile(
    r"(?P<number>\d+)\s*[).]\s+MAXIMUS\s+Federal\s+Services\s*,?\s+Inc\.?\s+has\s+determined\s+"
    r"(?:that\s+)?the\s+request\s+for\s+(?P<item>.+?)\s+(?P<decision>(?:is|was)\s+(?:not\s*)?medically\s+"
    r"necessary(?:\s+and\s+appropriate)?)",
    re.I | re.S,
)
# one block may discuss several items: "2) and 3) Regarding the requests for X and Y:"
NOTICE_BLOCK = re.compile(r"(?P<numbers>\d+\s*[).](?:\s*(?:,|and|&)\s*\d+\s*[).])*)\s+Regarding\s+the\s+requests?\s+for\b",
                          re.I)
NOTICE_LABELS = re.compile(
    r"(?P<guidelines>Medical\s+Treatment\s+Guidelines?\s*\(?s?\)?\s+Relied\s+Upon\s+by\s+the\s+(?:Expert|Physician)\s+Reviewer\s*:)"
    r"|(?P<rationale>Rationale\s+for\s+the\s+Decision\s*:)",
    re.I)
PROSE_ITEM = re.compile(
    r"\bthe\s+request(?:ed)?\s+(?:for\s+(?:an?\s+|the\s+)?)?(?P<item>[^.;:]{3,160}?)\s+"
    # "is (not) medically necessary", "was not found to be ...", "has been shown to be ..."
    r"(?P<decision>(?:(?:is|was)(?:\s+not)?(?:\s+(?:found|shown|deemed|determined)(?:\s+not)?(?:\s+to\s+be)?)?"
    r"|(?:has|have)(?:\s+not)?\s+been\s+(?:found|shown|determined)\s+to\s+be)"
    r"\s+(?:not\s*)?medically\s+necessary(?:\s+and\s+appropriate)?)",
    re.I,
)
SENTENCE_END = re.compile(r"[.!?][\"')\]]?$")
NUMBERED = re.compile(r"(?<!\S)\d{1,2}[.)]\s+(?=\S)")


def _trim(text: str, start: int, end: int, chars: str = " \n") -> Tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def find_headings(doc: Doc, rules: Sequence[Dict]) -> List[Tuple[Dict, int, int]]:
    """Each rule's first heading that starts a source line (and, unless inline, ends one)."""
    text = doc_text(doc)
    lines = doc._.letter_lines or [[0, len(text)]]
    line_ends = {end for _, end in lines}
    heading_lines = _heading_lines(text, lines, rules)
    found = []
    for rule in rules:
        for start in heading_lines:
            match = rule["regex"].match(text, start)
            if match and (rule.get("inline") or match.end() in line_ends):
                found.append((rule, match.start(), match.end()))
                break
    return found


def _heading_lines(text: str, lines: Sequence[Sequence[int]], rules: Sequence[Dict]) -> List[int]:
    """Starts of the lines that some rule's pattern matches at: one pass with all the patterns leaves
    each rule only these few. (Patterns that cannot be joined, such as two with the same group name,
    leave every line.)"""
    any_heading = _joined_pattern(tuple(rule["pattern"] for rule in rules))
    if any_heading is None:
        return [start for start, _ in lines]
    return [start for start, _ in lines if any_heading.match(text, start)]


@lru_cache(maxsize=8)
def _joined_pattern(patterns: Tuple[str, ...]) -> Optional[re.Pattern]:
    """The rules' patterns as one, compiled once per rule set (None when they cannot be joined)."""
    try:
        return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.I)
    except re.error:
        return None


def choose_layout(headings: Iterable[Tuple[Dict, int, int]], min_score: int) -> str:
    scores = {layout: 0 for layout in LAYOUT_ORDER}
    for rule, _, _ in headings:
        for layout in rule["layouts"]:
            scores[layout] = scores.get(layout, 0) + rule.get("weight", 1)
    best = max(LAYOUT_ORDER, key=lambda layout: scores[layout])
    return best if scores[best] >= min_score else UNKNOWN_LAYOUT


def section_bounds(doc: Doc, headings, layout: str) -> List[Tuple[str, int, int, int]]:
    """(section, start, body_start, end) for the chosen layout's headings, in text order."""
    own = sorted((start, end, rule["section"]) for rule, start, end in headings if layout in rule["layouts"])
    sections, seen = [], set()
    if own and own[0][0] > 0:
        sections.append(("header", 0, 0, own[0][0]))
    for index, (start, body_start, name) in enumerate(own):
        if start in seen:
            continue
        seen.add(start)
        end = own[index + 1][0] if index + 1 < len(own) else len(doc_text(doc))
        sections.append((name, start, body_start, _trim(doc_text(doc), start, end)[1]))
    return sections


class _Lines:
    """The source lines of one region of the doc, with the questions item parsing asks of them."""

    def __init__(self, doc: Doc, start: int, end: int):
        self.text = doc_text(doc)
        lines = doc._.letter_lines or [[0, len(doc_text(doc))]]
        self.lines = [(max(s, start), min(e, end)) for s, e in lines if e > start and s < end]

    def __len__(self):
        return len(self.lines)

    def line(self, index: int) -> str:
        start, end = self.lines[index]
        return self.text[start:end]

    def joined(self, earlier: int, later: int) -> bool:
        """True when the two consecutive lines belong to one paragraph."""
        return "\n" not in self.text[self.lines[earlier][1]:self.lines[later][0]]


def block_items(doc: Doc, start: int, end: int) -> List[ItemBlock]:
    """Items of a decisions section written as '<item>: Upheld|Overturned' headings."""
    text, lines = doc_text(doc), _Lines(doc, start, end)
    headings = []  # (item_start, item_end, decision_start, decision_end, line_index, partial)
    floor = start
    for index in range(len(lines)):
        match = HEADING_DECISION.search(lines.line(index))
        line_start, line_end = lines.lines[index]
        if not match:
            bare = _bare_heading(lines, index)
            if bare is None:
                continue
            item_end = line_start + bare.end("item")
            if item_end <= floor:
                continue
            heading = _wrapped_heading(lines, index, item_end, floor)
            headings.append((heading, None))
            floor = line_end
            continue
        if not match.group("colon") and not _decision_alone(lines, index, match):
            continue
        decision = (line_start + match.start("decision"), line_start + match.end("decision"))
        if match.group("colon"):
            item_end, item_line = line_start + match.start(), index
        else:
            item_line = index - 1
            item_end = _trim(text, lines.lines[item_line][0], lines.lines[item_line][1], " :")[1]
        if item_end <= floor:
            continue
        heading = _partial_heading(text, floor, item_end) or _wrapped_heading(lines, item_line, item_end, floor)
        headings.append((heading, decision))
        floor = line_end
    items = []
    for index, (heading, decision) in enumerate(headings):
        block_end = headings[index + 1][0]["block_start"] if index + 1 < len(headings) else end
        block_end = _trim(text, heading["start"], block_end)[1]
        parts = _block_parts(text, decision[1] if decision else heading["end"], block_end)
        items.append(ItemBlock(
            index=index,
            item=(heading["start"], heading["end"]),
            block=(heading["block_start"], block_end),
            decision=normalize_decision(text[decision[0]:decision[1]]) if decision else UNKNOWN,
            decision_text=decision,
            original_request=heading.get("original_request"),
            authorized=heading.get("authorized"),
            **parts,
        ))
    return _shared_rationales(text, items)


SENTENCE_STOP = re.compile(r"[.!?](?=\s|$)")


def _shared_rationales(text: str, items: List[ItemBlock]) -> List[ItemBlock]:
    """Headings in a row without a rationale of their own, then the paragraphs that argue each in turn
    (the reviewer's statements of all come first): the rationale _block_parts gave the last heading is
    cut after each concluding decision sentence, and each part goes to the items its decision sentence
    names. Left as it is unless every heading of the row is named."""
    items, run = list(items), []
    for index, item in enumerate(items):
        run.append(index)
        if item.rationale is None:
            continue
        if len(run) > 1:
            parts = _argued_parts(text, item.rationale, [items[i].item for i in run])
            if parts is not None:
                for i, part in zip(run, parts):
                    items[i] = replace(items[i], rationale=part)
        run = []
    return items


def _argued_parts(text: str, rationale: Tuple[int, int],
                  names: List[Tuple[int, int]]) -> Optional[List[Tuple[int, int]]]:
    """Per item name, the part of `rationale` that ends in a decision sentence naming it (None unless
    every name gets one)."""
    start, end = rationale
    words = [name_stems(text[a:b]) for a, b in names]
    parts: List[Optional[Tuple[int, int]]] = [None] * len(names)
    part_start = start
    for decision in PROSE_DECISION.finditer(text, start, end):
        if decision.start() < part_start:
            continue
        stop = SENTENCE_STOP.search(text, decision.end(), end)
        part_end = stop.end() if stop else end
        sentence_start = max([m.end() for m in SENTENCE_STOP.finditer(text, part_start, decision.start())], default=part_start)
        said_of = name_stems(text[sentence_start:part_end])
        overlaps = [len(name & said_of) for name in words]
        best = max(overlaps)
        if best:
            for i, overlap in enumerate(overlaps):
                if overlap == best:
                    parts[i] = (parts[i][0] if parts[i] else part_start, part_end)
        part_start = part_end
    if any(part is None for part in parts):
        return None
    return [_trim(text, *part) for part in parts]


def _bare_heading(lines: _Lines, index: int):
    """'<item>:' alone on its line, the next line with text opening a party's guideline statement."""
    line = lines.line(index)
    match = BARE_HEADING.match(line)
    if not match or BLOCK_LABELS.search(line) or LEAD_IN.search(line):
        return None
    following = next((lines.line(i) for i in range(index + 1, min(index + 3, len(lines))) if lines.line(i).strip()), "")
    return match if PARTY_LABEL_START.match(following) else None


def _decision_alone(lines: _Lines, index: int, match) -> bool:
    """A capitalised decision word alone on its line, after an unfinished item line."""
    word = match.group("decision")
    return (
        index > 0
        and word[0].isupper()
        and not lines.line(index).rstrip().endswith(".")
        and not SENTENCE_END.search(lines.line(index - 1))
    )


def _partial_heading(text: str, floor: int, item_end: int) -> Optional[Dict]:
    """'<X> was the original request. <Y> was authorized ... The remaining ... portion of the original
    request, <Z> is' (or '... leaving the original request IMR eligible. The original request, <Z> is')."""
    # a partial heading is a few sentences long; a bounded window keeps the lazy pattern linear
    paragraph_start = max(floor, item_end - PARTIAL_WINDOW)
    paragraph = text[paragraph_start:item_end]
    if "original request" not in paragraph.lower():
        return None
    # Both patterns open with "\S.*?" under DOTALL: if they match anywhere they match from the first
    # non-space character, so one anchored attempt replaces a search that retries every position.
    first = len(paragraph) - len(paragraph.lstrip())
    match = None
    for pattern in (PARTIAL, PARTIAL_ELIGIBLE):
        match = match or pattern.match(paragraph, first)
    if not match:
        return None
    # The original request starts after the last sentence that precedes it in the paragraph.
    head = paragraph[:match.start("original") + len(match.group("original"))]
    boundaries = [m.end() for m in re.finditer(r"[.!?:][\"')]?\s+(?=[A-Z0-9])", head[: match.end("original") - 1])]
    original_start = boundaries[-1] if boundaries else match.start("original")
    at = paragraph_start
    item_start, item_stop = _trim(text, at + match.start("item"), at + match.end("item"), " ,:")
    return {
        "start": item_start,
        "end": item_stop,
        "block_start": at + original_start,
        "original_request": _trim(text, at + original_start, at + match.end("original"))
        if original_start < match.end("original") else None,
        "authorized": (at + match.start("authorized"), at + match.end("authorized")),
    }


def _wrapped_heading(lines: _Lines, item_line: int, item_end: int, floor: int) -> Dict:
    """An item heading wraps over at most three lines of one paragraph; earlier text ends a sentence."""
    first = item_line
    while (
        first > 0
        and item_line - first < 2
        and lines.joined(first - 1, first)
        and lines.lines[first - 1][0] >= floor
        and not SENTENCE_END.search(lines.line(first - 1))
        and not LEAD_IN.search(lines.line(first - 1))
        and not BLOCK_LABELS.search(lines.line(first - 1))
    ):
        first -= 1
    start = max(lines.lines[first][0], floor)
    start, end = _trim(lines.text, start, item_end, " \n:")
    return {"start": start, "end": end, "block_start": start}


def _block_parts(text: str, start: int, end: int) -> Dict[str, Optional[Tuple[int, int]]]:
    parts: Dict[str, Optional[Tuple[int, int]]] = {"claims_administrator": None, "reviewer": None, "rationale": None}
    labels = list(AnchoredWindows(BLOCK_LABEL_ANCHOR, text, BLOCK_LABEL_REACH, start, end).finditer(BLOCK_LABELS))
    for index, label in enumerate(labels):
        part = label.lastgroup
        if parts[part] is not None:
            continue
        part_end = labels[index + 1].start() if index + 1 < len(labels) else end
        parts[part] = _trim(text, label.end(), part_end)
    if parts["rationale"] is None and parts["reviewer"] is not None:
        # no "Decision rationale:" label: the reviewer's statement is its first paragraph, the rationale
        # the paragraphs after it
        statement_start, statement_end = parts["reviewer"]
        paragraph_break = text.find("\n\n", statement_start, statement_end)
        if paragraph_break >= 0:
            parts["reviewer"] = _trim(text, statement_start, paragraph_break)
            parts["rationale"] = _trim(text, paragraph_break, statement_end)
    return parts


def review_items(doc: Doc, sections: Dict[str, Tuple[int, int, int]]) -> List[ItemBlock]:
    """Layout C: the issue at dispute, the reviewer's guidelines and a rationale concluding in prose."""
    text = doc_text(doc)
    if "issues" not in sections:
        return []
    _, issue_start, issue_end = sections["issues"]
    rationale = _body(text, sections.get("rationale"))
    guidelines = _body(text, sections.get("reviewer_guidelines"))
    parties = split_guideline_parties(text, *guidelines) if guidelines else {}
    issues = _split_numbered(text, *_trim(text, issue_start, issue_end))
    items = []
    for index, (start, end) in enumerate(issues):
        decision_span = _last_prose_decision(text, rationale) if rationale else None
        items.append(ItemBlock(
            index=index,
            item=_trim(text, start, end, " \n."),
            block=(start, end),
            decision=normalize_decision(text[decision_span[0]:decision_span[1]]) if decision_span else UNKNOWN,
            decision_text=decision_span,
            claims_administrator=parties.get("claims_administrator"),
            reviewer=parties.get("reviewer"),
            rationale=rationale,
            origin="issues",
        ))
    return items


def notice_items(doc: Doc, sections: Dict[str, Tuple[int, int, int]]) -> List[ItemBlock]:
    """Layout 0: numbered 'MAXIMUS ... has determined the request for X is ...' sentences, each
    discussed later in an 'N) Regarding the request for X:' block."""
    text = doc_text(doc)
    if "determinations" not in sections:
        return []
    start, _, end = sections["determinations"]
    rationales = sections.get("rationales")
    blocks = _notice_blocks(text, rationales[0], rationales[2]) if rationales else {}
    items = []
    for index, match in enumerate(NOTICE_ITEM.finditer(text, start, end)):
        block = blocks.get(match.group("number"), {})
        items.append(ItemBlock(
            index=index,
            item=(match.start("item"), match.end("item")),
            block=block.get("block", (match.start(), match.end())),
            decision=normalize_decision_at(text, match.start("decision"), match.end("decision")),
            decision_text=(match.start("decision"), match.end("decision")),
            **{part: block.get(part) for part in ("claims_administrator", "reviewer", "rationale")},
            origin="notice",
        ))
    return items


def _notice_blocks(text: str, start: int, end: int) -> Dict[str, Dict]:
    heads = list(NOTICE_BLOCK.finditer(text, start, end))
    blocks = {}
    for index, head in enumerate(heads):
        block_end = heads[index + 1].start() if index + 1 < len(heads) else end
        parts: Dict[str, Optional[Tuple[int, int]]] = {"block": (head.start(), block_end)}
        labels = list(NOTICE_LABELS.finditer(text, head.end(), block_end))
        for number, label in enumerate(labels):
            part_end = labels[number + 1].start() if number + 1 < len(labels) else block_end
            body = _trim(text, label.end(), part_end)
            if label.lastgroup == "rationale":
                parts["rationale"] = body
            else:
                parts.update(split_guideline_parties(text, *body))
        for number in re.findall(r"\d+", head.group("numbers")):
            blocks[number] = parts
    return blocks


def split_guideline_parties(text: str, start: int, end: int) -> Dict[str, Optional[Tuple[int, int]]]:
    """A prose guideline paragraph: the sentences whose subject is the Claims Administrator, then the reviewer's."""
    sentences = [start] + [m.end() for m in re.finditer(r"[.;]\s+(?=[A-Z])", text[start:end])]
    sentences = [start + offset if offset != start else start for offset in sentences]
    claims_end = start
    for sentence_start in sentences:
        if not re.match(r"The\s+Claims\s+Administrator\b", text[sentence_start:end]):
            break
        following = [s for s in sentences if s > sentence_start]
        claims_end = following[0] if following else end
    claims = _trim(text, start, claims_end) if claims_end > start else None
    reviewer = _trim(text, claims_end, end) if claims_end < end else None
    return {"claims_administrator": claims, "reviewer": reviewer}


def prose_items(doc: Doc, start: int, end: int) -> List[ItemBlock]:
    """Any layout: 'the request for X is (not) medically necessary' sentences, one item per X."""
    text, items, seen = doc_text(doc), [], set()
    for match in PROSE_ITEM.finditer(text, start, end):
        key = " ".join(match.group("item").lower().split())
        if key in seen:
            continue
        seen.add(key)
        items.append(ItemBlock(
            index=len(items),
            item=(match.start("item"), match.end("item")),
            block=(match.start(), match.end()),
            decision=normalize_decision_at(text, match.start("decision"), match.end("decision")),
            decision_text=(match.start("decision"), match.end("decision")),
            origin="prose",
        ))
    return _argued_before(text, items, start)


def _argued_before(text: str, items: List[ItemBlock], start: int) -> List[ItemBlock]:
    """Prose decisions close the sentences that argue them: an item's rationale runs from the end of
    the decision sentence before it (or the section's start) to the end of its own."""
    argued, floor = [], start
    for item in items:
        sentence_end = SENTENCE_STOP.search(text, item.block[1])
        rationale_end = sentence_end.end() if sentence_end else item.block[1]
        argued.append(replace(item, rationale=_trim(text, floor, rationale_end)))
        floor = rationale_end
    return argued


def _body(text: str, section: Optional[Tuple[int, int, int]]) -> Optional[Tuple[int, int]]:
    if not section:
        return None
    span = _trim(text, section[1], section[2])
    return span if span[1] > span[0] else None


def _split_numbered(text: str, start: int, end: int) -> List[Tuple[int, int]]:
    marks = list(NUMBERED.finditer(text, start, end))
    if len(marks) < 2:
        return [(start, end)] if end > start else []
    bounds = [m.end() for m in marks] + [end]
    return [_trim(text, bounds[i], marks[i + 1].start() if i + 1 < len(marks) else end) for i in range(len(marks))]


def _last_prose_decision(text: str, span: Tuple[int, int]) -> Optional[Tuple[int, int]]:
    matches = list(PROSE_DECISION.finditer(text, *span))
    return (matches[-1].start(), matches[-1].end()) if matches else None


def extract_items(doc: Doc, layout: str, sections: List[Tuple[str, int, int, int]]) -> List[ItemBlock]:
    by_name = {}
    for name, start, body_start, end in sections:
        by_name.setdefault(name, (start, body_start, end))
    if layout == "C":
        return review_items(doc, by_name)
    if layout == "0":
        return notice_items(doc, by_name)
    if "decisions" in by_name:
        _, body_start, end = by_name["decisions"]
        return block_items(doc, body_start, end) or prose_items(doc, body_start, end)
    return block_items(doc, 0, len(doc_text(doc))) or prose_items(doc, 0, len(doc_text(doc)))


@registry.scorers("spacy_imr.letter_sections_scorer.v1")
def make_letter_sections_scorer():
    return letter_sections_score


def letter_sections_score(examples: Iterable[Example], **kwargs) -> Dict[str, object]:
    examples = list(examples)
    return {**score_span_group(examples, "sections", **kwargs), **score_span_group(examples, "items", **kwargs)}


@Language.factory(
    "imr_letter_sections",
    assigns=["doc.spans", "doc.ents", "doc._.layout", "doc._.item_blocks", "doc._.imr_warnings"],
    default_config={
        "min_layout_score": 2,
        "annotate_items": True,
        "scorer": {"@scorers": "spacy_imr.letter_sections_scorer.v1"},
    },
    default_score_weights={"spans_sections_f": 0.5, "spans_items_f": 0.5},
)
def make_letter_sections(nlp: Language, name: str, min_layout_score: int, annotate_items: bool,
                         scorer: Optional[Callable]):
    return LetterSections(nlp, name, min_layout_score=min_layout_score, annotate_items=annotate_items, scorer=scorer)


@registry.misc("spacy_imr.section_rules.v1")
def create_section_rules() -> List[Dict]:
    return read_rules("section_rules.jsonl")


class LetterSections:
    """Writes doc.spans['sections'], ['items'], ['decisions'], ['rationales'], ['guideline_statements'],
    doc._.layout and doc._.item_blocks."""

    def __init__(self, nlp: Language, name: str = "imr_letter_sections", *, min_layout_score: int = 2,
                 annotate_items: bool = True, scorer: Optional[Callable] = letter_sections_score):
        self.name = name
        self.min_layout_score = min_layout_score
        # the annotation guide's rule 1: a disputed item is one TREATMENT entity, its decision a DECISION
        self.annotate_items = annotate_items
        self.scorer = scorer
        self.rules: List[Dict] = []

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Example]]] = None, *,
                   nlp: Optional[Language] = None, rules: Optional[List[Dict]] = None) -> None:
        self.set_rules(rules if rules is not None else create_section_rules())

    def set_rules(self, rules: List[Dict]) -> None:
        self.rules = compile_rules(rules)

    def __call__(self, doc: Doc) -> Doc:
        if not self.rules:
            raise ValueError(Errors.E011.format(name=self.name))
        layout, sections, items = letter_structure(doc, self.rules, self.min_layout_score)
        warnings = list(doc._.imr_warnings or [])
        source = doc._.source_name or "<text>"
        if layout == UNKNOWN_LAYOUT:
            warnings.append(Warnings.W001.format(source=source))
            logger.warning(warnings[-1])
        elif not items:
            warnings.append(Warnings.W003.format(source=source))
            logger.warning(warnings[-1])
        doc._.imr_warnings = warnings
        set_structure(doc, layout, sections, items)
        if self.annotate_items:
            doc.ents = item_entities(doc, items, sections)
        return doc

    def score(self, examples: Iterable[Example], **kwargs):
        return self.scorer(examples, **kwargs) if self.scorer else {}

    def to_bytes(self, *, exclude=SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps({"rules": self._plain_rules(), "min_layout_score": self.min_layout_score,
                                    "annotate_items": self.annotate_items})

    def from_bytes(self, data: bytes, *, exclude=SimpleFrozenList()) -> "LetterSections":
        config = srsly.msgpack_loads(data)
        self.min_layout_score, self.annotate_items = config["min_layout_score"], config["annotate_items"]
        self.set_rules(config["rules"])
        return self

    def to_disk(self, path, *, exclude=SimpleFrozenList()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / "section_rules.jsonl", self._plain_rules())
        srsly.write_json(path / "cfg", {"min_layout_score": self.min_layout_score, "annotate_items": self.annotate_items})

    def from_disk(self, path, *, exclude=SimpleFrozenList()) -> "LetterSections":
        path = ensure_path(path)
        config = srsly.read_json(path / "cfg")
        self.min_layout_score, self.annotate_items = config["min_layout_score"], config["annotate_items"]
        self.set_rules(list(srsly.read_jsonl(path / "section_rules.jsonl")))
        return self

    def _plain_rules(self) -> List[Dict]:
        return [{key: value for key, value in rule.items() if key != "regex"} for rule in self.rules]


def compile_rules(rules: Sequence[Dict]) -> List[Dict]:
    check_rules(rules, RULE_KEYS)
    return [dict(rule, regex=re.compile(rule["pattern"], re.I)) for rule in rules]


def letter_structure(doc: Doc, rules: Sequence[Dict], min_layout_score: int):
    """(layout, sections, item blocks) of a letter; leaves the doc as it is."""
    headings = find_headings(doc, rules)
    layout = choose_layout(headings, min_layout_score)
    sections = section_bounds(doc, headings, layout) if layout != UNKNOWN_LAYOUT else []
    return layout, sections, extract_items(doc, layout, sections)


def set_structure(doc: Doc, layout: str, sections, items: Sequence[ItemBlock]) -> None:
    """doc._.layout, doc._.item_blocks and the span groups of sections, items and their parts."""
    doc._.layout = layout
    doc._.item_blocks = list(items)
    doc.spans["sections"] = _spans(doc, ((s, e, name) for name, s, _, e in sections))
    doc.spans["items"] = _spans(doc, (item.item + (item.decision,) for item in items))
    doc.spans["decisions"] = _spans(doc, (item.decision_text + ("DECISION",) for item in items if item.decision_text))
    doc.spans["rationales"] = _spans(doc, (item.rationale + ("RATIONALE",) for item in items if item.rationale))
    doc.spans["guideline_statements"] = _spans(doc, (
        getattr(item, party) + (party,) for item in items
        for party in ("claims_administrator", "reviewer") if getattr(item, party)
    ))


def item_entities(doc: Doc, items: Sequence[ItemBlock], sections: Sequence[Tuple[str, int, int, int]] = ()) -> List[Span]:
    """The entities with each item as one TREATMENT and its decision as a DECISION, replacing what overlaps
    them, and none in a section heading: "RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT
    MEDICALLY NECESSARY:" names no decision (the NER tagged 11 such phrases on train and 5 on dev; no gold
    entity of train or dev lies in a heading)."""
    marked = [doc.char_span(*item.item, label="TREATMENT", alignment_mode="expand", span_id=ITEM_SPAN_ID)
              for item in items]
    marked += [doc.char_span(*item.decision_text, label="DECISION", alignment_mode="expand", span_id=ITEM_SPAN_ID)
               for item in items if item.decision_text]
    marked = [span for span in marked if span is not None]
    marked_tokens = {i for span in marked for i in range(span.start, span.end)}
    headings = [(start, body_start) for _, start, body_start, _ in sections if body_start > start]
    kept = [ent for ent in doc.ents if not any(i in marked_tokens for i in range(ent.start, ent.end))
            and not any(ent.start_char < end and start < ent.end_char for start, end in headings)]
    return sorted(kept + filter_spans(marked), key=lambda span: span.start)


def _spans(doc: Doc, bounds: Iterable[Tuple[int, int, str]]) -> List[Span]:
    """The spans of `bounds`, each once (items discussed in one block share its rationale)."""
    spans = {}
    for start, end, label in bounds:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            spans.setdefault((span.start, span.end, span.label_), span)
    return list(spans.values())
