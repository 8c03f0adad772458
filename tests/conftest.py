import logging
from pathlib import Path

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
