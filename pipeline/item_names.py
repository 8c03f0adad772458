"""An item's name as other text refers to it: the words a heading, a mention and a decision sentence
are matched by (the relation step's features, the record's items, and the item blocks of
letter_sections that share one rationale)."""
import re
from typing import Dict, FrozenSet, Optional, TypeVar

T = TypeVar("T")
WORD = re.compile(r"[a-z]+")
_LEADING = re.compile(r"^(?:(?:the|a|an|associated|requested|request\s+for|retrospective|concurrent)\s+)+")
# Words of an item's name that say nothing of which item it is.
_NAME_STOP = frozenset("""with without right left both bilateral lower upper sessions session visits visit times
    week weeks days month months rental purchase contrast additional associated surgical service request
    requested spine""".split())


def named_item(name: str, items: Dict[str, T]) -> Optional[T]:
    """The item (by its `item_name`) a mention's name names: the same words; or, when only one heading
    has them, its first or last words ("home health physical therapy" names "Associated surgical
    service: Home health physical therapy, 6 visits"), also of the part after a colon."""
    if name in items:
        return items[name]
    if len(name) < 8:
        return None
    found = [value for item, value in items.items() if any(
        _word_prefix(name, part) or part.endswith(" " + name) for part in (item, item.rsplit(": ", 1)[-1]))]
    return found[0] if len(found) == 1 else None


def closest_item(name: str, items: Dict[str, T]) -> Optional[T]:
    """The item whose name holds most of a mention's words, if it holds at least half of them and no
    other item holds as many: a determination may name its item in other words than the list of issues
    ("the shoulder MRI" for "MRI of the right shoulder without contrast", "160-hour functional restoration
    program" for "Functional restoration program x 160 hours")."""
    words = _match_words(name)
    if not words:
        return None
    scores = sorted(((len(words & _match_words(item)), value) for item, value in items.items()),
                    key=lambda pair: -pair[0])
    if not scores or 2 * scores[0][0] < len(words) or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1]


def _match_words(text: str) -> FrozenSet[str]:
    """`name_stems` with the short names of studies and drugs' strengths kept ("MRI", "EMG", "CT")."""
    return frozenset(word[:6] for word in WORD.findall(text.lower())
                     if len(word) > 1 and word not in _NAME_STOP and word not in _FUNCTION_WORDS)


_FUNCTION_WORDS = frozenset("of the for to at in on and or by an as is are with per".split())


def _word_prefix(name: str, item: str) -> bool:
    return item.startswith(name) and len(item) > len(name) and item[len(name)] in " ,"


def name_stems(text: str) -> FrozenSet[str]:
    """The words that tell an item from another, cut to six letters so that "injections" meets "injection"."""
    return frozenset(word[:6] for word in WORD.findall(text.lower()) if len(word) > 3 and word not in _NAME_STOP)


def item_name(text: str) -> str:
    """An item's words for matching mentions: lower case, spaces folded, no leading article."""
    return _LEADING.sub("", " ".join(text.lower().split()))
