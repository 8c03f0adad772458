"""Throughput and memory of a pipeline, as ratios measured within one run.

    python scripts/benchmark.py training/imr_letters corpus metrics/benchmark.json ../shared/letters ../shared/seed

Over the corpus test letters and the seed, repeated to at least `min_words` words: words per second
of the tokenizer alone (spacy.blank("en")) and of the pipeline, each the best of `repeats` passes
taken in turn; each component's share of the pipeline's time (best of `repeats` passes of the test
letters); peak resident memory; the pipeline's load time (in a fresh process); time per word for
the letters concatenated 1x, 4x and 16x into one document (each pass the same words: 16, 4 and 1
documents one at a time); words per second from the same letters as files to records with one and
two worker processes (`imr extract --n-process`), beside passes of plain arithmetic in one and two
processes (the most two processes give on this machine at the time); the words per second of
`--dask local` with two workers over those letters; and the resident memory after `stream_small`
and `stream_large` letters streamed through `imr extract` (copies of the shortest letters, in a
fresh process). Passes are taken in turn, `repeats` rounds; each ratio (to the tokenizer, 16x over
1x, two processes over one, the pipeline's speed-up over the arithmetic's) is the median over the
rounds of the ratio of two passes taken back to back, and every pass's rate is written in `rounds`.
"""
import json
import math
import multiprocessing as mp
import statistics
from collections import deque
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import spacy
import srsly
import typer

from spacy_imr.corpus import iter_annotations, letter_text, read_manifest
from spacy_imr.distributed import iter_records_dask
from spacy_imr.extract import iter_records

# about a second of arithmetic in one process on the machines measured here
SPIN_ITERATIONS = 12_000_000
STREAM_PROBE = """
import sys, resource, json
from spacy_imr.extract import extract_letters
marks, seen = {marks}, []
def on_record(record):
    seen.append(1)
    if len(seen) in marks:
        rss = int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024
        print(json.dumps({{"letters": len(seen), "rss_mb": round(rss, 1)}}), flush=True)
extract_letters([{folder!r}], out={out!r}, model={model!r}, on_record=on_record)
"""


def _words(texts: List[str]) -> int:
    return sum(len(text.split()) for text in texts)


def _consume(docs) -> None:
    """Run the generator without keeping its docs, as a streaming user would."""
    deque(docs, maxlen=0)


def _rate(function, texts: List[str]) -> float:
    words = _words(texts)  # counted before the clock starts
    start = time.perf_counter()
    function(texts)
    return words / (time.perf_counter() - start)


def _in_turn(rates: Dict[object, Callable[[], float]], repeats: int) -> Dict[object, List[float]]:
    """`repeats` measurements of each rate, taken in turn: in each round the rates are measured back to back."""
    measured: Dict[object, List[float]] = {name: [] for name in rates}
    for _ in range(repeats):
        for name, rate in rates.items():
            measured[name].append(rate())
    return measured


def _paired(measured: Dict[object, List[float]], numerator, denominator) -> float:
    """The median over the rounds of the ratio of two rates measured back to back. This machine's speed
    moves between runs and within them (the blank tokenizer ran 94,000 to 180,000 words/s in different
    runs); two rates of one round are taken at about the same speed, the best of each may not be."""
    return statistics.median(a / b for a, b in zip(measured[numerator], measured[denominator]))


def benchmark(pipeline: Path, corpus_dir: Path, output: Path, letters_dirs: List[Path], min_words: int = 100_000,
              stream_small: int = 1_000, stream_large: int = 10_000, repeats: int = 5) -> Dict:
    manifest = read_manifest(corpus_dir)
    dirs = [d for d in letters_dirs if d.exists()]
    letters = [letter_text(r, dirs) for _, _, r in iter_annotations(corpus_dir) if manifest[r["id"]]["split"] == "test"]
    letters = [text for text in letters if text]
    texts = list(letters)
    while _words(texts) < min_words:
        texts += letters
    nlp = spacy.load(pipeline)
    blank = spacy.blank("en")
    list(nlp.pipe(texts[:2]))  # warm up
    # the tokenizer's pass reads the texts four times, to last about as long as the pipeline's
    rates = _in_turn({"tokenizer": lambda: _rate(lambda batch: _consume(blank.make_doc(t) for t in batch), texts * 4),
                      "pipeline": lambda: _rate(lambda batch: _consume(nlp.pipe(batch)), texts)}, repeats)
    shares = component_shares(nlp, texts[: len(letters)], repeats)
    base = "\n\n".join(letters[:5])
    nlp.max_length = 10 ** 8
    documents = {factor: "\n\n".join([base] * factor) for factor in (1, 4, 16)}
    # each pass handles the same words (the 1x document 16 times, one at a time), so that a slow
    # spell on the machine is as likely to land on one length's pass as on another's
    lengths = _in_turn({f"{factor}x": (lambda document=document, factor=factor: _rate(
        lambda batch: [_consume(nlp.pipe([text])) for text in batch], [document] * (16 // factor)))
        for factor, document in documents.items()}, repeats)
    # the pipeline's passes alternate with passes of plain arithmetic, whose speed-up is the most two
    # processes can give on this machine at that time (shared or throttled cores give less than 2)
    records = _in_turn({"1_process": lambda: records_rate(nlp, texts, 1),
                        "2_processes": lambda: records_rate(nlp, texts, 2),
                        "spin_1_process": lambda: spin_rate(1), "spin_2_processes": lambda: spin_rate(2)}, repeats)
    speedup = _paired(records, "2_processes", "1_process")
    ceiling = _paired(records, "spin_2_processes", "spin_1_process")
    dask_two = records_rate(nlp, texts, dask_model=str(pipeline))
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stream = stream_memory(pipeline, sorted(letters, key=len)[:5], stream_small, stream_large)
    result = {
        "pipeline": str(pipeline),
        "words": _words(texts),
        "tokenizer_words_per_second": round(max(rates["tokenizer"])),
        "words_per_second": round(max(rates["pipeline"])),
        "passes": repeats,
        "ratio_vs_tokenizer": round(_paired(rates, "pipeline", "tokenizer"), 4),
        "component_share": shares,
        "peak_rss_mb": round(peak_rss_mb, 1),
        "load_seconds": load_seconds(pipeline),
        "seconds_per_word": {name: 1 / max(measured) for name, measured in lengths.items()},
        "length_scaling_16x": round(_paired(lengths, "1x", "16x"), 3),
        "n_process_2_speedup": round(speedup, 3),
        "machine_2_process_speedup": round(ceiling, 3),
        "n_process_2_efficiency": round(speedup / ceiling, 3),
        "records_words_per_second": {"1_process": round(max(records["1_process"])),
                                     "2_processes": round(max(records["2_processes"])),
                                     "dask_local_2_workers": round(dask_two)},
        # every pass's rate, in the order taken: the ratios above are medians of each round's ratio
        "rounds": {name: [round(rate) for rate in measured]
                   for group in (rates, lengths, records) for name, measured in group.items()},
        "stream_rss_mb": stream,
        # named for the default counts (1,000 and 10,000 letters); stream_rss_mb has the counts used
        "rss_growth_1k_to_10k_mb": round(stream[str(stream_large)] - stream[str(stream_small)], 1),
    }
    srsly.write_json(output, result)
    return result


def component_shares(nlp, texts: List[str], repeats: int) -> Dict[str, float]:
    """Each component's share of the pipeline's time: the best of `repeats` passes for each, every pass
    from fresh docs in the pipeline's own batches."""
    best: Dict[str, float] = {}
    for _ in range(repeats):
        docs = [nlp.make_doc(text) for text in texts]
        for name, proc in nlp.pipeline:
            start = time.perf_counter()
            if hasattr(proc, "pipe"):
                docs = list(proc.pipe(docs, batch_size=nlp.batch_size))
            else:
                docs = [proc(doc) for doc in docs]
            best[name] = min(best.get(name, math.inf), time.perf_counter() - start)
    total = sum(best.values())
    return {name: round(value / total, 3) for name, value in best.items()}


def records_rate(nlp, texts: List[str], n_process: int = 1, dask_model: Optional[str] = None) -> float:
    """Words per second from letter files to records, as `imr extract --n-process` runs, or with
    `--dask local` on two single-threaded workers (cluster start and pipeline loads included)."""
    with tempfile.TemporaryDirectory() as folder:
        sources = []
        for index, text in enumerate(texts):
            sources.append(str(Path(folder, f"letter_{index:06d}.txt")))
            Path(sources[-1]).write_text(text, encoding="utf8")
        if dask_model:
            return _rate(lambda _: _consume(iter_records_dask("local", sources, model=dask_model, n_workers=2)), texts)
        return _rate(lambda _: _consume(iter_records(nlp, sources, n_process=n_process)), texts)


def _spin(iterations: int) -> int:
    total = 0
    for i in range(iterations):
        total += i * i % 7
    return total


def spin_rate(n_process: int, iterations: int = SPIN_ITERATIONS) -> float:
    """Iterations per second of pure-Python arithmetic that touches no shared memory, split over
    `n_process` forked processes as `iter_records` forks them (pool start included)."""
    start = time.perf_counter()
    if n_process == 1:
        _spin(iterations)
    else:
        with mp.get_context("fork").Pool(n_process) as pool:
            pool.map(_spin, [iterations // n_process] * n_process)
    return iterations / (time.perf_counter() - start)


def load_seconds(pipeline: Path) -> float:
    probe = ("import time, spacy, spacy_imr; start = time.perf_counter(); spacy.load(%r); "
             "print(time.perf_counter() - start)" % str(pipeline))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return round(float(result.stdout.strip().splitlines()[-1]), 3)


def stream_memory(pipeline: Path, letters: List[str], small: int, large: int) -> Dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        for index in range(large):
            Path(folder, f"letter_{index:06d}.txt").write_text(letters[index % len(letters)], encoding="utf8")
        script = STREAM_PROBE.format(marks=[small, large], folder=folder, out=str(Path(folder) / "out.jsonl"),
                                     model=str(pipeline))
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {str(row["letters"]): row["rss_mb"] for row in rows}


def main(pipeline: Path, corpus_dir: Path, output: Path, letters_dirs: List[Path],
         min_words: int = typer.Option(100_000), stream_small: int = typer.Option(1_000),
         stream_large: int = typer.Option(10_000), repeats: int = typer.Option(5)):
    result = benchmark(pipeline, corpus_dir, output, letters_dirs, min_words, stream_small, stream_large, repeats)
    for key, value in result.items():
        typer.echo(f"{key:28} {value}")


if __name__ == "__main__":
    typer.run(main)
