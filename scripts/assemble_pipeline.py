"""The full pipeline: the rule components around the trained NER, saved for `spacy package`.

    python scripts/assemble_pipeline.py training/ner/model-best training/relations.json training/imr_letters

The NER comes before imr_entity_modifiers, which adds the ruler's matches only where the NER found
nothing (the "ner_first" order, measured better on dev than letting the ruler's entities stand; see
scripts/evaluate.py). The ruler itself stays first: it runs its phrase patterns through the
components before it when it loads, and it writes only to a span group.
"""
from pathlib import Path

import spacy
import srsly
import typer

import spacy_imr


def assemble_pipeline(ner_model: Path, relations: Path, output: Path) -> None:
    nlp = spacy_imr.build_rule_pipeline()
    trained = spacy.load(ner_model)
    nlp.add_pipe("tok2vec", source=trained, after="ruler_case")
    nlp.add_pipe("ner", source=trained, after="tok2vec")
    parameters = srsly.read_json(relations)
    relation_step = nlp.add_pipe("imr_relations", config={"window": parameters["window"]})
    relation_step.initialize(parameters=parameters["model"])
    nlp.meta.update({
        "name": "imr_letters",
        "version": spacy_imr.__version__,
        "description": "California IMR determination letters: layout and sections, entity ruler and trained NER "
                       "(DIAGNOSIS, ANATOMY, EXAM_FINDING, GUIDELINE, TREATMENT, DECISION), finding and citation "
                       "parsers, trained relation step.",
        "license": "MIT",
        "requirements": [f"spacy-imr>={spacy_imr.__version__}"],
    })
    nlp.to_disk(output)


def main(ner_model: Path, relations: Path, output: Path):
    assemble_pipeline(ner_model, relations, output)
    typer.echo(f"pipeline -> {output}")


if __name__ == "__main__":
    typer.run(main)
