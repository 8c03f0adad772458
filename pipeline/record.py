"""The letter record: one JSON-able dict per letter, as documented in schema/letter_record.schema.json.

Every offset refers to the text the letter was read as (doc._.source_text), or, for a letter cut from a
file that holds several (doc._.letter_part), to the whole file's text; text values are the normalised
span text (line breaks and space runs folded to one space).
"""
import re
from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

from spacy.tokens import Doc, Span

from .about import SCHEMA_VERSION
from .case_facts import licensed_states
from .decisions import OVERTURNED, PARTIAL, UNKNOWN, UPHELD, normalize_decision_at
from .item_names import closest_item, item_name, named_item
from .reading import text_sha256
from .text_alignment import doc_text
from .values import ItemBlock

PARTIES = ("claims_administrator", "reviewer")
SENTENCE_STOP = re.compile(r"\.(?=\s+[A-Z])")
LIST_ENTRY = re.compile(r"(?<![\w.])\d{1,2}\.\s+(?=[A-Za-z])")
# "without myelopathy", "rule out fracture": not a diagnosis of the patient
NEGATED = re.compile(r"\b(?:without|no|negative\s+for|rule\s+out|r/o|ruled\s+out)\s+$", re.I)
DIAGNOSIS_CUE = re.compile(
    r"\bdiagnos(?:es|is|ed)\b|\btreat(?:ed|ment|ing)\s+(?:for|of)\b|\bassessment\b|\bimpressions?\b", re.I)
FINDING_GROUPS = {
    "tenderness": "tenderness_sites",
    "exam_test": "tests",
    "range_of_motion": "range_of_motion",
    "motor": "motor",
    "sensation": "sensation",
    "reflex": "reflexes",
    "pain_score": "pain_scores",
}


class _Offsets:
    def __init__(self, doc: Doc):
        self.doc = doc
        self.map = doc._.offsets
        self.text = doc_text(doc)
        # a letter cut from a file that holds several: its offsets count from the file's start
        self.base = doc._.letter_part["start"] if doc._.letter_part else 0

    def span(self, start: int, end: int) -> Dict[str, Any]:
        source_start, source_end = self.map.original_span(start, end) if self.map else (start, end)
        return {"text": self.text[start:end], "start": source_start + self.base, "end": source_end + self.base}

    def optional(self, bounds: Optional[Tuple[int, int]]) -> Optional[Dict[str, Any]]:
        return self.span(*bounds) if bounds else None


def build_record(doc: Doc) -> Dict[str, Any]:
    offsets = _Offsets(doc)
    facts = doc._.case_facts
    source_text = doc._.source_text if doc._.source_text is not None else offsets.text
    citations = list(doc.spans.get("citations", []))
    relations = list(doc._.relations or [])
    blocks = doc._.item_blocks or []
    decided, unmatched = _relations_by_item(offsets, blocks, relations, "HAS_DECISION")
    # without a relation step (doc._.relations is None) a shared statement's citations go to every item
    cited = _relations_by_item(offsets, blocks, relations, "CITES")[0] if doc._.relations is not None else None
    statements = list(doc.spans.get("guideline_statements", []))
    shared = Counter((party, getattr(block, party)) for block in blocks for party in PARTIES if getattr(block, party))
    items = [_item(doc, offsets, block, citations, statements, decided.get(index, []), len(blocks),
                   None if cited is None else cited.get(index, []), shared)
             for index, block in enumerate(blocks)]
    if all(block.origin == "prose" for block in blocks):
        # no item structure, or only the items of "the request for X is ..." sentences: the items are also
        # those the relation step decides in other words ("the IRO upheld the denial of the requested X")
        items += [_relation_item(offsets, head, linked, relations, citations)
                  for head, linked in _named_alone(offsets, unmatched).items()]
    items.sort(key=lambda item: item["start"])
    return {
        "schema_version": SCHEMA_VERSION,
        "source": doc._.source_name,
        "sha256": text_sha256(source_text),
        "layout": doc._.layout,
        "case_number": facts.case_number if facts else None,
        "sections": [{"name": span.label_, **_located(offsets, span)} for span in doc.spans.get("sections", [])],
        "patient": {"age": facts.age if facts else None, "sex": facts.sex if facts else None},
        "dates": _dates(facts),
        "reviewer": {
            "specialty": facts.specialty if facts else None,
            "subspecialty": facts.subspecialty if facts else None,
            "licensed_in": facts.licensed_in if facts else None,
            "licensed_states": licensed_states(facts.licensed_in if facts else None),
        },
        "diagnoses": _diagnoses(doc, offsets),
        "exam_findings": _exam_findings(doc, offsets, relations),
        "guidelines": [_citation(offsets, span) for span in citations],
        "items": items,
        "outcome": letter_outcome(items),
        "relations": [
            {"label": r.label, "head": offsets.span(*r.head), "child": offsets.span(*r.child),
             "probability": r.probability, "party": r.party}
            for r in relations
        ],
        "entities": [
            {"label": ent.label_, **offsets.span(ent.start_char, ent.end_char), "source": "ruler" if ent.ent_id_ else "ner"}
            for ent in doc.ents
        ],
        "warnings": list(doc._.imr_warnings or []),
        **({"letter": dict(doc._.letter_part)} if doc._.letter_part else {}),
    }


def shift_offsets(value: Any, by: int) -> Any:
    """A record (or any part of one) with every `start`/`end` pair moved by `by` characters: a letter of
    a file that holds several, measured from its own start instead of the file's (`by` negative)."""
    if isinstance(value, dict):
        moved = {key: shift_offsets(item, by) for key, item in value.items()}
        if isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
            moved["start"], moved["end"] = value["start"] + by, value["end"] + by
        return moved
    if isinstance(value, list):
        return [shift_offsets(item, by) for item in value]
    return value


def letter_outcome(items: List[Dict[str, Any]]) -> str:
    """The case outcome as DWC's search tool states it."""
    decisions = {item["decision"] for item in items}
    if not decisions or decisions == {"unknown"}:
        return "unknown"
    if decisions == {UPHELD}:
        return "upheld"
    if decisions == {OVERTURNED}:
        return "overturned"
    if decisions & {OVERTURNED, PARTIAL}:
        return "partially_overturned"
    return "upheld"


def _located(offsets: _Offsets, span: Span) -> Dict[str, int]:
    located = offsets.span(span.start_char, span.end_char)
    return {"start": located["start"], "end": located["end"]}


def _dates(facts) -> Dict[str, Any]:
    names = ("injury", "ur_denial", "application", "assigned", "decision")
    dates: Dict[str, Any] = {name: (facts.dates.get(name) if facts else None) for name in names}
    dates["reports"] = list(facts.report_dates) if facts else []
    dates["records_range"] = facts.records_range if facts else None
    return dates


def _diagnoses(doc: Doc, offsets: _Offsets) -> List[Dict[str, Any]]:
    """The patient's diagnoses: DIAGNOSIS entities of the sentences that state diagnoses ("the
    diagnoses are", "diagnosed with", "treated for"), else of the whole clinical summary; first
    mention of each."""
    region = next(((s.start_char, s.end_char) for s in doc.spans.get("sections", []) if s.label_ == "clinical_summary"),
                  (0, len(doc_text(doc))))
    text = offsets.text
    statements = [(m.start(), _sentence_end(text, m.end(), region[1])) for m in DIAGNOSIS_CUE.finditer(text, *region)]
    candidates = [ent for ent in doc.ents if ent.label_ == "DIAGNOSIS" and region[0] <= ent.start_char < region[1]
                  and not NEGATED.search(text[max(0, ent.start_char - 24):ent.start_char])]
    if statements:
        statements = [(start, _list_end(text, start, end, candidates)) for start, end in statements]
        candidates = [ent for ent in candidates if any(s <= ent.start_char < e for s, e in statements)]
    seen, diagnoses = set(), []
    for ent in candidates:
        if ent.text.lower() not in seen:
            seen.add(ent.text.lower())
            diagnoses.append(offsets.span(ent.start_char, ent.end_char))
    return diagnoses


def _list_end(text: str, start: int, end: int, diagnoses: List[Span]) -> int:
    """Where a statement that is a numbered list ("1. X 2. Y 3. Z") ends: after the first diagnosis of
    its last entry, since a PDF dump often loses the full stop there and the next sentence's conditions
    would read as part of entry Z."""
    entries = list(LIST_ENTRY.finditer(text, start, end))
    if len(entries) < 2:
        return end
    last = next((ent for ent in diagnoses if ent.start_char >= entries[-1].end()), None)
    return min(end, last.end_char) if last is not None else end


def _sentence_end(text: str, start: int, limit: int) -> int:
    """End of the sentence; a numbered list ("1. X 2. Y") does not end it."""
    for match in SENTENCE_STOP.finditer(text, start, limit):
        if not text[match.start() - 1].isdigit():
            return match.end()
    return limit


def _exam_findings(doc: Doc, offsets: _Offsets, relations) -> Dict[str, Any]:
    """The parsed findings; a finding whose parser found no site takes the site the relation step
    links its EXAM_FINDING to (LOCATED_AT, the most probable)."""
    findings: Dict[str, Any] = {group: [] for group in FINDING_GROUPS.values()}
    findings["grip_strength"] = None
    sites = sorted(((r.head, r.probability, r.child) for r in relations if r.label == "LOCATED_AT"),
                   key=lambda site: site[0])
    for span in doc.spans.get("findings", []):
        value = span._.finding
        located = _located(offsets, span)
        if value.kind == "grip_strength":
            findings["grip_strength"] = findings["grip_strength"] or {**value.to_dict(), **located}
            continue
        entry = {**value.to_dict(), **located}
        if "site" in entry and not entry["site"]:
            linked = [(probability, child) for head, probability, child in sites
                      if head[0] < span.end_char and span.start_char < head[1]]
            if linked:
                child = max(linked)[1]
                entry["site"] = " ".join(offsets.text[child[0]:child[1]].lower().split())
        findings[FINDING_GROUPS[value.kind]].append(entry)
    return findings


def _citation(offsets: _Offsets, span: Span) -> Dict[str, Any]:
    return {**offsets.span(span.start_char, span.end_char), **span._.citation.to_dict()}


def _relations_by_item(offsets: _Offsets, blocks: List[ItemBlock], relations, label: str):
    """The `label` relations of each item block (by index): those whose head is the item's heading
    or a mention that names it; and those of heads that name no item, grouped by the head's name
    (under the first head of that name the relations give)."""
    names = {item_name(offsets.text[b.item[0]:b.item[1]]): index for index, b in enumerate(blocks)}
    by_item: Dict[int, list] = {}
    unmatched: Dict[Tuple[int, int], list] = {}
    first_mention: Dict[str, Tuple[int, int]] = {}
    for relation in relations:
        if relation.label != label:
            continue
        head = relation.head
        index = next((i for i, b in enumerate(blocks) if head[0] < b.item[1] and b.item[0] < head[1]), None)
        name = item_name(offsets.text[head[0]:head[1]])
        if index is None:
            index = named_item(name, names)
        if index is None and label == "HAS_DECISION":
            index = closest_item(name, names)
        if index is not None:
            by_item.setdefault(index, []).append(relation)
        else:
            unmatched.setdefault(first_mention.setdefault(name, head), []).append(relation)
    return by_item, unmatched


def _named_alone(offsets: "_Offsets", unmatched: Dict[Tuple[int, int], list]) -> Dict[Tuple[int, int], list]:
    """The decided mentions that no other decided mention names more fully: "meniscectomy" is the right
    knee arthroscopy with partial medial meniscectomy decided a sentence before, not an item of its own."""
    names = {item_name(offsets.text[start:end]): (start, end) for start, end in unmatched}
    kept = {}
    for head, linked in unmatched.items():
        name = item_name(offsets.text[head[0]:head[1]])
        others = {other: bounds for other, bounds in names.items() if other != name}
        if named_item(name, others) is None:
            kept[head] = linked
    return kept


def _linked_decision(offsets: "_Offsets", linked) -> Optional[Tuple[str, Tuple[int, int]]]:
    """The decision the relation step links most confidently to the item, or to a mention of it by name."""
    if not linked:
        return None
    best = max(linked, key=lambda r: r.probability)
    return normalize_decision_at(offsets.text, *best.child), best.child


def _relation_item(offsets: _Offsets, head: Tuple[int, int], linked, relations, citations: List[Span]) -> Dict[str, Any]:
    """An item the structure did not find, from the relation step: its decision, the guidelines each
    party is linked as citing, and its rationale."""
    decision, decision_text = _linked_decision(offsets, linked) or (UNKNOWN, None)
    own = [r for r in relations if r.head == head]
    rationale = max((r for r in own if r.label == "HAS_RATIONALE"), key=lambda r: r.probability, default=None)
    guidelines = {}
    for party in PARTIES:
        cited = [r.child for r in own if r.label == "CITES" and r.party == party]
        guidelines[party] = {
            "mtus_based": None, "cited_evidence": None, "statement": None,
            "citations": [_citation(offsets, c) for c in citations
                          if any(c.start_char < end and start < c.end_char for start, end in cited)],
        }
    return _item_record(offsets, head, decision, decision_text, guidelines, rationale.child if rationale else None,
                        citations, partial=None)


def _item_record(offsets: _Offsets, item_bounds: Tuple[int, int], decision: str, decision_text, guidelines: Dict,
                 rationale_bounds: Optional[Tuple[int, int]], citations: List[Span], partial) -> Dict[str, Any]:
    item = offsets.span(*item_bounds)
    return {
        "item": item["text"],
        "start": item["start"],
        "end": item["end"],
        "decision": decision,
        "decision_text": offsets.optional(decision_text),
        "guidelines": guidelines,
        "rationale": offsets.optional(rationale_bounds),
        "rationale_citations": [_citation(offsets, c) for c in citations
                                if rationale_bounds and rationale_bounds[0] <= c.start_char < rationale_bounds[1]],
        "partial": partial,
    }


def _item(doc: Doc, offsets: _Offsets, block: ItemBlock, citations: List[Span], statements: List[Span], decided,
          n_items: int, cited: Optional[list], shared: Counter) -> Dict[str, Any]:
    decision, decision_text = block.decision, block.decision_text
    # a decision read from structure stands; prose that decides several items at once is the relation step's
    if decision == "unknown" or (doc._.layout == "C" and n_items > 1):
        linked = _linked_decision(offsets, decided)
        if linked:
            decision, decision_text = linked
    guidelines = {}
    for party in PARTIES:
        bounds = getattr(block, party)
        span = next((s for s in statements if bounds and s.label_ == party and s.start_char <= bounds[0] < s.end_char), None)
        basis = span._.guideline_basis if span is not None else None
        in_statement = [c for c in citations if span is not None and span.start_char <= c.start_char < span.end_char]
        if cited is not None and shared[(party, bounds)] > 1:
            # one statement speaks for several items ("on the Chronic Pain Medical Treatment Guidelines,
            # pages 56-57, for Lidoderm, and on the ODG, Shoulder Chapter, for the injection"): the item's
            # citations are those the relation step links to it
            children = [r.child for r in cited if r.party == party]
            in_statement = [c for c in in_statement if any(c.start_char < end and start < c.end_char for start, end in children)]
        guidelines[party] = {
            "mtus_based": basis.mtus_based if basis else None,
            "cited_evidence": basis.cited_evidence if basis else None,
            "statement": offsets.span(span.start_char, span.end_char) if span is not None else None,
            "citations": [_citation(offsets, c) for c in in_statement],
        }
    partial = None
    if block.original_request or block.authorized:
        partial = {"original_request": offsets.optional(block.original_request),
                   "authorized": offsets.optional(block.authorized)}
    return _item_record(offsets, block.item, decision, decision_text, guidelines, block.rationale, citations, partial)
