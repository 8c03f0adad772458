"""Item decisions on the prose challenge letters: does the record give each disputed item the decision
that a sentence of the letter states, in wording the annotated corpus may not hold?

    python scripts/evaluate_challenge.py corpus/challenge training/imr_letters metrics/challenge.json

corpus/challenge/<group>/ holds letters written for this check (never for training) and a key.json:
{file: [{"item", "sentence", "decision"}]}, the item's name as the deciding sentence or heading writes
it and that sentence, an exact substring of the letter. A key item counts as decided right when the
record has an item at its place or of its name (the same words, its first or last words, or most of
its words, as the record itself matches mentions to items) with the key's decision. The groups:
`development`, the letters whose misses session 21 read and mended; `held_out`, letters written
afterwards by other authors, scored once each time and never read for a miss.
"""
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import spacy
import srsly
import typer

from evaluate_relations import decided_item, folded
from spacy_imr.item_names import closest_item, item_name
from spacy_imr.reading import read_letter

KEY = "key.json"


def key_items(text: str, entries: List[Dict]) -> List[Tuple[Tuple[int, int], str, str]]:
    """(offsets, name, decision) of each key entry: its item inside its deciding sentence."""
    found = []
    for entry in entries:
        sentence = text.index(entry["sentence"])
        start = text.index(entry["item"], sentence)
        found.append(((start, start + len(entry["item"])), entry["item"], entry["decision"]))
    return found


def record_decision(record: Dict, bounds: Tuple[int, int], name: str) -> str:
    """The decision of the record's item at `bounds` or named as `name` (`decided_item`), or else of the
    one item that holds most of the name's words."""
    found = [((item["start"], item["end"]), item["decision"], folded(item["item"])) for item in record["items"]]
    decision = decided_item(found, bounds, name)
    if decision == "unknown":
        decision = closest_item(item_name(name), {item_name(text): d for _, d, text in found}) or "unknown"
    return decision


def evaluate_challenge(challenge_dir: Path, pipeline: Path, output: Path) -> Dict:
    nlp = spacy.load(pipeline)
    results = {}
    for group in sorted(path for path in Path(challenge_dir).iterdir() if (path / KEY).exists()):
        counts, by_layout = Counter(), {}
        for name, entries in sorted(srsly.read_json(group / KEY).items()):
            text = read_letter(str(group / name)).text
            record = nlp(text)._.imr_record
            layout = by_layout.setdefault(record["layout"], Counter())
            counts.update(letters=1, record_items=len(record["items"]))
            for bounds, item, decision in key_items(text, entries):
                right = record_decision(record, bounds, item) == decision
                counts.update(items=1, right=right)
                layout.update(items=1, right=right)
        results[group.name] = {
            "letters": counts["letters"], "items": counts["items"], "record_items": counts["record_items"],
            "decision_accuracy": round(counts["right"] / counts["items"], 4) if counts["items"] else None,
            "by_layout": {name: {"items": c["items"], "decision_accuracy": round(c["right"] / c["items"], 4)}
                          for name, c in sorted(by_layout.items())},
        }
    srsly.write_json(output, results)
    return results


def main(challenge_dir: Path, pipeline: Path, output: Path):
    typer.echo(srsly.json_dumps(evaluate_challenge(challenge_dir, pipeline, output), indent=2))


if __name__ == "__main__":
    typer.run(main)
