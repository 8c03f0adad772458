"""Regex scans limited to the neighbourhood of an anchor.

Python's `re` tries a pattern at every position of the text unless the pattern starts with a plain
character set. Patterns that open with optional words ("left biceps strength is 4/5") are tried at
every word, and cost more than the tokenizer. Every match of such a pattern holds a short, cheap
anchor ("4/5", "45 degrees", a date), so scanning only the text within reach of the anchor's matches
finds the same matches as scanning it all.
"""
import re
from typing import Iterator, List, Optional, Tuple


class AnchoredWindows:
    """The parts of `text[start:end]` within `reach` characters of a match of `anchor`, merged where
    they touch. A pattern whose matches each hold an anchor match and reach no further than `reach`
    from it has the same matches in these windows as in the whole range: a window never cuts a match,
    and a match's neighbours either share its window or lie wholly in another. A window's matches that
    start after its last anchor ends hold none, so they are ones its cut-off end made (a "4/5" cut
    from "4/55") and are dropped."""

    def __init__(self, anchor: re.Pattern, text: str, reach: int, start: int = 0, end: Optional[int] = None):
        self.text = text
        end = len(text) if end is None else end
        self.windows: List[Tuple[int, int, int]] = []  # (start, end, end of the last anchor)
        for hit in anchor.finditer(text, start, end):
            low, high = max(start, hit.start() - reach), min(end, hit.end() + reach)
            if self.windows and low <= self.windows[-1][1]:
                self.windows[-1] = (self.windows[-1][0], high, hit.end())
            else:
                self.windows.append((low, high, hit.end()))

    def finditer(self, pattern: re.Pattern) -> Iterator[re.Match]:
        for low, high, last_anchor in self.windows:
            for match in pattern.finditer(self.text, low, high):
                if match.start() >= last_anchor:
                    break
                yield match

    def search(self, pattern: re.Pattern) -> Optional[re.Match]:
        return next(self.finditer(pattern), None)
