"""Scoring helpers shared by the components' registered scorers."""
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy
from spacy.scorer import Scorer
from spacy.training import Example


def score_span_group(examples: Iterable[Example], key: str, **kwargs) -> Dict[str, object]:
    """P/R/F of doc.spans[key] as `spans_<key>_p|r|f|per_type`, spaCy's span scoring."""
    return Scorer.score_spans(
        examples, attr=f"spans_{key}",
        getter=lambda doc, attr: list(doc.spans.get(key, [])),
        has_annotation=lambda doc: key in doc.spans, **kwargs)


def letter_totals(by_label: Dict[str, Sequence[Tuple[int, int, int]]]) -> List[Tuple[int, ...]]:
    """Each letter's (true positives, predicted, gold) summed over the labels; every label's rows are in
    the same order of letters."""
    return [tuple(map(sum, zip(*rows))) for rows in zip(*by_label.values())]


def letter_bootstrap_interval(letter_counts: Sequence[Tuple[int, int, int]], *, resamples: int = 1000, seed: int = 0,
                              level: float = 0.95) -> List[float]:
    """The percentile interval of micro F1 over letters drawn with replacement, from each letter's (true
    positives, predicted, gold) counts: how far the score could move on another sample of letters like these.
    Letters, not entities, are resampled because a letter's errors come together (one layout, one writer)."""
    counts = numpy.asarray(letter_counts, dtype=float).reshape(-1, 3)
    if not len(counts):
        return [0.0, 0.0]
    picks = numpy.random.default_rng(seed).integers(0, len(counts), size=(resamples, len(counts)))
    true_positives, predicted, gold = counts[picks].sum(axis=1).T
    scores = numpy.divide(2 * true_positives, predicted + gold, out=numpy.zeros(resamples), where=predicted + gold > 0)
    low, high = numpy.quantile(scores, [(1 - level) / 2, (1 + level) / 2])
    return [round(float(low), 4), round(float(high), 4)]
