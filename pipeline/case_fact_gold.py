"""Gold case facts of annotated letters: format, validation and scoring of records against them.

corpus/case_facts/*.jsonl, one letter a line, standoff like the span annotations:
    {"id", "text_sha256", "facts": {FIELD: null | {"start", "end", "value"?}}}
with every field of CASE_FACT_FIELDS present (null: the letter does not state it). Offsets mark
the value as the letter writes it; dates, age and sex carry their normalized "value" (ISO date,
integer, "male"/"female"), while the reviewer's credentials and the case number are read from the
letter's text at the offsets, so no text of a real letter is stored here.
"""
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

import srsly

from .case_facts import licensed_states
from .dates import parse_date

CASE_FACTS = "case_facts"
CASE_FACT_FIELDS = (
    "case_number", "dates.assigned", "dates.injury", "dates.decision", "dates.ur_denial", "dates.application",
    "patient.age", "patient.sex", "reviewer.specialty", "reviewer.subspecialty", "reviewer.licensed_in",
)
NORMALIZED_FIELDS = {"dates.assigned", "dates.injury", "dates.decision", "dates.ur_denial", "dates.application",
                     "patient.age", "patient.sex"}
SEXES = ("male", "female")

def iter_case_facts(corpus_dir: Path) -> Iterator[Tuple[Path, int, Dict]]:
    for path in sorted((Path(corpus_dir) / CASE_FACTS).glob("*.jsonl")):
        for line_number, record in enumerate(srsly.read_jsonl(path), start=1):
            yield path, line_number, record


def gold_case_facts(record: Dict, text: str) -> Dict[str, object]:
    """FIELD -> the gold value, comparable with `record_case_facts` (None where the letter states none)."""
    values: Dict[str, object] = {}
    for field in CASE_FACT_FIELDS:
        fact = record["facts"][field]
        if fact is None:
            values[field] = None
        elif field in NORMALIZED_FIELDS:
            values[field] = fact["value"]
        else:
            values[field] = _comparable(field, text[fact["start"]:fact["end"]])
    return values


def record_case_facts(record: Dict) -> Dict[str, object]:
    """FIELD -> the value a letter record states, in the gold's terms."""
    values: Dict[str, object] = {}
    for field in CASE_FACT_FIELDS:
        group, _, name = field.rpartition(".")
        value = (record.get(group) or {}).get(name) if group else record.get(name)
        values[field] = value if value is None or field in NORMALIZED_FIELDS else _comparable(field, value)
    return values


def _comparable(field: str, text: str) -> object:
    """Whitespace and case do not count; licensure is the set of US states it names, however punctuated."""
    if field == "reviewer.licensed_in":
        return sorted(state.lower() for state in licensed_states(text))
    return " ".join(text.split()).lower()


def validate_case_facts(record: Dict, text: Optional[str], manifest: Dict[str, Dict], digest: Optional[str]) -> List[str]:
    """Problems with one letter's gold case facts; `digest` is the text_sha256 of its span annotation."""
    where = f"{record.get('id', '<no id>')} (case facts)"
    if record.get("id") not in manifest:
        return [f"{where}: not in the manifest"]
    if record.get("text_sha256") != digest:
        return [f"{where}: text_sha256 differs from the letter's annotation"]
    facts = record.get("facts") or {}
    problems = [f"{where}: unknown field {field!r}" for field in facts if field not in CASE_FACT_FIELDS]
    problems += [f"{where}: missing field {field!r} (null when the letter does not state it)"
                 for field in CASE_FACT_FIELDS if field not in facts]
    for field, fact in facts.items():
        if fact is None or field not in CASE_FACT_FIELDS:
            continue
        start, end = fact.get("start"), fact.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            problems.append(f"{where}: {field} has bad offsets {start}-{end}")
        elif text is not None:
            problems.extend(f"{where}: {field} {problem}" for problem in _value_problems(field, fact, text[start:end], len(text)))
    return problems


def _value_problems(field: str, fact: Dict, written: str, length: int) -> List[str]:
    if fact["end"] > length:
        return [f"ends at {fact['end']}, past the text ({length})"]
    if written != written.strip() or not written:
        return [f"{written!r} starts or ends with whitespace"]
    value = fact.get("value")
    if field.startswith("dates.") and parse_date(written) != value:
        return [f"value {value!r} is not the date written there ({written!r})"]
    if field == "patient.age" and (not isinstance(value, int) or str(value) != written):
        return [f"value {value!r} is not the age written there ({written!r})"]
    if field == "patient.sex" and value not in SEXES:
        return [f"value {value!r} is not one of {SEXES}"]
    return []


def score_case_facts(pairs: Iterable[Tuple[Dict[str, object], Dict[str, object]]]) -> Dict[str, object]:
    """Per field over (gold, predicted) letters: accuracy (both None counts as right), and the letters
    where the gold states the fact and the record gives another value (wrong) or none (missed), or
    where the record states a fact the letter does not (extra)."""
    counts = {field: {"letters": 0, "right": 0, "stated": 0, "wrong": 0, "missed": 0, "extra": 0} for field in CASE_FACT_FIELDS}
    for gold, predicted in pairs:
        for field, count in counts.items():
            expected, found = gold[field], predicted[field]
            count["letters"] += 1
            count["right"] += expected == found
            count["stated"] += expected is not None
            count["wrong"] += expected is not None and found is not None and found != expected
            count["missed"] += expected is not None and found is None
            count["extra"] += expected is None and found is not None
    right, total = sum(c["right"] for c in counts.values()), sum(c["letters"] for c in counts.values())
    return {
        "letters": counts[CASE_FACT_FIELDS[0]]["letters"],
        "accuracy": round(right / total, 4) if total else None,
        "fields": {field: {"accuracy": round(c["right"] / c["letters"], 4) if c["letters"] else None,
                           **{key: c[key] for key in ("stated", "wrong", "missed", "extra")}}
                   for field, c in counts.items()},
    }
