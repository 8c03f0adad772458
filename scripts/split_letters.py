"""Assign every corpus letter to train/dev/test and write corpus/manifest.json.

    python scripts/split_letters.py ../shared/letters corpus/annotations/written corpus/manifest.json

Deterministic: letters are ordered by the SHA-256 of their id. The DWC letters are split per
year (CM16 / CM17) in proportion, 30 to test and 20 to dev; the seed letter goes to test; a letter
written for the corpus goes to the split its record names (`meta.split`), so that adding letters
never moves one already assigned. Splits are by letter, so no text is in two.
"""
import hashlib
from pathlib import Path
from typing import Dict, List

import srsly
import typer

DWC_TEST, DWC_DEV = 30, 20
SEED_IDS = ["000_7744adefd301bd24"]


def _ordered(ids: List[str]) -> List[str]:
    return sorted(ids, key=lambda letter: hashlib.sha256(letter.encode("utf8")).hexdigest())


def split_letters(letters_dir: Path, written_dir: Path, manifest_path: Path) -> Dict[str, int]:
    dwc = sorted(path.stem for path in Path(letters_dir).glob("*.pdf"))
    written = {record["id"]: record["meta"]["split"] for path in sorted(Path(written_dir).glob("*.jsonl"))
               for record in srsly.read_jsonl(path)} if Path(written_dir).exists() else {}
    entries = []
    by_year: Dict[str, List[str]] = {}
    for letter in dwc:
        by_year.setdefault(letter[:4], []).append(letter)
    remaining_test, remaining_dev = DWC_TEST, DWC_DEV
    for year, letters in sorted(by_year.items()):
        test = round(DWC_TEST * len(letters) / len(dwc)) if year != max(by_year) else remaining_test
        dev = round(DWC_DEV * len(letters) / len(dwc)) if year != max(by_year) else remaining_dev
        remaining_test, remaining_dev = remaining_test - test, remaining_dev - dev
        for rank, letter in enumerate(_ordered(letters)):
            split = "test" if rank < test else "dev" if rank < test + dev else "train"
            entries.append({"id": letter, "source": "dwc", "split": split})
    entries.extend({"id": letter, "source": "seed", "split": "test"} for letter in SEED_IDS)
    entries.extend({"id": letter, "source": "written", "split": split} for letter, split in written.items())
    srsly.write_json(manifest_path, {"letters": sorted(entries, key=lambda e: e["id"])})
    counts: Dict[str, int] = {}
    for entry in entries:
        counts[f"{entry['source']}:{entry['split']}"] = counts.get(f"{entry['source']}:{entry['split']}", 0) + 1
    return counts


def main(letters_dir: Path, written_dir: Path, manifest: Path):
    typer.echo(split_letters(letters_dir, written_dir, manifest))


if __name__ == "__main__":
    typer.run(main)
