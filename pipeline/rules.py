"""Package data shared by the rule components: JSONL rule files shipped in `spacy_imr/data`."""
from pathlib import Path
from typing import Dict, List, Sequence

import srsly

from .errors import Errors

DATA_DIR = Path(__file__).parent / "data"


def read_rules(name: str) -> List[Dict]:
    return list(srsly.read_jsonl(DATA_DIR / name))


def check_rules(rules: Sequence[Dict], required: Sequence[str]) -> None:
    for rule in rules:
        for key in required:
            if key not in rule:
                raise ValueError(Errors.E013.format(rule=rule, key=key))
