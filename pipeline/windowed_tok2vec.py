"""A tok2vec that embeds a very long text a window of tokens at a time.

spaCy's CNN tok2vec holds several float arrays of (tokens x width x pieces) for everything it is
given at once, so one very long input (a bundle of letters, an appeal quoting several) grows memory
with its length. At prediction time this layer embeds letters of ordinary length together, exactly
as the wrapped tok2vec does, and feeds a doc longer than `window_tokens` through it one window at a
time. The windows overlap by the CNN's receptive field, so every token gets the vectors one pass
would give it. Letters of a batch are embedded in groups of at most `window_tokens` tokens, so a
large batch costs no more a token than a small one. Training passes docs straight through:
training letters are letter-sized.
"""
from typing import Callable, Dict, Hashable, Iterator, List, Optional, Sequence, Tuple

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model
from thinc.types import Floats2d, Ints2d


def receptive_field(tok2vec: Model) -> int:
    """Tokens of context each side that reach a token's vector: the window sizes of the encoder's
    convolution layers added up (spaCy's encoders widen the context with thinc's expand_window)."""
    return sum(node.attrs["window_size"] for node in tok2vec.walk() if node.name == "expand_window")


def windows(length: int, size: int, context: int) -> List[Tuple[int, int, int, int]]:
    """(start, end) of each window's tokens, then the first row to keep and how many, covering
    tokens 0..length in order."""
    pieces = []
    for start in range(0, length, size):
        end = min(start + size, length)
        left = max(0, start - context)
        pieces.append((left, min(length, end + context), start - left, end - start))
    return pieces


class DocWindow:
    """Tokens [start, end) of a doc as spaCy's feature extraction reads a Doc (`to_array`), without
    copying the doc; the doc's attribute arrays (and other per-token rows, `rows`) are read once for
    all its windows."""

    def __init__(self, doc: Doc, start: int, end: int, arrays: Dict[Hashable, Sequence]):
        self.doc, self.start, self.end, self._arrays = doc, start, end, arrays

    @property
    def vocab(self):
        return self.doc.vocab

    def __len__(self) -> int:
        return self.end - self.start

    def to_array(self, columns: Sequence) -> Ints2d:
        key = tuple(columns) if isinstance(columns, (list, tuple)) else columns
        return self.rows(key, lambda doc: doc.to_array(columns))

    def rows(self, key: Hashable, compute: Callable[[Doc], Sequence]) -> Sequence:
        """This window's rows of `compute(doc)`, computed once for all the doc's windows under `key`."""
        if key not in self._arrays:
            self._arrays[key] = compute(self.doc)
        return self._arrays[key][self.start:self.end]


@registry.architectures("spacy_imr.WindowedTok2Vec.v1")
def build_windowed_tok2vec(tok2vec: Model[List[Doc], List[Floats2d]], window_tokens: int) -> Model[List[Doc], List[Floats2d]]:
    """tok2vec: the wrapped embedding and encoder; window_tokens: the longest doc embedded in one pass."""
    width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else None
    return Model("windowed_tok2vec", forward, init=init, layers=[tok2vec], dims={"nO": width},
                 attrs={"window_tokens": window_tokens})


def init(model: Model, X: Optional[List[Doc]] = None, Y=None) -> Model:
    tok2vec = model.layers[0]
    tok2vec.initialize(X=X, Y=Y)
    if tok2vec.has_dim("nO"):
        model.set_dim("nO", tok2vec.get_dim("nO"))
    return model


def forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[List[Floats2d], Callable]:
    tok2vec = model.layers[0]
    if is_train:
        return tok2vec(docs, is_train)
    size = model.attrs["window_tokens"]
    letters = [doc for doc in docs if len(doc) <= size]
    encoded: Iterator[Floats2d] = (rows for group in _groups(letters, size) for rows in tok2vec.predict(group))
    outputs = [next(encoded) if len(doc) <= size else _encode_long(tok2vec, doc, size) for doc in docs]
    return outputs, lambda d_outputs: []


def _groups(docs: List[Doc], size: int) -> Iterator[List[Doc]]:
    """Consecutive docs of at most `size` tokens together: a batch's arrays stay as small as one
    window's, which also keeps them in the processor's cache (in one piece, a batch of 128 letters
    took about a sixth longer a token than one of 16)."""
    group: List[Doc] = []
    tokens = 0
    for doc in docs:
        if group and tokens + len(doc) > size:
            yield group
            group, tokens = [], 0
        group.append(doc)
        tokens += len(doc)
    if group:
        yield group


def _encode_long(tok2vec: Model, doc: Doc, size: int) -> Floats2d:
    arrays: Dict[Hashable, Sequence] = {}
    parts = []
    for start, end, first, count in windows(len(doc), size, receptive_field(tok2vec)):
        (rows,) = tok2vec.predict([DocWindow(doc, start, end, arrays)])
        parts.append(rows[first: first + count])
    return tok2vec.ops.xp.vstack(parts)
