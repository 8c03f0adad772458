"""The entity ruler's patterns: JSONL package data compiled from corpus/vocab by
scripts/build_ruler_patterns.py, handed to spaCy's `span_ruler` in `initialize()`.

Two rulers share the file: one matches phrases on LOWER (with the token patterns), the other the
case-sensitive terms on ORTH, each through spaCy's PhraseMatcher."""
from typing import Dict, List

from spacy.util import registry

from .rules import read_rules

RULER_PATTERNS_FILE = "ruler_patterns.jsonl"


@registry.misc("spacy_imr.ruler_patterns.v2")
def create_ruler_patterns(case_sensitive: bool = False) -> List[Dict]:
    """The patterns of one ruler: the case-sensitive phrase terms, or all the others."""
    return [{key: value for key, value in pattern.items() if key != "case_sensitive"}
            for pattern in read_rules(RULER_PATTERNS_FILE)
            if pattern.get("case_sensitive", False) == case_sensitive]
