"""Batch extraction: letters in, one JSON record per letter out, failures as error records."""
import gc
import itertools
import logging
import multiprocessing as mp
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import srsly
from spacy.language import Language

from .about import SCHEMA_VERSION
from .errors import Errors, LetterInputError, input_error
from .loading import load
from .reading import DEFAULT_MAX_BYTES, STDIN, iter_letter_sources, letter_parts, read_letter, text_sha256

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


def error_record(source: str, code: str, message: str, part: Optional[Dict] = None) -> Dict:
    record = {"schema_version": SCHEMA_VERSION, "source": source, "error": {"code": code, "message": message}}
    if part:
        record["letter"] = dict(part)
    return record


def letter_record(doc) -> Dict:
    """The record of a processed letter, or an error record when nothing in it is an IMR letter."""
    source = doc._.source_name
    record = doc._.imr_record
    if record["layout"] == "unknown" and not record["items"]:
        error = input_error("E009", source=letter_name(source, doc._.letter_part))
        return error_record(source, error.code, str(error), doc._.letter_part)
    return record


def letter_name(source: str, part: Optional[Dict]) -> str:
    """The file, and for a file that holds several letters which of them: "dump.txt (letter 2 of 3)"."""
    return f"{source} (letter {part['number']} of {part['of']})" if part else source


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


def iter_records(nlp: Language, sources: Iterable[str], *, n_process: int = 1, min_task_size: int = 4,
                 max_bytes: int = DEFAULT_MAX_BYTES, skip: Collection[str] = frozenset()) -> Iterator[Dict]:
    """Records in input order; unreadable letters and letters a component failed on become error
    records, and the batch goes on. Letters whose text hash is in `skip` give no record.

    With n_process > 1, forked workers share the loaded pipeline and return finished records, so
    the parent only writes: spaCy's own n_process sends every Doc back to be rebuilt in the parent,
    which cost more than the second process gained. Workers take the tasks of `worker_tasks`. The
    parent's objects are frozen out of garbage collection while the workers run, as the `gc.freeze`
    documentation advises before a fork: a worker's collections then leave the shared pipeline's
    pages unwritten instead of copying them. One process pipes the pipeline's own batch size."""
    sources = list(sources)
    if n_process <= 1 or len(sources) <= min_task_size or STDIN in sources or "fork" not in mp.get_all_start_methods():
        yield from _pipe_records(nlp, sources, batch_size=nlp.batch_size, max_bytes=max_bytes, skip=skip)
        return
    tasks = worker_tasks(sources, n_process, largest=nlp.batch_size, smallest=min_task_size)
    _worker_state.update(nlp=nlp, max_bytes=max_bytes, skip=skip)
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(n_process) as pool:
            for records in pool.imap(_worker_batch_records, tasks):
                yield from records
    finally:
        gc.unfreeze()
        _worker_state.clear()


def worker_tasks(sources: List[str], n_process: int, *, largest: int, smallest: int) -> List[List[str]]:
    """Consecutive runs of the letters, each half of an equal share of those left between the workers
    (guided self-scheduling), kept between `smallest` and `largest` letters: early tasks are as large
    as a pipeline batch, where the model runs fastest, and the last ones small, so that no worker is
    left with a long task while the others wait."""
    tasks, start = [], 0
    while start < len(sources):
        share = -(-(len(sources) - start) // (2 * n_process))  # ceiling division
        size = min(largest, max(smallest, share))
        tasks.append(sources[start:start + size])
        start += size
    return tasks


# Set in the parent just before the pool forks, so that each worker has the pipeline without a load.
_worker_state: Dict = {}


def _worker_batch_records(sources: List[str]) -> List[Dict]:
    state = _worker_state
    return list(_pipe_records(state["nlp"], sources, batch_size=len(sources), max_bytes=state["max_bytes"],
                              skip=state["skip"]))


def _pipe_records(nlp: Language, sources: List[str], *, batch_size: int, max_bytes: int,
                  skip: Collection[str]) -> Iterator[Dict]:
    """Records in input order. A file that holds several letters one after another (a concatenated dump,
    `letter_parts`) gives a record for each, in the file's order; letters are counted in `order`."""
    # by a letter's place in the order: the error record of an unreadable file, or None for a skipped letter
    settled: Dict[int, Optional[Dict]] = {}
    names: Dict[int, Tuple[str, Optional[Dict]]] = {}
    count = 0

    def readable() -> Iterator[Tuple[str, Dict]]:
        nonlocal count
        for source in sources:
            try:
                letter = read_letter(source, max_bytes=max_bytes)
            except LetterInputError as error:
                logger.error(str(error))
                settled[count] = error_record(source if source != STDIN else "<stdin>", error.code, str(error))
                count += 1
                continue
            for part, text in letter_parts(letter.text):
                order, count = count, count + 1
                if skip and text_sha256(text) in skip:
                    settled[order] = None
                    continue
                names[order] = (letter.source, part)
                yield text, {"index": order, "source": letter.source, "warnings": letter.warnings, "part": part}

    failures = FailureLog()
    _set_error_handler(nlp, failures)

    def missing(start: int, stop: int) -> Iterator[Dict]:
        for order in range(start, stop):
            if order in settled:
                record = settled.pop(order)
                if record is not None:
                    yield record
            else:
                source, part = names[order]
                detail = failures.reasons.get(order, "a pipeline component failed")
                yield error_record(source, "E010", Errors.E010.format(source=letter_name(source, part), detail=detail),
                                   part)

    next_order = 0
    for doc, context in nlp.pipe(readable(), as_tuples=True, batch_size=batch_size):
        yield from missing(next_order, context["index"])
        doc._.source_name = context["source"]
        doc._.letter_part = context["part"]
        doc._.imr_warnings = context["warnings"] + list(doc._.imr_warnings or [])
        yield letter_record(doc)
        next_order = context["index"] + 1
    yield from missing(next_order, count)


def partial_path(out: Path) -> Path:
    """Where a run writes its records as it goes; renamed to `out` when the run completes, and
    read back by a resumed run."""
    return out.with_name(f".{out.name}.partial")


def completed_records(out: Path) -> List[Dict]:
    """The records of finished letters in `out` and in its partial file (a run that stopped), one per
    text hash; error records are left out, so that those letters are tried again."""
    records: Dict[str, Dict] = {}
    for path in (out, partial_path(out)):
        if not path.exists():
            continue
        with path.open(encoding="utf8") as stream:
            for line in stream:
                try:
                    record = srsly.json_loads(line)
                except ValueError:
                    continue  # the line a stopped run was writing
                if isinstance(record, dict) and "sha256" in record and "error" not in record:
                    records.setdefault(record["sha256"], record)
    return list(records.values())


def extract_letters(paths: Iterable[Union[str, Path]], *, out: Optional[Path] = None, model: Optional[str] = None,
                    n_process: int = 1, max_bytes: int = DEFAULT_MAX_BYTES, resume: bool = False,
                    dask: Optional[str] = None, on_record: Optional[Callable[[Dict], None]] = None) -> ExtractSummary:
    """Extract every letter under `paths` and write JSONL to `out` (stdout when None). `out` is
    replaced only when the run completes; until then records go to its partial file. With `resume`,
    letters whose records are already in `out` or its partial file (by text hash) are kept and not
    run again. `dask` is "local" or a scheduler address: the letters go to a Dask cluster."""
    summary = ExtractSummary()
    sources = list(iter_letter_sources(paths))
    kept = completed_records(Path(out)) if resume and out is not None else []
    skip = frozenset(record["sha256"] for record in kept)
    if dask:
        from .distributed import iter_records_dask

        records = iter_records_dask(dask, sources, model=model, max_bytes=max_bytes, skip=skip)
    else:
        records = iter_records(load(model), sources, n_process=n_process, max_bytes=max_bytes, skip=skip)
    if out is None:
        for record in records:
            summary.add(record)
            sys.stdout.write(srsly.json_dumps(record) + "\n")
            if on_record:
                on_record(record)
        return summary
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(out)
    with partial.open("w", encoding="utf8") as stream:
        for record in itertools.chain(kept, records):
            summary.add(record)
            stream.write(srsly.json_dumps(record) + "\n")
            stream.flush()  # a stopped run leaves whole records for --resume
            if on_record:
                on_record(record)
    os.replace(partial, out)
    return summary
