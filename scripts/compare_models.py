"""Speed against accuracy for trained NER layers of different sizes, to choose the default.

    python scripts/compare_models.py corpus training/relations.json metrics/model_sizes.json \
        ../shared/letters ../shared/seed --model w96d4=training/ner/model-best --model w64d2=/tmp/w64d2/model-best

Each NER is assembled with the rule components and the relation step (scripts/assemble_pipeline.py)
and measured in this one run: combined entity precision, recall and F1 (exact match) on dev and
test, the NER layer's own F1 on dev from its training, and words per second of the full pipeline
against spaCy's blank English tokenizer over the same test letters (their ratio, as in
scripts/benchmark.py; each the best of three passes). The entries go into `output` beside those of
earlier runs, with the tok2vec settings, training steps and spaCy version of each.
"""
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Dict, List

import spacy
import srsly
import typer

from spacy_imr.corpus import ENTITY_LABELS, iter_split_letters

from evaluate import entities, score


def _words_per_second(process, texts: List[str], repeats: int = 3) -> float:
    """The best of `repeats` passes: other work on the machine only ever slows a pass down."""
    words = sum(len(text.split()) for text in texts)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        deque(process(texts), maxlen=0)
        seconds.append(time.perf_counter() - start)
    return words / min(seconds)


def compare_models(corpus_dir: Path, relations: Path, output: Path, letters_dirs: List[Path], models: Dict[str, Path]) -> Dict:
    splits = {split: list(iter_split_letters(corpus_dir, split, letters_dirs)) for split in ("dev", "test")}
    test_texts = [text for _, text in splits["test"]]
    blank = spacy.blank("en")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, ner_model in models.items():
            pipeline = Path(folder) / name
            subprocess.run([sys.executable, str(Path(__file__).parent / "assemble_pipeline.py"), str(ner_model),
                            str(relations), str(pipeline)], check=True, capture_output=True)
            nlp = spacy.load(pipeline)
            list(nlp.pipe(test_texts[:2]))  # warm up
            tokenizer_wps = _words_per_second(lambda texts: (blank.make_doc(t) for t in texts), test_texts)
            pipeline_wps = _words_per_second(nlp.pipe, test_texts)
            ner_meta = srsly.read_json(Path(ner_model) / "meta.json")
            trained = spacy.util.load_config(Path(ner_model) / "config.cfg", interpolate=True)
            tok2vec = trained["components"]["tok2vec"]["model"]
            tok2vec = tok2vec.get("tok2vec", tok2vec)  # inside the window layer, or spaCy's own
            encode, embed = tok2vec["encode"], tok2vec["embed"]
            results[name] = {
                "tok2vec": {"width": encode["width"], "depth": encode["depth"], "maxout_pieces": encode["maxout_pieces"],
                            "rows": embed["rows"], "attrs": embed["attrs"]},
                "train_steps": trained["training"]["max_steps"],
                "spacy_version": spacy.__version__,
                "ner_hidden_width": trained["components"]["ner"]["model"]["hidden_width"],
                "ner_dev_f": round(ner_meta["performance"]["ents_f"], 4),
                "words_per_second": round(pipeline_wps),
                "tokenizer_words_per_second": round(tokenizer_wps),
                "ratio_vs_tokenizer": round(pipeline_wps / tokenizer_wps, 4),
                **{f"combined_{split}": _entity_scores(nlp, letters) for split, letters in splits.items()},
            }
            typer.echo(f"{name}: {results[name]['ratio_vs_tokenizer']} of the tokenizer, combined test F "
                       f"{results[name]['combined_test']['ents_f']}")
    # earlier sweeps stay in the file beside this one's, each entry with the spaCy it ran on
    earlier = srsly.read_json(output) if output.exists() else {}
    srsly.write_json(output, {**earlier, **results})
    return results


def _entity_scores(nlp, letters) -> Dict[str, float]:
    pairs = [([(s["start"], s["end"], s["label"]) for s in record["spans"] if s["label"] in ENTITY_LABELS],
              entities(doc)) for (record, _), doc in zip(letters, nlp.pipe(text for _, text in letters))]
    scores = score(pairs)
    return {**{key: scores[key] for key in ("ents_p", "ents_r", "ents_f")},
            "ents_per_type_f": {label: value["f"] for label, value in scores["ents_per_type"].items()}}


def main(corpus_dir: Path, relations: Path, output: Path, letters_dirs: List[Path],
         model: List[str] = typer.Option(..., help="NAME=PATH of a trained NER (spacy train output/model-best)")):
    compare_models(corpus_dir, relations, output, letters_dirs, dict(item.split("=", 1) for item in model))


if __name__ == "__main__":
    typer.run(main)
