"""The ruler's terms in a guideline statement name the guideline's topics, not the patient's treatment;
a citation line ("Decision based on ..., Section(s): ...") names no treatment at all."""
import spacy
from spacy.tokens import Span

STATEMENT = ("Claims Administrator guideline: The Claims Administrator relied on the ODG for the Aquatic therapy "
             "and Opioids.\nMAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): "
             "Aquatic therapy; Opioids.\nDecision rationale: Aquatic therapy is an option for the lumbar spine. ")
RATIONALE = STATEMENT.index("Decision rationale")


def statement_doc(nlp):
    doc = nlp.make_doc(STATEMENT)
    text = doc.text

    def span(phrase, label, occurrence=0, span_id=""):
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(phrase, start + 1)
        return doc.char_span(start, start + len(phrase), label=label, span_id=span_id)

    doc.ents = [span("ODG", "GUIDELINE", span_id="guidelines"),
                span("Aquatic therapy", "TREATMENT", span_id="therapies"),  # the ruler's, in a prose statement
                span("Opioids", "TREATMENT"),  # the NER's, in a prose statement
                span("MTUS Chronic Pain Medical Treatment", "GUIDELINE", span_id="guidelines"),
                span("Aquatic therapy", "TREATMENT", 1),  # the NER's, in the citation line
                span("Opioids", "TREATMENT", 1, span_id="drugs"),  # the ruler's, in the citation line
                span("Aquatic therapy", "TREATMENT", 2, span_id="therapies"),  # the ruler's, in the rationale
                span("lumbar spine", "ANATOMY", span_id="anatomy")]
    doc.spans["guideline_statements"] = [
        Span(doc, 0, doc.char_span(0, RATIONALE - 1, alignment_mode="expand").end, label="claims_administrator")]
    return doc


def kept(**config):
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_topic_filter", config=config)
    return [(ent.text, ent.start_char < RATIONALE) for ent in component(statement_doc(nlp)).ents]


def test_topic_filter_drops_the_rulers_terms_in_statements_and_every_treatment_in_citation_lines():
    assert kept() == [("ODG", True), ("Opioids", True), ("MTUS Chronic Pain Medical Treatment", True),
                      ("Aquatic therapy", False), ("lumbar spine", False)]


def test_topic_filter_labels_come_from_the_config():
    assert ("Aquatic therapy", True) in kept(labels=["ANATOMY"])


def test_topic_filter_without_statements_drops_only_treatments_in_citation_lines():
    nlp = spacy.blank("en")
    doc = statement_doc(nlp)
    doc.spans["guideline_statements"] = []
    kept_texts = [(ent.text, ent.start_char < RATIONALE) for ent in nlp.add_pipe("imr_topic_filter")(doc).ents]
    assert kept_texts == [("ODG", True), ("Aquatic therapy", True), ("Opioids", True),
                          ("MTUS Chronic Pain Medical Treatment", True), ("Aquatic therapy", False),
                          ("lumbar spine", False)]
