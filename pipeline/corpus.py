"""The annotated letter corpus: format, manifest, validation and machine pre-annotation.

One letter a line (JSONL), in the shape of Prodigy's span and relation recipes:
    {"id", "text"?, "text_sha256", "spans": [{"start", "end", "label"}],
     "relations": [{"head", "child", "label", "party"?}], "meta": {"layout", "split", "source", ...}}
Offsets are character offsets into the letter's text as `read_letter` gives it. `head` and
`child` index `spans`. Real DWC letters are standoff (no "text"): their text is read from the
letters directory and must hash to `text_sha256`. corpus/manifest.json assigns each letter a split.
"""
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import srsly
from spacy.language import Language
from spacy.util import filter_spans

from .case_fact_gold import iter_case_facts, validate_case_facts
from .errors import LetterInputError
from .reading import read_letter, text_sha256

ENTITY_LABELS = ("DIAGNOSIS", "ANATOMY", "EXAM_FINDING", "GUIDELINE", "TREATMENT", "DECISION")
STRUCTURE_LABELS = ("RATIONALE",)
RELATION_LABELS = ("HAS_DECISION", "HAS_RATIONALE", "CITES", "LOCATED_AT")
PARTIES = ("claims_administrator", "reviewer")
SPLITS = ("train", "dev", "test")
RELATION_ENDS = {
    "HAS_DECISION": ({"TREATMENT"}, {"DECISION"}),
    "HAS_RATIONALE": ({"TREATMENT"}, {"RATIONALE"}),
    "CITES": ({"TREATMENT"}, {"GUIDELINE"}),
    "LOCATED_AT": ({"EXAM_FINDING", "DIAGNOSIS", "TREATMENT"}, {"ANATOMY"}),
}
MANIFEST = "manifest.json"
ANNOTATIONS = "annotations"


def read_manifest(corpus_dir: Path) -> Dict[str, Dict]:
    """id -> {"split", "source"}"""
    return {entry["id"]: entry for entry in srsly.read_json(Path(corpus_dir) / MANIFEST)["letters"]}


def iter_annotations(corpus_dir: Path) -> Iterator[Tuple[Path, int, Dict]]:
    for path in sorted((Path(corpus_dir) / ANNOTATIONS).rglob("*.jsonl")):
        for line_number, record in enumerate(srsly.read_jsonl(path), start=1):
            yield path, line_number, record


def letter_text(record: Dict, letters_dirs: Sequence[Path]) -> Optional[str]:
    """The letter's text: its own, or read from the first letters directory that has it (None when absent)."""
    if record.get("text") is not None:
        return record["text"]
    for letters_dir in letters_dirs:
        for suffix in (".pdf", ".txt"):
            path = Path(letters_dir) / f"{record['id']}{suffix}"
            if path.exists():
                return read_letter(str(path)).text
    return None


def iter_split_letters(corpus_dir: Path, split: str, letters_dirs: Sequence[Path]) -> Iterator[Tuple[Dict, str]]:
    """(record, text) of each annotated letter of the split whose text can be had."""
    manifest = read_manifest(corpus_dir)
    available = [d for d in letters_dirs if Path(d).exists()]
    for _, _, record in iter_annotations(corpus_dir):
        if manifest[record["id"]]["split"] == split:
            text = letter_text(record, available)
            if text is not None:
                yield record, text


def gold_layers(doc, record: Dict) -> List:
    """The record's spans on a doc made by the letter tokenizer (None where a span cannot align);
    sets the gold entities and doc.spans["rationales"]."""
    offsets = doc._.offsets
    spans = []
    for span in record["spans"]:
        start, end = offsets.normalized_span(span["start"], span["end"])
        spans.append(doc.char_span(start, end, label=span["label"], alignment_mode="expand"))
    doc.ents = filter_spans([s for s in spans if s is not None and s.label_ in ENTITY_LABELS])
    doc.spans["rationales"] = [s for s in spans if s is not None and s.label_ == "RATIONALE"]
    return spans


def validate_record(record: Dict, text: Optional[str], manifest: Dict[str, Dict]) -> List[str]:
    """Problems with one annotated letter, each a readable sentence."""
    where = record.get("id", "<no id>")
    problems = []
    for key in ("id", "text_sha256", "spans", "relations", "meta"):
        if key not in record:
            problems.append(f"{where}: missing key '{key}'")
    if problems:
        return problems
    entry = manifest.get(record["id"])
    if entry is None:
        problems.append(f"{where}: not in the manifest")
    elif record["meta"].get("split") != entry["split"]:
        problems.append(f"{where}: split '{record['meta'].get('split')}' but the manifest says '{entry['split']}'")
    if text is not None and text_sha256(text) != record["text_sha256"]:
        problems.append(f"{where}: the letter's text does not hash to text_sha256 (a different extraction?)")
        text = None
    spans = record["spans"]
    for index, span in enumerate(spans):
        label, start, end = span.get("label"), span.get("start"), span.get("end")
        if label not in ENTITY_LABELS + STRUCTURE_LABELS:
            problems.append(f"{where}: span {index} has unknown label {label!r}")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            problems.append(f"{where}: span {index} has bad offsets {start}-{end}")
            continue
        if text is not None:
            if end > len(text):
                problems.append(f"{where}: span {index} ends at {end}, past the text ({len(text)})")
            elif text[start:end] != text[start:end].strip():
                problems.append(f"{where}: span {index} ({label}) {text[start:end]!r} starts or ends with whitespace")
            elif "text" in span and " ".join(span["text"].split()) != " ".join(text[start:end].split()):
                problems.append(f"{where}: span {index} text {span['text']!r} differs from the letter's {text[start:end]!r}")
    entities = sorted((s["start"], s["end"], i) for i, s in enumerate(spans) if s.get("label") in ENTITY_LABELS)
    for (a_start, a_end, a), (b_start, b_end, b) in zip(entities, entities[1:]):
        if b_start < a_end:
            problems.append(f"{where}: entity spans {a} and {b} overlap ({a_start}-{a_end}, {b_start}-{b_end})")
    for index, relation in enumerate(record["relations"]):
        label, head, child = relation.get("label"), relation.get("head"), relation.get("child")
        if label not in RELATION_LABELS:
            problems.append(f"{where}: relation {index} has unknown label {label!r}")
            continue
        if not all(isinstance(end, int) and 0 <= end < len(spans) for end in (head, child)):
            problems.append(f"{where}: relation {index} points outside the spans ({head} -> {child})")
            continue
        heads, children = RELATION_ENDS[label]
        if spans[head]["label"] not in heads or spans[child]["label"] not in children:
            problems.append(f"{where}: relation {index} {label} joins {spans[head]['label']} -> {spans[child]['label']}")
        if label == "CITES" and relation.get("party") not in PARTIES + (None, "rationale"):
            problems.append(f"{where}: relation {index} CITES has unknown party {relation.get('party')!r}")
    return problems


def validate_corpus(corpus_dir: Path, letters_dirs: Sequence[Path]) -> Dict[str, object]:
    """Check every annotated letter, its gold case facts and the manifest; returns counts and the problems found."""
    manifest = read_manifest(corpus_dir)
    problems: List[str] = []
    seen: Counter = Counter()
    texts: Dict[str, Optional[str]] = {}
    digests: Dict[str, str] = {}
    by_hash: Dict[str, str] = {}
    for path, line_number, record in iter_annotations(corpus_dir):
        seen[record.get("id")] += 1
        try:
            text = letter_text(record, letters_dirs)
        except LetterInputError as error:
            problems.append(f"{path}:{line_number}: {error}")
            continue
        digest = record.get("text_sha256")
        texts[record.get("id")], digests[record.get("id")] = text, digest
        problems.extend(f"{path}:{line_number}: {problem}" for problem in validate_record(record, text, manifest))
        split = manifest.get(record.get("id"), {}).get("split")
        if digest in by_hash and by_hash[digest] != split:
            problems.append(f"{path}:{line_number}: the same text is in splits {by_hash[digest]} and {split} (leakage)")
        by_hash.setdefault(digest, split)
    problems.extend(f"{letter}: annotated {count} times" for letter, count in seen.items() if count > 1)
    problems.extend(f"{letter}: in the manifest but not annotated" for letter in manifest if letter not in seen)
    facts_seen: Counter = Counter()
    for path, line_number, record in iter_case_facts(corpus_dir):
        facts_seen[record.get("id")] += 1
        problems.extend(f"{path}:{line_number}: {problem}" for problem in validate_case_facts(
            record, texts.get(record.get("id")), manifest, digests.get(record.get("id"))))
    problems.extend(f"{letter}: case facts given {count} times" for letter, count in facts_seen.items() if count > 1)
    splits = Counter(entry["split"] for entry in manifest.values())
    return {"letters": sum(seen.values()), "splits": dict(splits), "texts_missing": sum(t is None for t in texts.values()),
            "case_facts": sum(facts_seen.values()), "problems": problems}


def pre_annotate(nlp: Language, text: str) -> Dict[str, List[Dict]]:
    """Machine annotations by the conventions of docs/annotation.md, to be corrected by a person:
    entities (the disputed item as one TREATMENT span), rationale spans, and relations from the
    item blocks and the finding sites."""
    doc = nlp(text)
    offsets = doc._.offsets
    item_bounds = [offsets.original_span(*block.item) for block in doc._.item_blocks or []]
    spans: List[Dict] = []
    for ent in doc.ents:
        start, end = offsets.original_span(ent.start_char, ent.end_char)
        if not any(s < end and start < e for s, e in item_bounds):
            spans.append({"start": start, "end": end, "label": ent.label_})
    relations: List[Dict] = []
    for block, (item_start, item_end) in zip(doc._.item_blocks or [], item_bounds):
        item = _add(spans, item_start, item_end, "TREATMENT")
        if block.decision_text:
            decision = _add(spans, *offsets.original_span(*block.decision_text), "DECISION")
            relations.append({"head": item, "child": decision, "label": "HAS_DECISION"})
        if block.rationale:
            rationale = _add(spans, *offsets.original_span(*block.rationale), "RATIONALE")
            relations.append({"head": item, "child": rationale, "label": "HAS_RATIONALE"})
        for party in PARTIES:
            bounds = getattr(block, party)
            if bounds:
                start, end = offsets.original_span(*bounds)
                relations.extend({"head": item, "child": index, "label": "CITES", "party": party}
                                 for index, span in enumerate(spans)
                                 if span["label"] == "GUIDELINE" and start <= span["start"] < end)
    for finding in doc.spans.get("findings", []):
        if finding.label_ != "tenderness":
            continue
        site_start, site_end = offsets.original_span(finding.start_char, finding.end_char)
        sign = max((i for i, s in enumerate(spans) if s["label"] == "EXAM_FINDING" and s["end"] <= site_start),
                   key=lambda i: spans[i]["end"], default=None)
        for index, span in enumerate(spans):
            if span["label"] == "ANATOMY" and site_start <= span["start"] < site_end and sign is not None:
                relations.append({"head": sign, "child": index, "label": "LOCATED_AT"})
    order = sorted(range(len(spans)), key=lambda i: (spans[i]["start"], spans[i]["end"]))
    position = {old: new for new, old in enumerate(order)}
    return {
        "spans": [spans[i] for i in order],
        "relations": [dict(r, head=position[r["head"]], child=position[r["child"]]) for r in relations],
        "layout": doc._.layout,
    }


def _add(spans: List[Dict], start: int, end: int, label: str) -> int:
    """Index of the span, added unless the ruler already found it."""
    for index, span in enumerate(spans):
        if (span["start"], span["end"], span["label"]) == (start, end, label):
            return index
    spans.append({"start": start, "end": end, "label": label})
    return len(spans) - 1
