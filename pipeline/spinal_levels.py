"""Spinal level expressions: 'C4-C7' -> C4 C5 C6 C7, 'L4-5' -> L4 L5, 'L5/S1', 'T7 to T10', lists."""
import re
from typing import List

SEQUENCE = [f"C{n}" for n in range(1, 8)] + [f"T{n}" for n in range(1, 13)] + \
    [f"L{n}" for n in range(1, 6)] + [f"S{n}" for n in range(1, 6)]
_INDEX = {level: i for i, level in enumerate(SEQUENCE)}
SPELLED = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
REGIONS = {"cervical": "C", "thoracic": "T", "lumbar": "L", "sacral": "S"}
LEVEL_EXPRESSION = re.compile(
    r"\b(?P<a>[CTLS])\s?(?P<an>\d{1,2})(?:\s*(?:-|–|/|to|through|thru)\s*(?P<b>[CTLS])?\s?(?P<bn>\d{1,2}))?\b"
)
SPELLED_LEVEL = re.compile(r"\b(?P<region>cervical|thoracic|lumbar|sacral)\s+(?P<n>one|two|three|four|five|six|seven)\b", re.I)


def expand_range(first: str, last: str) -> List[str]:
    if first in _INDEX and last in _INDEX and _INDEX[first] <= _INDEX[last]:
        return SEQUENCE[_INDEX[first]:_INDEX[last] + 1]
    return [first] if first == last else [first, last]


def expand_levels(text: str) -> List[str]:
    """Every spinal level the text names, ranges expanded, in order of mention, without repeats."""
    levels: List[str] = []
    for match in LEVEL_EXPRESSION.finditer(text):
        first = match.group("a") + str(int(match.group("an")))
        if match.group("bn") is None:
            found = [first]
        else:
            last = (match.group("b") or match.group("a")) + str(int(match.group("bn")))
            found = expand_range(first, last)
        levels.extend(level for level in found if level not in levels)
    for match in SPELLED_LEVEL.finditer(text):
        level = REGIONS[match.group("region").lower()] + str(SPELLED[match.group("n").lower()])
        if level not in levels:
            levels.append(level)
    return levels
