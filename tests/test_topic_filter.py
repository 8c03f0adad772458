"""The ruler's terms in a guideline statement name the guideline's topics, not the patient's treatment."""
import spacy
from spacy.tokens import Span

STATEMENT = ("MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): "
             "Aquatic therapy; Opioids.\nDecision rationale: Aquatic therapy is an option for the lumbar spine. ")


def statement_doc(nlp):
    doc = nlp.make_doc(STATEMENT)
    text = doc.text

    def span(phrase, label, occurrence=0, span_id=""):
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(phrase, start + 1)
        return doc.char_span(start, start + len(phrase), label=label, span_id=span_id)

    doc.ents = [span("MTUS Chronic Pain Medical Treatment", "GUIDELINE", span_id="guidelines"),
                span("Aquatic therapy", "TREATMENT", span_id="therapies"),  # the ruler's, in the statement
                span("Opioids", "TREATMENT"),  # the NER's, in the statement
                span("Aquatic therapy", "TREATMENT", 1, span_id="therapies"),  # the ruler's, in the rationale
                span("lumbar spine", "ANATOMY", span_id="anatomy")]
    doc.spans["guideline_statements"] = [Span(doc, 0, doc.char_span(0, text.index("\n"), alignment_mode="expand").end,
                                              label="reviewer")]
    return doc


def kept(**config):
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_topic_filter", config=config)
    return [(ent.text, ent.start_char < STATEMENT.index("\n")) for ent in component(statement_doc(nlp)).ents]


def test_topic_filter_drops_the_rulers_terms_in_statements_only():
    assert kept() == [("MTUS Chronic Pain Medical Treatment", True), ("Opioids", True),
                      ("Aquatic therapy", False), ("lumbar spine", False)]


def test_topic_filter_labels_come_from_the_config():
    assert ("Aquatic therapy", True) in kept(labels=["ANATOMY"])


def test_topic_filter_without_statements_keeps_every_entity():
    nlp = spacy.blank("en")
    doc = statement_doc(nlp)
    doc.spans["guideline_statements"] = []
    assert len(nlp.add_pipe("imr_topic_filter")(doc).ents) == 5
