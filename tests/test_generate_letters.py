"""The synthetic letter generator (scripts/generate_letters.py): determinism, corpus validity, vocabulary
provenance of the spans, relation ends, and variety of layouts and artifacts."""
import sys
from collections import Counter

import pytest
import spacy

from spacy_imr.corpus import ENTITY_LABELS, RELATION_ENDS, gold_layers, text_sha256, validate_record
from spacy_imr.loading import TOKENIZER

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from generate_letters import generate_letters, label_vocabulary, names_vocabulary_term  # noqa: E402

VOCAB = REPO / "corpus" / "vocab"


@pytest.fixture(scope="module")
def letters():
    return generate_letters(VOCAB, 40, seed=7)


def test_generate_letters_same_seed_same_output(letters):
    assert generate_letters(VOCAB, 40, seed=7) == letters
    assert generate_letters(VOCAB, 5, seed=8) != letters[:5]
    assert generate_letters(VOCAB, 5, seed=7) == letters[:5]


def test_generate_letters_records_pass_the_corpus_validator(letters):
    manifest = {record["id"]: {"id": record["id"], "split": "train", "source": "generated"} for record in letters}
    assert len(manifest) == len(letters)
    for record in letters:
        assert record["meta"]["source"] == "generated" and record["meta"]["split"] == "train"
        assert record["text_sha256"] == text_sha256(record["text"])
        assert validate_record(record, record["text"], manifest) == []


def test_generate_letters_spans_name_a_term_of_their_labels_vocabulary(letters):
    vocabulary = label_vocabulary(VOCAB)
    for record in letters:
        for span in record["spans"]:
            if span["label"] in ENTITY_LABELS:
                text = record["text"][span["start"]:span["end"]]
                assert names_vocabulary_term(text, vocabulary[span["label"]]), (record["id"], span["label"], text)


def test_generate_letters_relations_join_existing_spans_of_the_right_labels(letters):
    for record in letters:
        spans = record["spans"]
        assert record["relations"]
        heads_with_decision = set()
        for relation in record["relations"]:
            assert 0 <= relation["head"] < len(spans) and 0 <= relation["child"] < len(spans)
            heads, children = RELATION_ENDS[relation["label"]]
            assert spans[relation["head"]]["label"] in heads and spans[relation["child"]]["label"] in children
            if relation["label"] == "CITES":
                assert relation["party"] in ("claims_administrator", "reviewer")
            if relation["label"] == "HAS_DECISION":
                heads_with_decision.add(relation["head"])
        rationale_heads = {r["head"] for r in record["relations"] if r["label"] == "HAS_RATIONALE"}
        assert rationale_heads and rationale_heads <= heads_with_decision


def test_generate_letters_vary_layout_artifacts_and_length(letters):
    layouts = Counter(record["meta"]["layout"] for record in letters)
    assert set(layouts) == {"A", "B", "C", "0"}
    phenomena = Counter(p for record in letters for p in record["meta"]["phenomena"])
    for artifact in ("trailing_spaces", "page_artifacts", "double_spaced", "section_order"):
        assert phenomena[artifact] > 0, artifact
    assert any("\f" in record["text"] for record in letters)
    assert any("  " in record["text"] for record in letters)
    lengths = sorted(len(record["text"]) for record in letters)
    assert lengths[-1] > 2 * lengths[0]
    items = Counter(sum(r["label"] == "HAS_RATIONALE" for r in record["relations"]) for record in letters)
    assert len(items) >= 3


def test_generate_letters_spans_align_on_the_letter_tokenizer(letters):
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": TOKENIZER}})
    for record in letters[:8]:
        doc = nlp.make_doc(record["text"])
        spans = gold_layers(doc, record)
        assert all(span is not None for span in spans)
        assert len(doc.ents) == sum(s["label"] in ENTITY_LABELS for s in record["spans"])
