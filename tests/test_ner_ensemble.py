"""Several trained NERs merged into one spaCy NER that scores each move with their mean (spacy_imr.ner_ensemble)."""
import numpy
import pytest
import spacy
from spacy.training import Example

from spacy_imr.ner_ensemble import build_member_tok2vecs, copy_model, merge_ners, merged_model_config

from conftest import mean_score_entities, merged_score_gaps

# The members are small spaCy NERs trained here on a few sentences of letter prose (written for the
# tests): which entities they find is not the point, only how the merged model combines them.
MEMBER_MODEL = {
    "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
    "hidden_width": 24, "maxout_pieces": 2, "use_upper": True, "nO": None,
    "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None, "width": 32, "depth": 2,
                "embed_size": 500, "window_size": 1, "maxout_pieces": 2, "subword_features": True},
}
TRAINING = [
    ("There was tenderness over the lumbar paraspinal muscles.", [("tenderness", "EXAM_FINDING"),
                                                                 ("lumbar paraspinal muscles", "ANATOMY")]),
    ("The request for Norco 10/325mg #60 is not medically necessary.", [("Norco 10/325mg #60", "TREATMENT"),
                                                                        ("is not medically necessary", "DECISION")]),
    ("She has right shoulder impingement syndrome.", [("right shoulder impingement syndrome", "DIAGNOSIS")]),
    ("Spurling's test was positive on the left.", [("Spurling's test", "EXAM_FINDING")]),
    ("Physical therapy for the cervical spine is medically necessary.", [
        ("Physical therapy for the cervical spine", "TREATMENT"), ("is medically necessary", "DECISION")]),
]
TEXTS = ["There was tenderness over the cervical paraspinal muscles and Spurling's test was positive.",
         "The request for Norco 10/325mg #60 is not medically necessary.", "",
         "She has left shoulder impingement syndrome; physical therapy for the lumbar spine is medically necessary."]


def trained_ner(seed: int, steps: int = 15):
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config={"model": MEMBER_MODEL})
    train = []
    for text, entities in TRAINING:
        spans = [(text.index(phrase), text.index(phrase) + len(phrase), label) for phrase, label in entities]
        train.append(Example.from_dict(nlp.make_doc(text), {"entities": spans}))
    optimizer = nlp.initialize(lambda: train)
    optimizer.learn_rate = 0.01
    for _ in range(steps):
        nlp.update(train, sgd=optimizer, drop=0.0)
    return nlp


@pytest.fixture(scope="module")
def members():
    return [trained_ner(0), trained_ner(1, steps=8)]


def merged_of(members):
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner", config={"model": merged_model_config(MEMBER_MODEL, len(members))})
    merge_ners([member.get_pipe("ner") for member in members], ner)
    return nlp


def ents(doc):
    return [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


def silenced(nlp):
    """`nlp` with the NER's last layer set to score the move "O" (outside any entity) far above all others."""
    ner = nlp.get_pipe("ner")
    upper = ner.model.get_ref("upper")
    upper.set_param("W", numpy.zeros_like(upper.get_param("W")))
    bias = numpy.zeros_like(upper.get_param("b"))
    bias[next(i for i in range(ner.moves.n_moves) if ner.moves.get_class_name(i) == "O")] = 1000.0
    upper.set_param("b", bias)
    return nlp


def test_ner_ensemble_scores_every_move_with_the_members_mean(members):
    for text in TEXTS[:2] + TEXTS[3:]:
        gaps = merged_score_gaps(merged_of(members), members, text)
        assert len(gaps) >= len(text.split()) and max(gaps) < 1e-4


def test_ner_ensemble_decodes_as_the_mean_of_its_members(members):
    merged = merged_of(members)
    found = [ents(doc) for doc in merged.pipe(TEXTS)]
    assert found == [mean_score_entities(members, text) for text in TEXTS]
    assert any(found)


def test_ner_ensemble_of_the_same_model_twice_finds_what_it_finds(members):
    merged = merged_of([members[0], members[0]])
    assert [ents(doc) for doc in merged.pipe(TEXTS)] == [ents(members[0](text)) for text in TEXTS]


def test_ner_ensemble_a_member_weighs_by_its_scores(members):
    # a member that all but forbids entities outweighs the other in the mean
    assert all(ents(doc) == [] for doc in merged_of([members[0], silenced(trained_ner(0))]).pipe(TEXTS))
    # a member with no preference (every move scored 0) leaves the decision to the other
    flat = silenced(trained_ner(0))
    upper = flat.get_pipe("ner").model.get_ref("upper")
    upper.set_param("b", numpy.zeros_like(upper.get_param("b")))
    assert [ents(doc) for doc in merged_of([members[1], flat]).pipe(TEXTS)] == [ents(members[1](text)) for text in TEXTS]


def test_ner_ensemble_round_trips_to_disk_and_bytes(members, tmp_path):
    merged = merged_of(members)
    expected = [ents(doc) for doc in merged.pipe(TEXTS)]
    merged.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.config["components"]["ner"]["model"]["tok2vec"]["@architectures"] == "spacy_imr.MemberTok2Vecs.v1"
    assert [ents(doc) for doc in loaded.pipe(TEXTS)] == expected
    from_bytes = spacy.blank("en")
    from_bytes.add_pipe("ner", config={"model": merged_model_config(MEMBER_MODEL, 2)})
    from_bytes.from_bytes(merged.to_bytes())
    assert [ents(doc) for doc in from_bytes.pipe(TEXTS)] == expected


def test_ner_ensemble_same_entities_with_two_processes(members):
    merged = merged_of(members)
    assert [ents(doc) for doc in merged.pipe(TEXTS, n_process=2, batch_size=1)] == [ents(merged(text)) for text in TEXTS]


def test_ner_ensemble_refuses_members_that_do_not_fit(members):
    other_labels = spacy.blank("en")
    other_labels.add_pipe("ner", config={"model": MEMBER_MODEL}).add_label("TREATMENT")
    other_labels.initialize()
    with pytest.raises(ValueError, match="know different moves"):
        merged_of([members[0], other_labels])
    with pytest.raises(ValueError, match="at least one member, not 0"):
        build_member_tok2vecs(members[0].get_pipe("ner").model.get_ref("tok2vec").layers[0], 0, 24)


def test_ner_ensemble_copy_model_has_its_own_nodes_and_references(members):
    model = members[0].get_pipe("ner").model
    copied = copy_model(model)
    for ref in ("tok2vec", "lower", "upper"):
        assert copied.get_ref(ref) is not model.get_ref(ref)
        assert copied.get_ref(ref) in list(copied.walk())
    numpy.testing.assert_array_equal(copied.get_ref("upper").get_param("W"), model.get_ref("upper").get_param("W"))
