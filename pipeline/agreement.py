"""Inter-annotator agreement: a second, independent annotation of corpus letters against the gold.

Agreement is F1 between the two annotators' spans per label (symmetric: either may be the reference),
matched exactly (same bounds and label) or by overlap (same label, overlapping bounds, one to one), and
the same for relations, whose ends match exactly or by overlap. It is the ceiling a model trained on
one annotator's conventions can be expected to reach against the other's.
"""
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

from .corpus import ENTITY_LABELS, iter_annotations, letter_text, text_sha256
from .errors import Errors

AGREEMENT_RELATIONS = ("HAS_DECISION", "CITES", "LOCATED_AT")
Bounds = Tuple[int, int]


def _overlap(a: Bounds, b: Bounds) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _matched(first: Sequence[Tuple], second: Sequence[Tuple], same) -> int:
    """Pairs of `first` and `second` items that `same` matches, each item used once (in order)."""
    used, count = set(), 0
    for item in first:
        index = next((i for i, other in enumerate(second) if i not in used and same(item, other)), None)
        if index is not None:
            used.add(index)
            count += 1
    return count


def _f(matched: int, first: int, second: int) -> float:
    return round(2 * matched / (first + second), 4) if first + second else 1.0


def _entities(record: Dict, label: str) -> List[Bounds]:
    return sorted((s["start"], s["end"]) for s in record["spans"] if s["label"] == label)


def _relations(record: Dict, label: str) -> List[Tuple[Bounds, Bounds]]:
    spans = record["spans"]
    return sorted(((spans[r["head"]]["start"], spans[r["head"]]["end"]), (spans[r["child"]]["start"], spans[r["child"]]["end"]))
                  for r in record["relations"] if r["label"] == label)


def agreement(pairs: Iterable[Tuple[Dict, Dict]]) -> Dict[str, object]:
    """Agreement of (gold, second) record pairs of the same letters: per entity label and relation label,
    both annotators' counts and F1 with exact and overlap matching, and micro F1 over the entities."""
    counts: Counter = Counter()
    letters = 0
    for gold, second in pairs:
        letters += 1
        for label in ENTITY_LABELS:
            ours, theirs = _entities(gold, label), _entities(second, label)
            counts[label, "gold"] += len(ours)
            counts[label, "second"] += len(theirs)
            counts[label, "exact"] += len(set(ours) & set(theirs))
            counts[label, "overlap"] += _matched(ours, theirs, _overlap)
        for label in AGREEMENT_RELATIONS:
            ours, theirs = _relations(gold, label), _relations(second, label)
            counts[label, "gold"] += len(ours)
            counts[label, "second"] += len(theirs)
            counts[label, "exact"] += len(set(ours) & set(theirs))
            counts[label, "overlap"] += _matched(ours, theirs, lambda a, b: _overlap(a[0], b[0]) and _overlap(a[1], b[1]))

    def scores(labels: Sequence[str]) -> Dict[str, Dict[str, float]]:
        return {label: {"gold": counts[label, "gold"], "second": counts[label, "second"],
                        "exact_f": _f(counts[label, "exact"], counts[label, "gold"], counts[label, "second"]),
                        "overlap_f": _f(counts[label, "overlap"], counts[label, "gold"], counts[label, "second"])}
                for label in labels}

    total = {kind: sum(counts[label, kind] for label in ENTITY_LABELS) for kind in ("gold", "second", "exact", "overlap")}
    return {"letters": letters, "entities": scores(ENTITY_LABELS), "relations": scores(AGREEMENT_RELATIONS),
            "entities_micro": {"exact_f": _f(total["exact"], total["gold"], total["second"]),
                               "overlap_f": _f(total["overlap"], total["gold"], total["second"])}}


def paired_records(corpus_dir: Path, second: Iterable[Dict], letters_dirs: Sequence[Path]) -> List[Tuple[Dict, Dict]]:
    """The corpus's gold record for each record of the second annotation, by id; the letter's text must
    hash to both records' `text_sha256`, so that their offsets refer to the same text."""
    gold = {record["id"]: record for _, _, record in iter_annotations(corpus_dir)}
    pairs = []
    for record in second:
        if record["id"] not in gold:
            raise ValueError(Errors.E017.format(id=record["id"]))
        text = letter_text(gold[record["id"]], letters_dirs)
        if text is None or not text_sha256(text) == gold[record["id"]]["text_sha256"] == record["text_sha256"]:
            raise ValueError(Errors.E018.format(id=record["id"]))
        pairs.append((gold[record["id"]], record))
    return pairs
