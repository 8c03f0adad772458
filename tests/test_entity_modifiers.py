"""Entities extended over the words that modify them: the ruler's by their lists, the NER's diagnoses by
their site words."""
import spacy
from spacy.tokens import Span

TEXT = "Assessment: right knee sprain and left shoulder arthroscopy were discussed."


def modifiers_pipeline(**config):
    nlp = spacy.blank("en")
    nlp.add_pipe("imr_entity_modifiers", config=config)
    nlp.initialize()
    return nlp


def ner_doc(nlp):
    """The doc as a NER leaves it: entities without a ruler pattern id."""
    doc = nlp.make_doc(TEXT)
    doc.ents = [Span(doc, 4, 5, label="DIAGNOSIS"), Span(doc, 8, 9, label="TREATMENT")]  # sprain, arthroscopy
    return doc


def test_entity_modifiers_ner_diagnosis_takes_its_site_words():
    nlp = modifiers_pipeline()
    doc = nlp(ner_doc(nlp))
    assert [(ent.text, ent.label_) for ent in doc.ents] == [("right knee sprain", "DIAGNOSIS"),
                                                            ("arthroscopy", "TREATMENT")]


def test_entity_modifiers_ner_labels_come_from_the_config():
    nlp = modifiers_pipeline(ner_left_labels=["DIAGNOSIS", "TREATMENT"])
    doc = nlp(ner_doc(nlp))
    assert [ent.text for ent in doc.ents] == ["right knee sprain", "left shoulder arthroscopy"]
    nlp = modifiers_pipeline(ner_left_labels=[])
    doc = nlp(ner_doc(nlp))
    assert [ent.text for ent in doc.ents] == ["sprain", "arthroscopy"]


def test_entity_modifiers_config_survives_to_disk(tmp_path):
    nlp = modifiers_pipeline(ner_left_labels=["TREATMENT"])
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    doc = loaded(ner_doc(loaded))
    assert [ent.text for ent in doc.ents] == ["sprain", "left shoulder arthroscopy"]


GUIDELINE_TEXT = "Decision based on Non-MTUS Citation Official Disability Guidelines for lumbar MRI."


def gap_doc(nlp):
    """The NER found the ODG and the MRI; the ruler matched MTUS inside "Non-MTUS" and both again."""
    doc = nlp.make_doc(GUIDELINE_TEXT)
    words = [token.text for token in doc]
    mtus, odg, mri = words.index("MTUS"), words.index("Official"), words.index("MRI")
    doc.ents = [Span(doc, odg, odg + 3, label="GUIDELINE"), Span(doc, mri - 1, mri + 1, label="TREATMENT")]
    doc.spans["ruler"] = [Span(doc, mtus, mtus + 1, label="GUIDELINE"), Span(doc, odg, odg + 3, label="GUIDELINE"),
                          Span(doc, mri, mri + 1, label="TREATMENT")]
    return doc


def test_entity_modifiers_ruler_fills_gaps_of_every_label_by_default():
    nlp = modifiers_pipeline()
    doc = nlp(gap_doc(nlp))
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("MTUS", "GUIDELINE"), ("Official Disability Guidelines", "GUIDELINE"), ("lumbar MRI", "TREATMENT")]


def test_entity_modifiers_gap_labels_keep_the_ruler_out_of_other_labels(tmp_path):
    nlp = modifiers_pipeline(gap_labels=["TREATMENT"])
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    doc = loaded(gap_doc(loaded))
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("Official Disability Guidelines", "GUIDELINE"), ("lumbar MRI", "TREATMENT")]


def test_entity_modifiers_longest_head_term_names_the_type():
    """The NER's "shoulder decompression" (before "test") ends with two ruler terms: the exam test
    "shoulder decompression" and the procedure "decompression". The longer one names its type."""
    nlp = modifiers_pipeline()
    doc = nlp.make_doc("Shoulder decompression test is positive bilaterally.")
    doc.ents = [Span(doc, 0, 2, label="TREATMENT")]
    doc.spans["ruler"] = [Span(doc, 0, 2, label="EXAM_FINDING", span_id="exam_tests"),
                          Span(doc, 1, 2, label="TREATMENT", span_id="procedures")]
    assert [(ent.text, ent.label_) for ent in nlp(doc).ents] == [("Shoulder decompression", "EXAM_FINDING")]
