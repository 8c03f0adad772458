"""Extraction on a Dask cluster, for more letters than one machine gets through.

The letters go to the workers in batches, by path: every worker must see the paths (a shared
filesystem or the same copy on each machine). Each worker process loads the pipeline once, on its
first batch, and returns finished records, so the client only writes. Batches are submitted a
bounded number ahead of the one being written, and records come back in input order.
"""
import logging
import os
from collections import deque
from typing import Collection, Dict, Iterator, List, Optional

from spacy.language import Language

from .errors import Errors
from .extract import iter_records
from .loading import load
from .reading import DEFAULT_MAX_BYTES

logger = logging.getLogger(__name__)
# Batches in flight per worker thread: enough to keep every worker busy while one batch is written.
BATCHES_AHEAD_PER_THREAD = 2
# The pipeline of each worker process, by model name; loaded on the worker's first batch.
_pipelines: Dict[Optional[str], Language] = {}


def batch_records(sources: List[str], model: Optional[str], max_bytes: int, skip: Collection[str]) -> List[Dict]:
    """Runs on a worker: the records of one batch, as a local run gives them."""
    if model not in _pipelines:
        _pipelines[model] = load(model)
    return list(iter_records(_pipelines[model], sources, max_bytes=max_bytes, skip=skip))


def iter_records_dask(address: str, sources: List[str], *, model: Optional[str] = None, batch_size: int = 16,
                      max_bytes: int = DEFAULT_MAX_BYTES, skip: Collection[str] = frozenset(),
                      n_workers: Optional[int] = None) -> Iterator[Dict]:
    """Records of `sources` in input order, from a cluster at `address` ("local" starts a
    LocalCluster of one single-threaded worker process per core)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as error:
        raise ImportError(Errors.E016) from error
    if model is not None and os.path.exists(model):
        model = os.path.abspath(model)  # workers may start in another directory
    batches = [sources[start:start + batch_size] for start in range(0, len(sources), batch_size)]
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=":0")  # any free port
    try:
        with Client(cluster if cluster is not None else address) as client:
            threads = sum(client.nthreads().values()) or 1
            shared_skip = client.scatter(frozenset(skip), broadcast=True) if skip else frozenset()
            pending = deque()
            for batch in batches:
                pending.append(client.submit(batch_records, batch, model, max_bytes, shared_skip,
                                             pure=False))
                while len(pending) >= BATCHES_AHEAD_PER_THREAD * threads:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        if cluster is not None:
            cluster.close()
