"""The NER's embedding reads the entity ruler's matches: one key a token, from the longest match."""
import numpy
import pytest
import spacy
from spacy.strings import get_string_id
from spacy.util import load_config

from spacy_imr.ruler_features import ruler_feature_extractor, ruler_match_keys
from spacy_imr.windowed_tok2vec import DocWindow

from conftest import REPO

SENTENCE = ("Physical therapy was tried. The request for lumbar epidural steroid injection at L4-5 and "
            "Norco 10/325mg is not medically necessary per the MTUS.")
ALL_LABELS = {"DIAGNOSIS", "ANATOMY", "EXAM_FINDING", "GUIDELINE", "TREATMENT", "DECISION"}


def decoded(doc, keys):
    names = {get_string_id(name): name for name in ["O"] + [f"{tag}-{span.id_}" for span in doc.spans["ruler"]
                                                             for tag in "BI"]}
    return [names[key] for key in keys]


@pytest.fixture(scope="module")
def sentence(nlp):
    return nlp(SENTENCE)


def test_ruler_features_keys_follow_the_rulers_matches(sentence):
    keys = dict(zip((token.text for token in sentence), decoded(sentence, ruler_match_keys(sentence, "ruler", ALL_LABELS))))
    assert [keys[word] for word in ("Physical", "therapy", "was")] == ["B-therapies", "I-therapies", "O"]
    assert [keys[word] for word in ("for", "lumbar", "epidural", "steroid", "injection", "at")] == \
        ["O", "B-procedures", "I-procedures", "I-procedures", "I-procedures", "O"]
    assert [keys[word] for word in ("L4", "-", "5")] == ["B-anatomy", "I-anatomy", "I-anatomy"]
    assert [keys[word] for word in ("Norco", "10/325", "MTUS")] == ["B-drugs", "O", "B-guidelines"]


def test_ruler_features_only_the_configured_labels(sentence):
    keys = decoded(sentence, ruler_match_keys(sentence, "ruler", {"ANATOMY"}))
    assert [(token.text, key) for token, key in zip(sentence, keys) if key != "O"] == \
        [("lumbar", "B-anatomy"), ("L4", "B-anatomy"), ("-", "I-anatomy"), ("5", "I-anatomy")]


def test_ruler_features_window_reads_its_rows_of_the_whole_doc(sentence):
    extractor = ruler_feature_extractor(["NORM", "SHAPE"], "ruler", ALL_LABELS)
    (whole,) = extractor.predict([sentence])
    shared = {}
    (window,) = extractor.predict([DocWindow(sentence, 6, 20, shared)])
    assert whole.shape == (len(sentence), 3)
    numpy.testing.assert_array_equal(window, whole[6:20])
    assert whole[8, 2] == get_string_id("B-procedures")
    # the doc's keys are found once for all its windows: a later window reads them from the first's
    matches = sentence.spans["ruler"]
    sentence.spans["ruler"] = []
    (later,) = extractor.predict([DocWindow(sentence, 17, len(sentence), shared)])
    sentence.spans["ruler"] = matches
    numpy.testing.assert_array_equal(later, whole[17:])


def ner_layer(nlp):
    """The project's NER layer (configs/ner.cfg: rulers, tok2vec, ner) initialized on the sentence."""
    layer = spacy.util.load_model_from_config(load_config(REPO / "configs" / "ner.cfg"), auto_fill=True)
    layer.get_pipe("ner").add_label("TREATMENT")
    layer.initialize()
    return layer


def test_ruler_features_change_the_vectors_of_matched_tokens_only_within_reach(nlp, tmp_path):
    layer = ner_layer(nlp)
    doc = layer.make_doc(SENTENCE)
    for name in ("ruler", "ruler_case"):
        doc = layer.get_pipe(name)(doc)
    assert len(doc.spans["ruler"]) >= 6  # the rulers of the layer carry the packaged patterns
    tok2vec = layer.get_pipe("tok2vec").model
    (with_matches,) = tok2vec.predict([doc])
    doc.spans["ruler"] = []
    (without_matches,) = tok2vec.predict([doc])
    changed = [i for i in range(len(doc)) if not numpy.allclose(with_matches[i], without_matches[i])]
    # each of the encoder's convolutions carries a token's embedding window_size tokens further each way
    annotated = layer(SENTENCE)
    model_config = layer.config["components"]["tok2vec"]["model"]["tok2vec"]
    labels = model_config["embed"]["labels"]
    steps = model_config["encode"]["depth"] * model_config["encode"]["window_size"]
    matched = {i for span in annotated.spans["ruler"] if span.label_ in labels for i in range(span.start, span.end)}
    reach = {j for i in matched for j in range(i - steps, i + steps + 1) if 0 <= j < len(doc)}
    assert set(changed) == reach
    layer.to_disk(tmp_path / "layer")
    reloaded = spacy.load(tmp_path / "layer")
    (again,) = reloaded.get_pipe("tok2vec").model.predict([reloaded(SENTENCE)])
    numpy.testing.assert_array_equal(again, with_matches)


def test_ruler_features_matches_hidden_in_training_only(sentence):
    hidden = ruler_feature_extractor(["NORM"], "ruler", ALL_LABELS, match_dropout=1.0)
    (training,), _ = hidden([sentence], is_train=True)
    (predicting,) = hidden.predict([sentence])
    assert set(training[:, 1].tolist()) == {get_string_id("O")}
    assert predicting[8, 1] == get_string_id("B-procedures")
    assert ruler_match_keys(sentence, "ruler", ALL_LABELS, dropout=0.0) == predicting[:, 1].tolist()
