"""A decision phrase in a sentence's opening premise clause does not decide the item of its block."""
import spacy

RATIONALE = ("Decision rationale: As the requested knee arthroscopy is not medically necessary per the records, "
             "the requested cold therapy unit is not medically necessary. ")
PLAIN = ("The requested knee brace is not medically necessary, and the requested crutches are not medically "
         "necessary. ")
CAUSE = "Since the pain persists, the request is medically necessary. "
PHRASES = ("is not medically necessary", "are not medically necessary", "is medically necessary")


def decision_doc(nlp, text):
    doc = nlp.make_doc(text)
    ents, start = [], 0
    while True:
        found = [(text.find(phrase, start), phrase) for phrase in PHRASES if text.find(phrase, start) >= 0]
        if not found:
            break
        begin, phrase = min(found)
        ents.append(doc.char_span(begin, begin + len(phrase), label="DECISION"))
        start = begin + len(phrase)
    doc.ents = ents
    return doc


def kept(text):
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_decision_filter")
    doc = component(decision_doc(nlp, text))
    return [(ent.start_char, ent.text) for ent in doc.ents]


def test_decision_filter_drops_the_premise_of_a_labelled_rationale():
    conclusion = RATIONALE.rindex("is not medically necessary")
    assert kept(RATIONALE) == [(conclusion, "is not medically necessary")]


def test_decision_filter_keeps_decisions_without_a_premise_opener():
    assert [text for _, text in kept(PLAIN)] == ["is not medically necessary", "are not medically necessary"]


def test_decision_filter_keeps_a_single_decision_after_a_causal_clause():
    assert [text for _, text in kept(CAUSE)] == ["is medically necessary"]


def test_decision_filter_looks_at_each_sentence_alone():
    # the premise of the first sentence is dropped; the second sentence's decision stands
    text = RATIONALE + PLAIN
    assert [start for start, _ in kept(text)] == [
        RATIONALE.rindex("is not medically necessary"), len(RATIONALE) + PLAIN.index("is not medically necessary"),
        len(RATIONALE) + PLAIN.index("are not medically necessary")]


def test_decision_filter_cuts_a_premise_run_on_into_the_next_clause():
    # the NER's span runs past the comma: cut there, it is a premise like any other and is dropped
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_decision_filter")
    doc = nlp.make_doc(RATIONALE)
    run_on = RATIONALE.index("is not medically necessary per the records, the requested cold")
    conclusion = RATIONALE.rindex("is not medically necessary")
    doc.ents = [doc.char_span(run_on, run_on + len("is not medically necessary per the records, the requested cold"),
                              label="DECISION"),
                doc.char_span(conclusion, conclusion + len("is not medically necessary"), label="DECISION")]
    assert [(ent.start_char, ent.text) for ent in component(doc).ents] == [(conclusion, "is not medically necessary")]


def test_decision_filter_cuts_a_decision_at_a_clause_break_when_no_decision_follows():
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_decision_filter")
    text = "The request is not medically necessary at this time; further notes may change this."
    doc = nlp.make_doc(text)
    start = text.index("is not")
    doc.ents = [doc.char_span(start, text.index(" further"), label="DECISION")]
    assert [ent.text for ent in component(doc).ents] == ["is not medically necessary at this time"]


def test_decision_filter_drops_a_decision_in_reported_speech():
    text = ("In the appeal, the treating physician stated that a repeat study was medically necessary. "
            "The requested lumbar MRI is not medically necessary, as no new deficit is described. ")
    nlp = spacy.blank("en")
    component = nlp.add_pipe("imr_decision_filter")
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(phrase), text.index(phrase) + len(phrase), label="DECISION")
                for phrase in ("was medically necessary", "is not medically necessary")]
    assert [(ent.start_char, ent.text) for ent in component(doc).ents] == [
        (text.index("is not medically necessary"), "is not medically necessary")]


def test_decision_filter_keeps_a_decision_after_a_reporting_verb_in_an_earlier_clause():
    assert [text for _, text in kept("No goals are stated, so the request is not medically necessary. ")] == [
        "is not medically necessary"]
