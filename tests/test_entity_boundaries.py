"""The guide's span boundaries, applied by imr_entity_modifiers to the NER's entities as to the ruler's."""
import pytest
import spacy
from conftest import phrase_span

# A summary as the NER might leave it: each entity (found by its words below) with a boundary the
# guide does not allow, beside entities that need no change.
TEXT = ("She was prescribed cyclobenzaprine 10 mg (prescribed on 03/02/2016) and naproxen 550mg twice a day with "
        "food. X-rays showed grade 3 joint space narrowing and a small supraspinatus tendon tear. She completed "
        "12 sessions of physical therapy and five (5) chiropractic visits. She reports left elbow pain and chest "
        "pain. Assessment: right shoulder impingement syndrome. The request for 1 open MRI, 8 additional "
        "acupuncture visits and six physical therapy sessions was made.")
NER_ENTITIES = [
    ("cyclobenzaprine 10 mg (", "TREATMENT"),
    ("naproxen 550mg twice a day with", "TREATMENT"),
    ("grade 3 joint space narrowing", "DIAGNOSIS"),
    ("small supraspinatus tendon tear", "DIAGNOSIS"),
    ("physical therapy", "TREATMENT"),
    ("chiropractic visits", "TREATMENT"),
    ("left elbow pain", "ANATOMY"),
    ("chest", "ANATOMY"),
    ("right shoulder impingement syndrome", "DIAGNOSIS"),
    ("open MRI", "TREATMENT"),
    ("acupuncture visits", "TREATMENT"),
    ("physical therapy", "TREATMENT"),
]


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("imr_entity_modifiers")
    nlp.initialize()
    return nlp


def ner_doc(nlp, entities):
    doc = nlp.make_doc(TEXT)
    # each entity's words are found after the previous entity's
    spans, offset = [], 0
    for text, label in entities:
        start = TEXT.index(text, offset)
        spans.append(doc.char_span(start, start + len(text), label=label))
        offset = start + len(text)
    doc.ents = spans
    return doc


def test_entity_boundaries_follow_the_guide(nlp):
    doc = nlp(ner_doc(nlp, NER_ENTITIES))
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("cyclobenzaprine 10 mg", "TREATMENT"),  # no unclosed "("
        ("naproxen 550mg twice a day", "TREATMENT"),  # no trailing function word
        ("joint space narrowing", "DIAGNOSIS"),  # severity and grade words left out
        ("supraspinatus tendon tear", "DIAGNOSIS"),
        ("12 sessions of physical therapy", "TREATMENT"),  # the count written before a therapy
        ("five (5) chiropractic visits", "TREATMENT"),
        ("left elbow pain", "DIAGNOSIS"),  # a site with its pain is a diagnosis (guide rule 8)
        ("chest pain", "DIAGNOSIS"),
        ("right shoulder impingement syndrome", "DIAGNOSIS"),
        ("1 open MRI", "TREATMENT"),  # any treatment takes the count before it
        ("8 additional acupuncture visits", "TREATMENT"),  # through a word that qualifies the count
        ("six physical therapy sessions", "TREATMENT"),  # a therapy takes the unit after it
    ]


def test_entity_boundaries_count_stops_at_the_entity_before(nlp):
    # "12" belongs to an entity of its own: the therapy does not take it in
    entities = [("12", "ANATOMY"), ("physical therapy", "TREATMENT")]
    doc = nlp(ner_doc(nlp, entities))
    assert [ent.text for ent in doc.ents] == ["12", "physical therapy"]


def test_entity_boundaries_survive_to_disk(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    doc = loaded(ner_doc(loaded, NER_ENTITIES[:3]))
    assert [ent.text for ent in doc.ents] == ["cyclobenzaprine 10 mg", "naproxen 550mg twice a day",
                                              "joint space narrowing"]


def test_entity_boundaries_drop_a_generic_word_alone(nlp):
    text = "Treatment has included medications, surgery, treatment modalities and home physical therapy."
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(words), text.index(words) + len(words), label="TREATMENT")
                for words in ("medications", "surgery", "treatment modalities", "home physical therapy")]
    assert [ent.text for ent in nlp(doc).ents] == ["home physical therapy"]  # guide rule 10


def test_entity_boundaries_a_site_that_names_no_condition_is_anatomy(nlp):
    text = "She has pain on the right ulnar wrist and right wrist tenosynovitis."
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, "right ulnar wrist", "DIAGNOSIS"), phrase_span(doc, "right wrist tenosynovitis", "DIAGNOSIS")]
    doc.spans["ruler"] = [phrase_span(doc, "wrist", "ANATOMY"), phrase_span(doc, "wrist", "ANATOMY", 1),
                          phrase_span(doc, "tenosynovitis", "DIAGNOSIS")]
    assert [(ent.text, ent.label_) for ent in nlp(doc).ents] == [
        ("right ulnar wrist", "ANATOMY"), ("right wrist tenosynovitis", "DIAGNOSIS")]


def test_entity_boundaries_guidelines_written_as_one_word_and_trailing_words(nlp):
    text = "Decision rationale: CA-MTUS states that, per the Official Disability Guidelines, the test is optional."
    doc = nlp.make_doc(text)
    pieces = [("CA-", "GUIDELINE"), ("MTUS", "GUIDELINE"), ("Official Disability Guidelines, the", "GUIDELINE")]
    doc.ents = [doc.char_span(text.index(words), text.index(words) + len(words), label=label)
                for words, label in pieces]
    assert [ent.text for ent in nlp(doc).ents] == ["CA-MTUS", "Official Disability Guidelines"]


def test_entity_boundaries_a_treatment_and_its_other_name_are_two(nlp):
    text = "She had electromyography (EMG) and Voltaren Gel 1% (diclofenac), then an injection (DOS 12/29/16)."
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, phrase, "TREATMENT") for phrase in
                ("electromyography (EMG)", "Voltaren Gel 1% (diclofenac)", "injection (DOS 12/29/16)")]
    assert [ent.text for ent in nlp(doc).ents] == [
        "electromyography", "EMG", "Voltaren Gel 1%", "diclofenac", "injection (DOS 12/29/16)"]


def test_entity_boundaries_a_parenthesis_that_says_how_much_is_no_other_name(nlp):
    text = ("Requested: Theramine (unknown quantity), aquatic therapy (eight sessions) and transcutaneous "
            "electrical nerve stimulation (TENS).")
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, phrase, "TREATMENT") for phrase in
                ("Theramine (unknown quantity)", "aquatic therapy (eight sessions)",
                 "transcutaneous electrical nerve stimulation (TENS)")]
    assert [ent.text for ent in nlp(doc).ents] == [
        "Theramine (unknown quantity)", "aquatic therapy (eight sessions)",
        "transcutaneous electrical nerve stimulation", "TENS"]


def test_entity_boundaries_a_list_of_spinal_levels_is_one_site_a_level(nlp):
    """The train gold marks 36 of 53 such lists level by level; a range, a site after the levels and a
    side before them keep the span whole."""
    text = ("MRI showed facet hypertrophy at L4-5 and L5-S1, foraminal narrowing at C5/6, C6-7, and C7-T1, "
            "stenosis from L3 to L5, L4-5 facets that are tender, and decreased sensation in the left L5 and S1.")
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, phrase, "ANATOMY") for phrase in
                ("L4-5 and L5-S1", "C5/6, C6-7, and C7-T1", "L3 to L5", "L4-5 facets", "left L5 and S1")]
    assert [ent.text for ent in nlp(doc).ents] == [
        "L4-5", "L5-S1", "C5/6", "C6-7", "C7-T1", "L3 to L5", "L4-5 facets", "left L5 and S1"]


def test_entity_boundaries_guideline_label_ca_and_chapter(nlp):
    """A guideline leaves out the "Non-MTUS Citation" label before it, takes in "CA" before "MTUS" (also
    from another entity that holds "CA-") and the chapter written after it."""
    text = ("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Knee & Leg Chapter. CA-MTUS "
            "states that ACOEM, Chapter 13, page 340 applies; per the CA MTUS guidelines and the ODG, Shoulder Chapter.")
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, "Non-MTUS Citation Official Disability Guidelines (ODG)", "GUIDELINE"),
                phrase_span(doc, "CA-", "TREATMENT"), phrase_span(doc, "MTUS", "GUIDELINE", 1),
                phrase_span(doc, "ACOEM", "GUIDELINE"), phrase_span(doc, "MTUS guidelines", "GUIDELINE"),
                phrase_span(doc, "ODG", "GUIDELINE", 1)]
    assert [(ent.text, ent.label_) for ent in nlp(doc).ents] == [
        ("Official Disability Guidelines (ODG), Knee & Leg Chapter", "GUIDELINE"), ("CA-MTUS", "GUIDELINE"),
        ("ACOEM, Chapter 13", "GUIDELINE"), ("CA MTUS guidelines", "GUIDELINE"), ("ODG, Shoulder Chapter", "GUIDELINE")]


def test_entity_boundaries_a_guideline_title_ends_at_its_year(nlp):
    text = ("Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016 \nGuidelines, "
            "Section(s): Opioids. The reviewer cited the CA MTUS 2016 guidelines and the ODG guidelines.")
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, "MTUS Chronic Pain Medical Treatment 2016 \nGuidelines", "GUIDELINE"),
                phrase_span(doc, "MTUS 2016 guidelines", "GUIDELINE"), phrase_span(doc, "ODG guidelines", "GUIDELINE")]
    assert [ent.text for ent in nlp(doc).ents] == [
        "MTUS Chronic Pain Medical Treatment 2016", "CA MTUS 2016", "ODG guidelines"]


def test_entity_boundaries_a_therapy_takes_in_the_sites_it_is_for(nlp):
    """As a procedure takes in its site ("MRI of the lumbar spine"); not where the site goes on into
    another thing ("the right hip incision"), and not for a treatment that is no therapy."""
    text = ("The RFA listed six sessions of physical therapy to the low back, chiropractic care for the lumbar "
            "spine, left shoulder and left knee, and a wound care nurse for 1 to 2 visits for the right hip "
            "incision. A brace for the left knee was also requested.")
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, phrase, label, *occurrence) for phrase, label, *occurrence in (
        ("six sessions of physical therapy", "TREATMENT"), ("low back", "ANATOMY"),
        ("chiropractic care", "TREATMENT"), ("lumbar spine", "ANATOMY"), ("left shoulder", "ANATOMY"),
        ("left knee", "ANATOMY"), ("wound care nurse for 1 to 2 visits", "TREATMENT"), ("right hip", "ANATOMY"),
        ("brace", "TREATMENT"), ("left knee", "ANATOMY", 1))]
    assert [(ent.text, ent.label_) for ent in nlp(doc).ents] == [
        ("six sessions of physical therapy to the low back", "TREATMENT"),
        ("chiropractic care for the lumbar spine, left shoulder and left knee", "TREATMENT"),
        ("wound care nurse for 1 to 2 visits", "TREATMENT"), ("right hip", "ANATOMY"),
        ("brace", "TREATMENT"), ("left knee", "ANATOMY")]


def test_entity_boundaries_a_therapy_that_holds_its_first_site_takes_in_the_others():
    """The ruler's terms tell where the site the therapy holds begins."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("span_ruler", name="ruler", config={"spans_key": "ruler", "annotate_ents": False})
    nlp.add_pipe("imr_entity_modifiers", config={"ruler_spans_key": "ruler"})
    nlp.initialize()
    ruler.add_patterns([{"label": "ANATOMY", "pattern": [{"LOWER": "lumbar"}, {"LOWER": "spine"}]},
                        {"label": "ANATOMY", "pattern": "hand"}, {"label": "ANATOMY", "pattern": "wrist"}])
    text = ("UR modified eight physical therapy sessions for the lumbar spine, left shoulder, left wrist and left "
            "knee and twelve acupuncture visits to the right hand and thumb. A splint for the wrist and "
            "thumb was denied.")
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, phrase, label, *occurrence) for phrase, label, *occurrence in (
        ("eight physical therapy sessions for the lumbar spine", "TREATMENT"), ("left shoulder", "ANATOMY"),
        ("left wrist", "ANATOMY"), ("left knee", "ANATOMY"), ("twelve acupuncture visits to the right hand", "TREATMENT"),
        ("thumb", "ANATOMY"), ("splint for the wrist", "TREATMENT"), ("thumb", "ANATOMY", 1))]
    assert [(ent.text, ent.label_) for ent in nlp(doc).ents] == [
        ("eight physical therapy sessions for the lumbar spine, left shoulder, left wrist and left knee", "TREATMENT"),
        ("twelve acupuncture visits to the right hand and thumb", "TREATMENT"),
        ("splint for the wrist", "TREATMENT"), ("thumb", "ANATOMY")]


def test_entity_boundaries_a_treatment_leaves_out_when_and_how_it_is_given(nlp):
    text = ("He asked about initiation of opioid medications, a trial of acupuncture and random urine drug "
            "screens; Additional physical therapy and 8 additional chiropractic visits were requested.")
    doc = nlp.make_doc(text)
    doc.ents = [phrase_span(doc, phrase, "TREATMENT") for phrase in (
        "initiation of opioid medications", "a trial of acupuncture", "random urine drug screens",
        "Additional physical therapy", "additional chiropractic visits")]
    assert [ent.text for ent in nlp(doc).ents] == [
        "opioid medications", "acupuncture", "urine drug screens", "physical therapy",
        "8 additional chiropractic visits"]  # a qualified count stays with its treatment
