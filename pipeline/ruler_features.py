"""The entity ruler's matches as a feature of the trained NER's embedding.

spaCy's MultiHashEmbed embeds a token from its own attributes (NORM, PREFIX, SUFFIX, SHAPE). This
embedding adds one more column: where the token stands in the ruler's longest match ("B-drugs",
"I-therapies", from doc.spans["ruler"] and the pattern's list) or nothing. The NER then learns how
far to trust the curated vocabulary in each context, instead of the ruler's matches only filling its
gaps afterwards: the ruler runs before the NER as an annotating component (configs/ner.cfg), and
imr_entity_modifiers still adds its matches where the NER found nothing. In training each match is
hidden with probability `match_dropout`: without that the NER leant on the ruler and found fewer of
the entities no ruler term names (configs/ner.cfg has the figures).
"""
from functools import lru_cache
from typing import Callable, Collection, List, Sequence, Tuple

import numpy
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.util import filter_spans, registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d, Ints1d, Ints2d

from .windowed_tok2vec import DocWindow

NO_MATCH = get_string_id("O")


def ruler_match_keys(doc: Doc, spans_key: str, labels: Collection[str], dropout: float = 0.0) -> List[int]:
    """One key a token: the hash of "B-<list>" or "I-<list>" of the longest ruler match of `labels`
    over it, else of "O". In training each match is left out with probability `dropout`."""
    keys = [NO_MATCH] * len(doc)
    matches = [span for span in doc.spans.get(spans_key, []) if span.label_ in labels]
    if dropout:
        matches = [span for span in matches if numpy.random.random() >= dropout]
    for span in filter_spans(matches):
        begin, inside = _match_keys(span.id_ or span.label_)
        keys[span.start] = begin
        keys[span.start + 1:span.end] = [inside] * (len(span) - 1)
    return keys


@lru_cache(maxsize=None)
def _match_keys(name: str) -> Tuple[int, int]:
    return get_string_id(f"B-{name}"), get_string_id(f"I-{name}")


def ruler_feature_extractor(columns: Sequence, spans_key: str, labels: Sequence[str],
                            match_dropout: float = 0.0) -> Model[List[Doc], List[Ints2d]]:
    """spaCy's FeatureExtractor with the ruler's match key as the last column. A window of a long doc
    (windowed_tok2vec.DocWindow) reads its rows of the whole doc's keys, found once for all its windows."""
    return Model("ruler_feature_extractor", _extract, attrs={"columns": list(columns), "spans_key": spans_key,
                                                               "labels": list(labels), "match_dropout": match_dropout})


def _extract(model: Model, docs: List, is_train: bool) -> Tuple[List[Ints2d], Callable]:
    columns, spans_key, labels = model.attrs["columns"], model.attrs["spans_key"], model.attrs["labels"]
    dropout = model.attrs["match_dropout"] if is_train else 0.0

    def match_keys(whole: Doc) -> List[int]:
        return ruler_match_keys(whole, spans_key, labels, dropout)

    features = []
    for doc in docs:
        rows = doc.rows(("ruler_match_keys", spans_key), match_keys) if isinstance(doc, DocWindow) else match_keys(doc)
        keys: Ints1d = model.ops.asarray1i(rows, dtype="uint64")
        attrs = model.ops.asarray2i(doc.to_array(columns), dtype="uint64")
        features.append(model.ops.xp.hstack([attrs.reshape((len(doc), len(columns))), keys.reshape((-1, 1))]))
    return features, lambda d_features: []


@registry.architectures("spacy_imr.RulerHashEmbed.v1")
def build_ruler_hash_embed(width: int, attrs: List[str], rows: List[int], ruler_rows: int, spans_key: str,
                           labels: List[str], match_dropout: float = 0.0) -> Model[List[Doc], List[Floats2d]]:
    """spaCy's MultiHashEmbed.v2 (without static vectors) over `attrs` plus the key of the ruler's
    matches of `labels`, embedded in a table of `ruler_rows` rows; in training each match is hidden
    with probability `match_dropout`, so that the NER keeps learning from context."""
    embeddings = [HashEmbed(width, n_rows, column=i, seed=8 + i, dropout=0.0) for i, n_rows in enumerate(rows)]
    embeddings.append(HashEmbed(width, ruler_rows, column=len(attrs), seed=8 + len(attrs), dropout=0.0))
    return chain(
        ruler_feature_extractor(attrs, spans_key, labels, match_dropout),
        list2ragged(),
        with_array(concatenate(*embeddings)),
        with_array(Maxout(width, width * len(embeddings), nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
