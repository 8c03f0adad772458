"""The entity ruler's patterns: JSONL package data compiled from corpus/vocab by
scripts/build_ruler_patterns.py, handed to spaCy's `entity_ruler` in `initialize()`."""
from typing import Dict, List

from spacy.util import registry

from .rules import read_rules

RULER_PATTERNS_FILE = "ruler_patterns.jsonl"


@registry.misc("spacy_imr.ruler_patterns.v1")
def create_ruler_patterns() -> List[Dict]:
    return read_rules(RULER_PATTERNS_FILE)
