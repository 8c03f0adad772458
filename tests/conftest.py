import logging
from pathlib import Path
from typing import List

import numpy
import pytest

import spacy_imr

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_7744adefd301bd24.txt"
REAL_LETTERS = SHARED / "letters"
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_LETTERS = sorted((FIXTURES / "letters").glob("*.txt"))


def needs_shared(path: Path):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is not beside the clone")


@pytest.fixture(scope="session")
def nlp():
    logging.getLogger("spacy_imr").setLevel(logging.ERROR)
    return spacy_imr.build_rule_pipeline()


def phrase_span(doc, phrase: str, label: str, occurrence: int = 0):
    """The span of the `occurrence`-th (from 0) `phrase` in the doc's text, labelled."""
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(phrase, start + 1)
    return doc.char_span(start, start + len(phrase), label=label)


def folded(text: str) -> str:
    return " ".join(text.split())


def _up_to_ner(nlp, text: str):
    doc = nlp.make_doc(text)
    for name, component in nlp.pipeline:
        if name == "ner":
            break
        doc = component(doc)
    return doc


def mean_score_entities(members, text: str):
    """The reference for merged NERs: each member's pipeline up to its `ner`, then greedy decoding with
    each move chosen on the members' mean scores, step by step; the entities as (start, end, label) of
    the (normalised) doc text."""
    docs = [_up_to_ner(nlp, text) for nlp in members]
    ners = [nlp.get_pipe("ner") for nlp in members]
    steppers = [ner.model.predict([doc]) for ner, doc in zip(ners, docs)]
    states = ners[0].moves.init_batch(docs[:1])
    unfinished = [state for state in states if not state.is_final()]
    while unfinished:
        scores = sum(stepper.predict(unfinished) for stepper in steppers) / len(steppers)
        unfinished = ners[0].transition_states(unfinished, numpy.ascontiguousarray(scores, dtype="f"))
    ners[0].set_annotations(docs[:1], states)
    return [(ent.start_char, ent.end_char, ent.label_) for ent in docs[0].ents]


def merged_score_gaps(merged, members, text: str) -> List[float]:
    """Along the merged NER's own decoding of `text`, at every step, the largest difference between its
    move scores and the mean of the members' scores for the same state."""
    ner = merged.get_pipe("ner")
    doc = _up_to_ner(merged, text)
    stepper = ner.model.predict([doc])
    member_steppers = [nlp.get_pipe("ner").model.predict([_up_to_ner(nlp, text)]) for nlp in members]
    unfinished = ner.moves.init_batch([doc])
    gaps = []
    while unfinished:
        scores = stepper.predict(unfinished)
        mean = sum(member.predict(unfinished) for member in member_steppers) / len(member_steppers)
        gaps.append(float(numpy.abs(scores - mean).max()))
        unfinished = ner.transition_states(unfinished, numpy.ascontiguousarray(scores, dtype="f"))
    return gaps
