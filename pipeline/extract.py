"""Batch extraction: letters in, one JSON record per letter out, failures as error records."""
import logging
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import srsly
from spacy.language import Language

from .about import SCHEMA_VERSION
from .errors import Errors, LetterInputError, input_error
from .loading import load
from .reading import DEFAULT_MAX_BYTES, iter_letter_sources, read_letter

logger = logging.getLogger(__name__)


@dataclass
class ExtractSummary:
    letters: int = 0
    failures: int = 0
    items: int = 0
    decisions: Counter = field(default_factory=Counter)

    def add(self, record: Dict) -> None:
        self.letters += 1
        if "error" in record:
            self.failures += 1
            return
        self.items += len(record["items"])
        self.decisions.update(item["decision"] for item in record["items"])

    def to_dict(self) -> Dict[str, int]:
        return {"letters": self.letters, "failures": self.failures, "items": self.items,
                **{decision: self.decisions.get(decision, 0) for decision in ("upheld", "overturned", "partial", "unknown")}}


def error_record(source: str, code: str, message: str) -> Dict:
    return {"schema_version": SCHEMA_VERSION, "source": source, "error": {"code": code, "message": message}}


def letter_record(doc) -> Dict:
    """The record of a processed letter, or an error record when nothing in it is an IMR letter."""
    source = doc._.source_name
    record = doc._.imr_record
    if record["layout"] == "unknown" and not record["items"]:
        error = input_error("E009", source=source)
        return error_record(source, error.code, str(error))
    return record


class FailureLog:
    """nlp.pipe error handler: spaCy drops a letter whose component raised and goes on; this keeps
    the reason by the letter's index so that its error record can say it. (In worker processes the
    log stays in the worker and the record gives the generic reason.)"""

    def __init__(self):
        self.reasons: Dict[int, str] = {}

    def __call__(self, proc_name: str, proc: Callable, docs: List, error: Exception) -> None:
        for doc in docs:
            reason = f"{proc_name}: {type(error).__name__}: {error}"
            logger.error(reason)
            context = getattr(doc, "_context", None) or {}
            if "index" in context:
                self.reasons[context["index"]] = reason


def _set_error_handler(nlp: Language, handler: Callable) -> None:
    """nlp.set_error_handler, except that spaCy's compiled components (ner, parser) cannot take one
    as an attribute: they then keep failing the whole batch, which the caller sees."""
    nlp.default_error_handler = handler
    for _, proc in nlp.pipeline:
        if hasattr(proc, "set_error_handler"):
            try:
                proc.set_error_handler(handler)
            except AttributeError:
                pass


def iter_records(nlp: Language, sources: Iterable[str], *, n_process: int = 1, batch_size: int = 16,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Dict]:
    """Records in input order; unreadable letters and letters a component failed on become error
    records, and the batch goes on."""
    sources = list(sources)
    unreadable: Dict[int, Dict] = {}

    def readable() -> Iterator[Tuple[str, Dict]]:
        for index, source in enumerate(sources):
            try:
                letter = read_letter(source, max_bytes=max_bytes)
            except LetterInputError as error:
                logger.error(str(error))
                unreadable[index] = error_record(source if source != "-" else "<stdin>", error.code, str(error))
                continue
            yield letter.text, {"index": index, "source": letter.source, "warnings": letter.warnings}

    failures = FailureLog()
    _set_error_handler(nlp, failures)

    def missing(start: int, stop: int) -> Iterator[Dict]:
        for index in range(start, stop):
            if index in unreadable:
                yield unreadable.pop(index)
            else:
                detail = failures.reasons.get(index, "a pipeline component failed")
                yield error_record(sources[index], "E010", Errors.E010.format(source=sources[index], detail=detail))

    next_index = 0
    for doc, context in nlp.pipe(readable(), as_tuples=True, n_process=n_process, batch_size=batch_size):
        yield from missing(next_index, context["index"])
        doc._.source_name = context["source"]
        doc._.imr_warnings = context["warnings"] + list(doc._.imr_warnings or [])
        yield letter_record(doc)
        next_index = context["index"] + 1
    yield from missing(next_index, len(sources))


def extract_letters(paths: Iterable[Union[str, Path]], *, out: Optional[Path] = None, model: Optional[str] = None,
                    n_process: int = 1, max_bytes: int = DEFAULT_MAX_BYTES,
                    on_record: Optional[Callable[[Dict], None]] = None) -> ExtractSummary:
    """Extract every letter under `paths`; write JSONL to `out` atomically (or to stdout when None)."""
    nlp = load(model)
    summary = ExtractSummary()
    sources = list(iter_letter_sources(paths))
    records = iter_records(nlp, sources, n_process=n_process, max_bytes=max_bytes)
    if out is None:
        for record in records:
            summary.add(record)
            sys.stdout.write(srsly.json_dumps(record) + "\n")
            if on_record:
                on_record(record)
        return summary
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf8") as stream:
            for record in records:
                summary.add(record)
                stream.write(srsly.json_dumps(record) + "\n")
                if on_record:
                    on_record(record)
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return summary
