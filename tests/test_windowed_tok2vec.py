"""The windowed tok2vec gives a long letter the vectors of one pass while never embedding more than
its window of tokens at once."""
import numpy
import pytest
import spacy
from spacy.util import load_config
from thinc.api import Model

from spacy_imr.windowed_tok2vec import build_windowed_tok2vec, receptive_field, windows

from conftest import FIXTURES, REPO

LETTERS = ("a2016_multi_item_mixed.txt", "b_maximus_header.txt", "notice_2013.txt")


def ner_layer_config(window_tokens: int, depth: int = 2):
    """The project's NER config with a smaller window and, optionally, a deeper encoder."""
    overrides = {"components.tok2vec.model.window_tokens": window_tokens,
                 "components.tok2vec.model.tok2vec.encode.depth": depth}
    return load_config(REPO / "configs" / "ner.cfg", overrides=overrides)


def initialized_tok2vec(window_tokens: int, depth: int = 2):
    nlp = spacy.util.load_model_from_config(ner_layer_config(window_tokens, depth), auto_fill=True)
    nlp.get_pipe("ner").add_label("TREATMENT")
    nlp.initialize()
    return nlp, nlp.get_pipe("tok2vec").model


def numbered_doc(nlp, length: int):
    return nlp.make_doc(" ".join(f"w{i}" for i in range(length)))


def position_model(seen_lengths):
    """Encodes each token "w<i>" as i, reading tokens as spaCy's feature extractor does, and
    records how many tokens each call got."""
    def forward(model, docs, is_train):
        seen_lengths.append(sum(len(doc) for doc in docs))
        strings = docs[0].vocab.strings
        rows = [numpy.asarray([[int(strings[orth][1:])] for orth in doc.to_array("ORTH")], dtype="f")
                for doc in docs]
        return rows, lambda d_rows: []
    return Model("positions", forward)


def test_windowed_tok2vec_stitches_windows_in_order():
    nlp = spacy.blank("en")
    docs = [numbered_doc(nlp, length) for length in (1000, 250, 99, 100, 101, 3)]
    seen = []
    model = build_windowed_tok2vec(position_model(seen), window_tokens=100)
    vectors = model.predict(docs)
    for doc, rows in zip(docs, vectors):
        assert rows[:, 0].tolist() == list(range(len(doc)))
    # longer letters a window at a time (no convolution, no overlap); those that fit in groups of
    # at most a window, each embedded when the first of its letters is reached
    assert seen == [100] * 10 + [100, 100, 50] + [99] + [100] + [100, 1] + [3]
    seen.clear()
    model.predict([numbered_doc(nlp, length) for length in (30, 40, 30, 60, 41, 59)])
    assert seen == [30 + 40 + 30, 60, 41 + 59]


@pytest.mark.parametrize("depth", [2, 4])
def test_windowed_tok2vec_grouped_letters_same_vectors_as_one_pass(depth):
    text = [(FIXTURES / "letters" / name).read_text() for name in LETTERS]
    nlp, _ = initialized_tok2vec(window_tokens=128, depth=depth)
    docs = [nlp.make_doc(letter) for letter in text]
    _, model = initialized_tok2vec(window_tokens=max(len(doc) for doc in docs), depth=depth)
    assert sum(len(doc) for doc in docs) > model.attrs["window_tokens"]  # more than one group
    for grouped, whole in zip(model.predict(docs), model.layers[0].predict(docs)):
        numpy.testing.assert_array_equal(grouped, whole)


def test_windowed_tok2vec_windows_overlap_by_the_context():
    assert windows(25, 10, 2) == [(0, 12, 0, 10), (8, 22, 2, 10), (18, 25, 2, 5)]
    assert windows(25, 25, 2) == [(0, 25, 0, 25)]


@pytest.mark.parametrize("depth", [2, 4])
def test_windowed_tok2vec_receptive_field_follows_the_encoder(depth):
    _, model = initialized_tok2vec(window_tokens=64, depth=depth)
    assert receptive_field(model.layers[0]) == depth


@pytest.mark.parametrize("depth", [2, 4])
def test_windowed_tok2vec_long_letter_same_vectors_as_one_pass(depth):
    nlp, model = initialized_tok2vec(window_tokens=128, depth=depth)
    text = "\n\n".join((FIXTURES / "letters" / name).read_text() for name in LETTERS)
    doc = nlp.make_doc(text)
    assert len(doc) > 10 * 128
    (windowed,) = model.predict([doc])
    (whole,) = model.layers[0].predict([doc])
    numpy.testing.assert_array_equal(windowed, whole)


def test_windowed_tok2vec_pipeline_round_trip(tmp_path):
    nlp, model = initialized_tok2vec(window_tokens=128)
    text = (FIXTURES / "letters" / "a2016_multi_item_mixed.txt").read_text()
    before = [(ent.start_char, ent.end_char, ent.label_) for ent in nlp(text).ents]
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe("tok2vec").model.attrs["window_tokens"] == 128
    numpy.testing.assert_array_equal(loaded.get_pipe("tok2vec").model.predict([loaded.make_doc(text)])[0],
                                     model.predict([nlp.make_doc(text)])[0])
    assert [(ent.start_char, ent.end_char, ent.label_) for ent in loaded(text).ents] == before
