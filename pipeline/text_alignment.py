"""Normalise a PDF text dump for the matchers and the model, keeping a map back to the original.

A letter from a PDF text layer has hard line breaks, blank lines between lines (double-spaced
dumps), trailing spaces, page footers, repeated page headers and redaction gaps. The normalised
text joins the lines of a paragraph with one space (or nothing after a line-final hyphen, which in
these letters is mostly a real hyphen: "non-", "x-", dates split as "10-"), separates paragraphs
with a blank line and folds runs of spaces. Every normalised character keeps the offset of the
original character it came from, so spans found in the normalised text report original offsets.
"""
import re
import weakref
from bisect import bisect_right
from dataclasses import dataclass
from typing import List, Sequence, Tuple

from spacy.tokens import Doc

PAGE_FOOTER = re.compile(r"^\s*(?:Page\s+\d+\s*(?:of\s+\d+)?|-\s*\d+\s*-|\d+\s*/\s*\d+)\s*$", re.I)
CASE_NUMBER_LINE = re.compile(r"^\s*(?:Case\s+(?:Number|No\.?)\s*:?\s*)?(CM\d{2}-\d{7})\s*$", re.I)
# Words PDF extraction glued together; the replacement restores the lost space.
GLUED_WORDS = {
    "notmedically": "not medically",
    "medicallynecessary": "medically necessary",
    "isnot": "is not",
}
GLUED_PATTERN = re.compile(r"\b(" + "|".join(GLUED_WORDS) + r")\b", re.I)
# Spaces to fold: a run of two or more, or one tab or no-break space (a single space stays as it is,
# so most of a line is copied in one piece).
WHITESPACE_RUN = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")
# where a sentence of the normalised text ends: the components that reason per sentence share it
SENTENCE_BREAK = re.compile(r"[.!?][\"')\]]?\s+(?=[A-Z0-9])|\n\n")
# A line in capitals with two or more words is a heading: it stands as its own paragraph.
HEADING_LINE = re.compile(r"^[^a-z]*[A-Z]{2,}[^a-z]*\s[^a-z]*[A-Z]{2,}[^a-z]*$")
# A wrapped text (a PDF dump): nine lines in ten are at most this long (100 in every DWC letter).
WRAPPED_QUANTILE, WRAPPED_LINE_CHARS = 0.9, 150


@dataclass(frozen=True)
class OffsetMap:
    """Piecewise map from normalised character offsets to original offsets.

    `segments` holds (normalised_start, original_start, length) runs copied one to one; a
    character outside every run (an inserted separator) maps to the original offset of the
    character before it, plus one.
    """

    segments: Tuple[Tuple[int, int, int], ...]
    length: int

    def __post_init__(self):
        object.__setattr__(self, "_starts", [segment[0] for segment in self.segments])
        object.__setattr__(self, "_original_starts", [segment[1] for segment in self.segments])

    def original(self, offset: int) -> int:
        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return 0
        norm_start, orig_start, length = self.segments[index]
        if offset < norm_start + length:
            return orig_start + offset - norm_start
        return orig_start + length

    def original_span(self, start: int, end: int) -> Tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if end <= start:
            at = self.original(start)
            return at, at
        return self.original(start), self.original(end - 1) + 1

    def normalized(self, offset: int) -> int:
        """The normalised offset of an original offset; text that normalisation dropped (a footer,
        extra spaces) maps to where the next kept character stands."""
        index = bisect_right(self._original_starts, offset) - 1
        if index < 0:
            return 0
        norm_start, orig_start, length = self.segments[index]
        if offset < orig_start + length:
            return norm_start + offset - orig_start
        return self.segments[index + 1][0] if index + 1 < len(self.segments) else self.length

    def normalized_span(self, start: int, end: int) -> Tuple[int, int]:
        """Normalised (start, end) of the original span [start, end)."""
        if end <= start:
            at = self.normalized(start)
            return at, at
        return self.normalized(start), self.normalized(end - 1) + 1

    def to_list(self) -> List[List[int]]:
        return [list(segment) for segment in self.segments] + [[self.length, -1, 0]]

    @classmethod
    def from_list(cls, data: Sequence[Sequence[int]]) -> "OffsetMap":
        *segments, (length, _, _) = data
        return cls(tuple(tuple(s) for s in segments), length)


class _Builder:
    def __init__(self, original: str):
        self.original = original
        self.parts: List[str] = []
        self.segments: List[Tuple[int, int, int]] = []
        self.length = 0
        self.last_char = ""

    def copy(self, start: int, end: int) -> None:
        if end <= start:
            return
        last = self.segments[-1] if self.segments else None
        if last and last[0] + last[2] == self.length and last[1] + last[2] == start:
            self.segments[-1] = (last[0], last[1], last[2] + end - start)
        else:
            self.segments.append((self.length, start, end - start))
        self.parts.append(self.original[start:end])
        self.length += end - start
        self.last_char = self.original[end - 1]

    def insert(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)
        self.last_char = text[-1]

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class NormalizedLetter:
    text: str
    offsets: OffsetMap
    # (start, end) of every kept source line in the normalised text, in order
    lines: Tuple[Tuple[int, int], ...]


def _source_lines(text: str) -> List[Tuple[int, int]]:
    """(start, end) of each line, splitting on newlines and form feeds."""
    lines, start = [], 0
    for match in re.finditer(r"\r\n|\n\f|[\n\r\f\v]", text):
        lines.append((start, match.start()))
        start = match.end()
    lines.append((start, len(text)))
    return lines


def _is_double_spaced(gaps: Sequence[int], lengths: Sequence[int]) -> bool:
    """True when most lines are followed by exactly one blank line (dumps that double every break) and
    the lines are wrapped: a typed letter with a paragraph a line, a blank line between them, is not
    double-spaced. In the 120 DWC letters nine lines in ten hold at most 100 characters; in the letters
    written for the corpus nine in ten hold more than 400."""
    if len(gaps) < 4:
        return False
    wrapped = sorted(lengths)[int(WRAPPED_QUANTILE * len(lengths))] <= WRAPPED_LINE_CHARS
    return wrapped and sum(1 for gap in gaps if gap == 1) >= 0.6 * len(gaps)


def normalize_letter_text(original: str) -> NormalizedLetter:
    content: List[Tuple[int, int]] = []
    blank_before: List[int] = []
    blanks = blanks_before_furniture = 0
    first_case_number = None
    for start, end in _source_lines(original):
        line = original[start:end]
        if not line.strip():
            blanks += 1
            continue
        if PAGE_FOOTER.match(line):
            # the blank lines around a dropped footer are one gap, not two
            blanks_before_furniture, blanks = max(blanks_before_furniture, blanks), 0
            continue
        case_number = CASE_NUMBER_LINE.match(line)
        if case_number:
            # A page header repeats the case number; keep only the first occurrence.
            if first_case_number is not None and case_number.group(1) == first_case_number:
                blanks_before_furniture, blanks = max(blanks_before_furniture, blanks), 0
                continue
            first_case_number = first_case_number or case_number.group(1)
        content.append((start, end))
        blank_before.append(max(blanks, blanks_before_furniture))
        blanks = blanks_before_furniture = 0
    paragraph_gap = 1 if _is_double_spaced(blank_before[1:], [end - start for start, end in content]) else 0
    headings = [bool(HEADING_LINE.match(original[start:end].strip())) for start, end in content]

    builder = _Builder(original)
    # few letters hold a glued word: one substring search over the letter spares the rest a regex per piece
    lowered = original.lower()
    glued = any(word in lowered for word in GLUED_WORDS)
    lines: List[Tuple[int, int]] = []
    for index, (start, end) in enumerate(content):
        line_start, line_end = _strip(original, start, end)
        if index:
            if blank_before[index] > paragraph_gap or headings[index] != headings[index - 1]:
                builder.insert("\n\n")
            elif builder.last_char != "-":
                builder.insert(" ")
        norm_start = builder.length
        _copy_folding_spaces(builder, line_start, line_end, glued)
        lines.append((norm_start, builder.length))
    return NormalizedLetter(builder.text(), OffsetMap(tuple(builder.segments), builder.length), tuple(lines))


def _strip(text: str, start: int, end: int) -> Tuple[int, int]:
    segment = text[start:end]
    kept = segment.strip()
    if not kept:
        return end, end
    left = len(segment) - len(segment.lstrip())
    return start + left, start + left + len(kept)


def _copy_folding_spaces(builder: _Builder, start: int, end: int, glued: bool) -> None:
    """Copy a line, folding space runs to one space and, when the letter has any, ungluing known glued words."""
    copy = _copy_unglued if glued else _Builder.copy
    line = builder.original[start:end]
    position = 0
    for match in WHITESPACE_RUN.finditer(line):
        space_at = start + match.start()
        copy(builder, start + position, space_at)
        if line[match.start()] == " ":
            builder.copy(space_at, space_at + 1)
        else:
            builder.insert(" ")
        position = match.end()
    copy(builder, start + position, end)


def _copy_unglued(builder: _Builder, start: int, end: int) -> None:
    position = start
    for match in GLUED_PATTERN.finditer(builder.original, start, end):
        builder.copy(position, match.start())
        replacement = GLUED_WORDS[match.group().lower()]
        split = replacement.index(" ")
        builder.copy(match.start(), match.start() + split)
        builder.insert(" ")
        builder.copy(match.start() + split, match.end())
        position = match.end()
    builder.copy(position, end)


_DOC_TEXTS: "weakref.WeakKeyDictionary[Doc, str]" = weakref.WeakKeyDictionary()


def remember_doc_text(doc: Doc, text: str) -> None:
    """Record the text a tokenizer made `doc` from (spaCy's tokenizer keeps every character of it),
    so that doc_text need not rebuild it."""
    _DOC_TEXTS[doc] = text


def doc_text(doc: Doc) -> str:
    """doc.text, built once per doc: Doc.text joins every token on each access, which made the
    components' many reads of it the largest cost after the model."""
    text = _DOC_TEXTS.get(doc)
    if text is None:
        text = _DOC_TEXTS[doc] = doc.text
    return text
