"""Decision wording: what an IMR item heading or a concluding sentence says was decided."""
import re
from typing import Optional

UPHELD, OVERTURNED, PARTIAL, UNKNOWN = "upheld", "overturned", "partial", "unknown"

_RULES = [
    (re.compile(r"\bpartial(?:ly)?\s+overturn|\bcertified\s+in\s+part\b|\bmodified\s+to\b", re.I), PARTIAL),
    (re.compile(r"\bupheld\b|\buphold", re.I), UPHELD),
    (re.compile(r"\boverturn", re.I), OVERTURNED),
    (re.compile(r"\bnot\s*medically\s+(?:reasonable\s+(?:and|or)\s+)?necessary", re.I), UPHELD),
    (re.compile(r"\bmedically\s+(?:reasonable\s+(?:and|or)\s+)?necessary", re.I), OVERTURNED),
    (re.compile(r"recommendation\s+is\s+for\s+(?:denial|non-?certification)", re.I), UPHELD),
    (re.compile(r"recommendation\s+is\s+for\s+(?:authorization|certification|approval)", re.I), OVERTURNED),
]

# A concluding statement of the IMR decision in prose (not UR's wording, not guideline wording).
PROSE_DECISION = re.compile(
    r"\b(?:is|was|are|were)\s+(?:not\s*)?medically\s+(?:reasonable\s+(?:and|or)\s+)?necessary"
    r"(?:\s+(?:and|and/or)\s+appropriate)?(?:\s+(?:per|based\s+on)\s+the\s+documentation)?"
    r"|\bRecommendation\s+is\s+for\s+(?:denial|non-?certification|authorization|certification|approval)",
    re.I,
)


def normalize_decision(text: Optional[str]) -> str:
    if not text:
        return UNKNOWN
    for pattern, value in _RULES:
        if pattern.search(text):
            return value
    return UNKNOWN
