"""Reading letters from .txt and .pdf files, directories and stdin, with clear errors for bad input."""
import hashlib
import io
import logging
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from .errors import Warnings, input_error

LETTER_SUFFIXES = (".txt", ".pdf")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
STDIN = "-"
# Control characters other than the whitespace a text dump has; many of them mean binary.
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}

logger = logging.getLogger(__name__)

# A line that opens a letter, in each layout (README, Layouts: the 2016-17 header block, the 2014 letter
# that starts at its first heading, MAXIMUS's letterhead, the professional review, the 2013 notice).
LETTER_OPENING = re.compile(
    r"(?<![^\n\f])[ \t]*(?:Case\s+Number:[ \t]*(?P<case>CM\d{2}-\d{7})"
    r"|(?:HOW\s+THE\s+IMR\s+FINAL\s+DETERMINATION\s+WAS\s+MADE|MAXIMUS\s+FEDERAL\s+SERVICES\s*,?\s+INC\.?"
    r"|MEDICAL\s+PROFESSIONAL\s+REVIEW|Notice\s+of\s+Independent\s+Medical\s+Review\s+Determination)[ \t]*(?=[\r\n\f]|$))",
    re.IGNORECASE)
# The part of a letter that comes after everything a letter opens with, in each layout: a letter
# opening after one of these starts the next letter.
DECISIONS_REACHED = re.compile(
    r"IMR\s+ISSUES\s*,?\s+DECISIONS|IMR\s+DECISION(?:\(S\)|S)?\s+AND\s+RATIONALE|RATIONALE\s+FOR\s+WHY\s+THE\s+REQUESTED"
    r"|INDEPENDENT\s+MEDICAL\s+REVIEW\s+DECISIONS?\s+AND\s+RATIONALE|\bhas\s+determined\s+the\s+request\s+for\b"
    r"|Decision\s+rationale\s*:", re.IGNORECASE)
CASE_NUMBER = re.compile(r"\bCM\d{2}-\d{7}\b")


@dataclass
class Letter:
    source: str
    text: str
    warnings: List[str] = field(default_factory=list)


def text_sha256(text: str) -> str:
    """The hash a record keeps of the text its letter was read as (`sha256`)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def iter_letter_sources(paths: Iterable[Union[str, Path]]) -> Iterator[str]:
    """Each letter to read: files as given, directories walked for .txt and .pdf in name order."""
    for path in paths:
        if str(path) == STDIN:
            yield STDIN
            continue
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in LETTER_SUFFIXES:
                    yield str(child)
        else:
            yield str(path)


def iter_letter_texts(paths: Iterable[Union[str, Path]]) -> Iterator[Tuple[str, str]]:
    """(name, text) of each letter under `paths`: the file's stem, or for a file that holds several
    letters one after another "<stem>_<number>" and that letter's text."""
    for source in iter_letter_sources(paths):
        stem = Path(source).stem if source != STDIN else "stdin"
        for part, text in letter_parts(read_letter(source).text):
            yield (f"{stem}_{part['number']}" if part else stem), text


def letter_parts(text: str) -> List[Tuple[Optional[Dict], str]]:
    """(part, text) of each letter in a file's text (`letter_bounds`): part is None for a file of one
    letter, else {"number", "of", "start", "end"}."""
    bounds = letter_bounds(text)
    if len(bounds) == 1:
        return [(None, text)]
    return [({"number": number, "of": len(bounds), "start": start, "end": end}, text[start:end])
            for number, (start, end) in enumerate(bounds, 1)]


def read_letter(source: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Letter:
    """Read one letter; raises LetterInputError with a coded message naming the source."""
    if source == STDIN:
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "<stdin>"
        is_pdf = data.startswith(b"%PDF-")
    else:
        path = Path(source)
        if not path.is_file():
            raise input_error("E007", source=source)
        suffix = path.suffix.lower()
        if suffix not in LETTER_SUFFIXES:
            raise input_error("E008", source=source, suffix=suffix)
        size = path.stat().st_size
        if size > max_bytes:
            raise input_error("E006", source=source, size=size, limit=max_bytes)
        data = path.read_bytes()
        name = source
        is_pdf = suffix == ".pdf"
    if len(data) > max_bytes:
        raise input_error("E006", source=name, size=f"over {max_bytes}", limit=max_bytes)
    if not data.strip():
        raise input_error("E001", source=name)
    if is_pdf:
        text, warnings = pdf_text(data, name), []
    else:
        text, warnings = decode_text(data, name)
    if not text.strip():
        raise input_error("E001", source=name)
    return Letter(name, text, warnings)


def letter_bounds(text: str) -> List[Tuple[int, int]]:
    """(start, end) of each letter in a text that may hold several one after another (a concatenated
    dump). A letter opening starts a new letter once the current one has reached its decisions, unless
    it is the current letter's own case number again (a running page header)."""
    bounds, start = [], 0
    for opening in LETTER_OPENING.finditer(text):
        if opening.start() <= start or not DECISIONS_REACHED.search(text, start, opening.start()):
            continue
        current_case = CASE_NUMBER.search(text, start, opening.start())
        if opening.group("case") and current_case and current_case.group() == opening.group("case"):
            continue
        bounds.append((start, opening.start()))
        start = opening.start()
    bounds.append((start, len(text)))
    return bounds


def decode_text(data: bytes, source: str):
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    if b"\x00" in data or sum(byte in _CONTROL for byte in data[:4096]) > 0.02 * min(len(data), 4096):
        raise input_error("E002", source=source)
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise input_error("E003", source=source) from None
    return text, [Warnings.W002.format(source=source, encoding="cp1252")]


def pdf_text(data: bytes, source: str) -> str:
    """The PDF's text layer, pages joined with form feeds."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise input_error("E004", source=source, detail="no PDF header")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as err:
        raise input_error("E004", source=source, detail=f"{type(err).__name__}: {err}") from None
    text = "\f".join(pages)
    if not text.strip():
        raise input_error("E005", source=source)
    return text
