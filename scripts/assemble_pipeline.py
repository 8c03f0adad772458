"""The full pipeline: the rule components around the trained NER and relation step, saved for `spacy package`.

    python scripts/assemble_pipeline.py training/ner training/relations.json training/imr_letters

`ner_runs` is the output of scripts/train_ner.py (one `seed<k>/model-best` per seed) or a single
`spacy train` model directory. Several NERs are merged into one spaCy `ner` whose model scores every
move with the mean of their scores (spacy_imr.ner_ensemble); each keeps its own copy of its embedding.
The NER comes before imr_entity_modifiers, which adds the ruler's matches only where the NER found
nothing (the "ner_first" order, measured better on dev than letting the ruler's entities stand; see
scripts/evaluate.py). The ruler itself stays first: it runs its phrase patterns through the
components before it when it loads, and it writes only to a span group the NER's embedding reads.
"""
from pathlib import Path
from typing import List

import spacy
import srsly
import typer

import spacy_imr
from spacy_imr.ner_ensemble import merge_ners, merged_model_config

# The labels whose ruler matches fill the NER's gaps. Measured on dev with the trained pipeline:
# without the ruler's guideline mentions, GUIDELINE F1 0.799 -> 0.864 and micro F1 0.781 -> 0.788
# (the ruler finds "MTUS" in "Non-MTUS Citation", which is no guideline); leaving out any other
# label lowered micro F1, or for DECISION moved it by less than a thousandth.
NER_GAP_LABELS = ["DIAGNOSIS", "ANATOMY", "EXAM_FINDING", "TREATMENT", "DECISION"]


def trained_ners(ner_runs: Path) -> List[Path]:
    """The model directories under `ner_runs`, in seed order, or `ner_runs` itself if it is one."""
    if (ner_runs / "config.cfg").exists():
        return [ner_runs]
    models = sorted((run / "model-best" for run in ner_runs.glob("seed*") if (run / "model-best").is_dir()),
                    key=lambda model: int(model.parent.name[len("seed"):]))
    if not models:
        raise FileNotFoundError(f"{ner_runs}: no trained NER (config.cfg, or seed<k>/model-best from scripts/train_ner.py)")
    return models


def assemble_pipeline(ner_runs: Path, relations: Path, output: Path) -> List[Path]:
    """Save the assembled pipeline to `output`; return the NER models it holds."""
    models = trained_ners(ner_runs)
    trained = [spacy.load(model) for model in models]
    for nlp_trained in trained:
        nlp_trained.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
    nlp = spacy_imr.build_rule_pipeline(configs={"imr_entity_modifiers": {"gap_labels": NER_GAP_LABELS}})
    if len(trained) == 1:
        nlp.add_pipe("ner", source=trained[0], after="ruler_case")
    else:
        member_model = trained[0].config.interpolate()["components"]["ner"]["model"]
        ner = nlp.add_pipe("ner", after="ruler_case", config={"model": merged_model_config(member_model, len(trained))})
        merge_ners([nlp_trained.get_pipe("ner") for nlp_trained in trained], ner)
    parameters = srsly.read_json(relations)
    relation_step = nlp.add_pipe("imr_relations", config={"window": parameters["window"]})
    relation_step.initialize(parameters=parameters["model"])
    nlp.meta.update({
        "name": "imr_letters",
        "version": spacy_imr.__version__,
        "description": "California IMR determination letters: layout and sections, entity ruler and trained NER "
                       f"({_training_runs(len(trained))}; DIAGNOSIS, ANATOMY, EXAM_FINDING, GUIDELINE, "
                       "TREATMENT, DECISION), finding and citation parsers, trained relation step.",
        "license": "MIT",
        "requirements": [f"spacy-imr>={spacy_imr.__version__}"],
    })
    nlp.to_disk(output)
    return models


def _training_runs(count: int) -> str:
    return "one training run" if count == 1 else f"{count} training runs, each move scored by their mean"


def main(ner_runs: Path, relations: Path, output: Path):
    try:
        models = assemble_pipeline(ner_runs, relations, output)
    except FileNotFoundError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1)
    typer.echo(f"pipeline -> {output} (NER: {', '.join(str(model) for model in models)})")


if __name__ == "__main__":
    typer.run(main)
