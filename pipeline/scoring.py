"""Scoring helpers shared by the components' registered scorers."""
from typing import Dict, Iterable

from spacy.scorer import Scorer
from spacy.training import Example


def score_span_group(examples: Iterable[Example], key: str, **kwargs) -> Dict[str, object]:
    """P/R/F of doc.spans[key] as `spans_<key>_p|r|f|per_type`, spaCy's span scoring."""
    return Scorer.score_spans(
        examples, attr=f"spans_{key}",
        getter=lambda doc, attr: list(doc.spans.get(key, [])),
        has_annotation=lambda doc: key in doc.spans, **kwargs)
