"""Corpus JSONL -> one DocBin per split (corpus/train.spacy, dev.spacy, test.spacy).

    python scripts/convert_corpus.py corpus corpus ../shared/letters ../shared/seed

Docs are made with the pipeline's letter tokenizer, so the entity offsets (original text) are mapped
onto the normalised text the model reads. Entities go to doc.ents, rationale spans to
doc.spans["rationales"], relations to doc.user_data["gold_relations"] as (head, child) character
spans of the normalised text; the letter's id and source (dwc, seed, written) to doc.user_data["letter_id"]
and ["source"]. Standoff letters whose text is not in the letters directory are
skipped, and the summary says how many.
"""
from pathlib import Path
from typing import Dict, List

import spacy
import srsly
import typer
from spacy.tokens import DocBin

from spacy_imr.corpus import gold_layers, iter_annotations, letter_text, read_manifest
from spacy_imr.loading import TOKENIZER


def convert_corpus(corpus_dir: Path, output_dir: Path, letters_dirs: List[Path]) -> Dict[str, Dict[str, int]]:
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": TOKENIZER}})
    manifest = read_manifest(corpus_dir)
    letters = [d for d in letters_dirs if d.exists()]
    bins = {split: DocBin(store_user_data=True) for split in ("train", "dev", "test")}
    summary: Dict[str, Dict[str, int]] = {split: {"letters": 0, "entities": 0, "skipped": 0} for split in bins}
    for _, _, record in iter_annotations(corpus_dir):
        split = manifest[record["id"]]["split"]
        text = letter_text(record, letters)
        if text is None:
            summary[split]["skipped"] += 1
            continue
        doc = nlp.make_doc(text)
        spans = gold_layers(doc, record)
        doc.user_data["gold_relations"] = [
            {"head": [spans[r["head"]].start_char, spans[r["head"]].end_char],
             "child": [spans[r["child"]].start_char, spans[r["child"]].end_char],
             "label": r["label"], "party": r.get("party")}
            for r in record["relations"] if spans[r["head"]] is not None and spans[r["child"]] is not None]
        doc.user_data["letter_id"] = record["id"]
        doc.user_data["source"] = manifest[record["id"]]["source"]
        bins[split].add(doc)
        summary[split]["letters"] += 1
        summary[split]["entities"] += len(doc.ents)
    output_dir.mkdir(parents=True, exist_ok=True)
    for split, docbin in bins.items():
        docbin.to_disk(output_dir / f"{split}.spacy")
    return summary


def main(corpus_dir: Path, output_dir: Path, letters_dirs: List[Path]):
    summary = convert_corpus(corpus_dir, output_dir, letters_dirs)
    for split, counts in summary.items():
        note = f" ({counts['skipped']} standoff letters skipped: their text is not in {', '.join(map(str, letters_dirs))})" \
            if counts["skipped"] else ""
        typer.echo(f"{split}: {counts['letters']} letters, {counts['entities']} entities{note}")
    srsly.write_json(output_dir / "convert_summary.json", summary)


if __name__ == "__main__":
    typer.run(main)
