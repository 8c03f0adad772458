"""The training augmenter that repeats the letters of chosen sources."""
import spacy
from spacy.training import Example
from spacy.util import registry


def _example(nlp, source):
    reference = nlp.make_doc("Lumbar MRI is not medically necessary.")
    if source is not None:
        reference.user_data["source"] = source
    return Example(nlp.make_doc(reference.text), reference)


def test_source_repeats_repeats_letters_of_listed_sources_only():
    nlp = spacy.blank("en")
    augment = registry.augmenters.get("spacy_imr.source_repeats.v1")(repeats={"dwc": 3, "seed": 2})
    real = _example(nlp, "dwc")
    seen = list(augment(nlp, real))
    assert len(seen) == 3 and seen[0] is real
    # each repeat has its own predicted doc, which the annotating components annotate in place
    assert len({id(example.predicted) for example in seen}) == 3
    assert [example.reference.text for example in seen] == [real.reference.text] * 3
    assert len(list(augment(nlp, _example(nlp, "seed")))) == 2
    assert len(list(augment(nlp, _example(nlp, "written")))) == 1
    assert len(list(augment(nlp, _example(nlp, None)))) == 1


def test_source_repeats_as_the_augmenter_of_spacys_corpus_reader(tmp_path):
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    doc = nlp.make_doc("Decision: upheld.")
    doc.user_data["source"] = "dwc"
    DocBin(docs=[doc], store_user_data=True).to_disk(tmp_path / "train.spacy")
    corpus = registry.readers.get("spacy.Corpus.v1")(
        tmp_path / "train.spacy", gold_preproc=False, augmenter=registry.augmenters.get("spacy_imr.source_repeats.v1")(repeats={"dwc": 2}))
    assert [example.reference.text for example in corpus(nlp)] == ["Decision: upheld."] * 2
