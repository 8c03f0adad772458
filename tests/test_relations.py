"""The relation step, fitted on letters written for the tests with scripts/train_relations.py."""
import sys
from itertools import product

import pytest
import spacy
import srsly
from spacy.tokens import DocBin

import spacy_imr
from spacy_imr.corpus import pre_annotate, text_sha256
from spacy_imr.extract import iter_records
from spacy_imr.reading import read_letter

from conftest import FIXTURE_LETTERS, REPO, phrase_span

sys.path.insert(0, str(REPO / "scripts"))
from convert_corpus import convert_corpus  # noqa: E402
from train_relations import fit_trees, train_relations  # noqa: E402

LETTERS = [p for p in FIXTURE_LETTERS if p.stem != "unknown_progress_note"]
DEV = {"pdf_short_letter", "b_maximus_header"}


@pytest.fixture(scope="module")
def relation_pipeline(tmp_path_factory, nlp):
    """A corpus of the fixtures' pre-annotations, the relation step fitted on it, and a pipeline using it."""
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "annotations" / "written").mkdir(parents=True)
    records, manifest = [], []
    for path in LETTERS:
        text = read_letter(str(path)).text
        pre = pre_annotate(nlp, text)
        split = "dev" if path.stem in DEV else "train"
        records.append({"id": path.stem, "text": text, "text_sha256": text_sha256(text), "spans": pre["spans"],
                        "relations": pre["relations"], "meta": {"layout": pre["layout"], "split": split, "source": "written"}})
        manifest.append({"id": path.stem, "split": split, "source": "written"})
    srsly.write_jsonl(corpus / "annotations" / "written" / "fixtures.jsonl", records)
    srsly.write_json(corpus / "manifest.json", {"letters": manifest})
    convert_corpus(corpus, corpus, [])
    report = train_relations(corpus, corpus / "relations.json", corpus / "report.json")
    parameters = srsly.read_json(corpus / "relations.json")
    pipeline = spacy_imr.build_rule_pipeline()
    step = pipeline.add_pipe("imr_relations", config={"window": parameters["window"]})
    step.initialize(parameters=parameters["model"])
    return pipeline, report


def linked(doc, label):
    return [(doc.text[r.head[0]:r.head[1]], doc.text[r.child[0]:r.child[1]], r.party) for r in doc._.relations if r.label == label]


def test_relations_fit_chooses_window_and_scores_dev(relation_pipeline):
    _, report = relation_pipeline
    assert report["chosen_window"] in (0, 1, 2, 3)
    dev = report["windows"][str(report["chosen_window"])]["dev"]
    assert dev["HAS_DECISION"]["f"] >= 0.9
    assert dev["HAS_RATIONALE"]["f"] >= 0.9


def test_relations_link_items_to_decisions_and_citations(relation_pipeline):
    pipeline, _ = relation_pipeline
    doc = pipeline(read_letter(str(REPO / "tests/fixtures/letters/b_maximus_header.txt")).text)
    assert linked(doc, "HAS_DECISION") == [
        ("Arthroscopic partial medial meniscectomy, left knee", "Overturned", None),
        ("Post-operative physical therapy 3 times a week for 6 weeks, left knee", "Upheld", None)]
    parties = {(item, party) for item, _, party in linked(doc, "CITES")}
    assert ("Arthroscopic partial medial meniscectomy, left knee", "claims_administrator") in parties
    assert ("Arthroscopic partial medial meniscectomy, left knee", "reviewer") in parties
    assert {item for item, _, _ in linked(doc, "HAS_RATIONALE")} == {
        "Arthroscopic partial medial meniscectomy, left knee",
        "Post-operative physical therapy 3 times a week for 6 weeks, left knee"}


def test_relations_record_and_round_trips(relation_pipeline, tmp_path):
    pipeline, _ = relation_pipeline
    text = read_letter(str(REPO / "tests/fixtures/letters/pdf_short_letter.txt")).text
    doc = pipeline(text)
    record = doc._.imr_record
    assert {(r["label"], r["head"]["text"], r["child"]["text"]) for r in record["relations"] if r["label"] == "HAS_DECISION"} == {
        ("HAS_DECISION", "Tramadol ER 150mg #30", "Upheld"),
        ("HAS_DECISION", "Physical therapy 2 times a week for 4 weeks for the right knee", "Overturned")}
    for relation in record["relations"]:
        assert " ".join(text[relation["head"]["start"]:relation["head"]["end"]].split()) == relation["head"]["text"]
    pipeline.to_disk(tmp_path / "model")
    assert spacy.load(tmp_path / "model")(text)._.imr_record == record
    restored, = DocBin(store_user_data=True, docs=[doc]).get_docs(pipeline.vocab)
    assert list(restored._.relations) == doc._.relations


def test_relations_decision_subjects_and_item_names(nlp):
    """A prose decision is said of the mentions before it in its sentence; a mention names an item
    heading by the same words or by the heading's first or last words; the pair of the heading and a
    decision said of a mention naming it is a candidate, wherever the decision stands."""
    from test_letter_sections import BARE_HEADINGS
    from spacy_imr.item_names import item_name, named_item
    from spacy_imr.relations import PairContext, candidates, pair_features

    doc = nlp(BARE_HEADINGS)
    context = PairContext(doc, list(doc.spans.get("rationales", [])))
    decisions = context.spans["DECISION"]
    assert [ent.text for ent in decisions] == ["are medically necessary", "is not medically necessary"]
    subjects = [[context.spans_at(start).text for start in context.subjects(d)] for d in decisions]
    assert subjects == [["heel cups"], ["night splint"]]
    items = {item_name(doc.text[s:e]): doc.text[s:e] for s, e in context.items}
    assert named_item(item_name("the night splint"), items) == "Night splint for the left foot, 1 month rental"
    assert named_item(item_name("heel cups"), items) is None  # "gel heel cups" neither starts nor ends so
    assert named_item(item_name("gel heel cups"), items) == "Gel heel cups, bilateral"
    assert named_item(item_name("splint"), items) is None  # too short to name an item
    splint_item = next(mention for mention in context.spans["TREATMENT"] if mention.text.startswith("Night splint for"))
    pairs = [(h.text, c.text) for h, c in candidates(context, "HAS_DECISION", 0)]
    assert (splint_item.text, "is not medically necessary") in pairs  # the decision is in the other block
    features = pair_features(context, splint_item, decisions[1])
    assert features["subject=names_head&layout=A"] == 1.0
    assert pair_features(context, splint_item, decisions[0])["subject=other&layout=A"] == 1.0


def test_relations_trees_predict_as_scikit_learn_does():
    """Boosted trees exported as node lists give scikit-learn's probabilities, on a target no weighted
    sum can fit: a word between the pair links a site only when the site comes after the finding."""
    from spacy_imr.relations import RelationModel

    rows, targets = [], []
    for order, between, distance, _ in product(("after", "before"), ("of", "with", "none"), range(1, 9), range(10)):
        rows.append({f"order={order}": 1.0, f"between={between}": 1.0, "tokens": float(distance)})
        targets.append(int((order == "after") == (between == "of") and distance < 6))
    classifier, vectorizer, params = fit_trees(rows, targets)
    model = RelationModel({"LOCATED_AT": {**params, "threshold": 0.5}})
    unseen = [{"order=after": 1.0, "between=of": 1.0, "tokens": 2.0, "word=unseen": 1.0}, {"tokens": 3.5}]
    expected = classifier.predict_proba(vectorizer.transform(rows + unseen).toarray())[:, 1]
    assert model.probabilities("LOCATED_AT", rows + unseen) == pytest.approx(list(expected), abs=1e-6)
    assert [int(p >= 0.5) for p in expected[:len(rows)]] == targets
    assert fit_trees([{"word=rare": 1.0}] * 5 + [{}] * 5, [1] * 5 + [0] * 5) is None  # no feature to split on
    restored = RelationModel.from_dict(srsly.json_loads(srsly.json_dumps(model.to_dict())))
    assert restored.probabilities("LOCATED_AT", unseen) == pytest.approx(list(expected[-2:]), abs=1e-6)


def test_relations_read_each_labels_window(relation_pipeline):
    _, report = relation_pipeline
    assert set(report["chosen"]) >= {"HAS_DECISION", "HAS_RATIONALE"}
    assert all(choice["window"] in (0, 1, 2, 3) for choice in report["chosen"].values())


def test_relations_records_equal_with_two_processes(relation_pipeline):
    pipeline, _ = relation_pipeline
    sources = [str(path) for path in FIXTURE_LETTERS]
    one = list(iter_records(pipeline, sources))
    assert any(record.get("relations") for record in one)
    assert list(iter_records(pipeline, sources, n_process=2, min_task_size=3)) == one



def test_relations_guideline_mentions_that_cite_nothing(nlp):
    """A guideline mention that imr_guideline_citations makes no citation of ("outside of the MTUS",
    "Non-MTUS") is its own kind of child for CITES, which the fitted weights keep from linking."""
    from test_guideline_citations import NOT_CITED
    from spacy_imr.relations import PairContext

    doc = nlp(NOT_CITED)
    text = doc.text
    mentions = {"MTUS Guidelines": text.index("MTUS Guidelines"), "MTUS": text.index("MTUS Citation"),
                "ODG Knee and Leg Chapter": text.index("ODG Knee"), "MTUS Knee Complaints": text.index("MTUS Knee")}
    guidelines = [doc.char_span(start, start + len(name), label="GUIDELINE") for name, start in mentions.items()]
    doc.ents = [ent for ent in doc.ents if ent.label_ != "GUIDELINE" and
                not any(ent.start < g.end and g.start < ent.end for g in guidelines)] + guidelines
    doc = nlp.get_pipe("imr_guideline_citations")(doc)
    shapes = {m.text: m.shape for m in PairContext(doc, list(doc.spans["rationales"])).spans["GUIDELINE"]}
    assert shapes == {"MTUS Guidelines": "child_text=GUIDELINE_not_cited", "MTUS": "child_text=GUIDELINE_not_cited",
                      "ODG Knee and Leg Chapter": "child_text=GUIDELINE", "MTUS Knee Complaints": "child_text=GUIDELINE"}


SHARED_STATEMENT = ("ISSUES AT DISPUTE:\n1. Aquatic therapy, 8 sessions\n2. Lumbosacral brace\n\n"
                    "GUIDELINES RELIED UPON:\nClaims Administrator: the Chronic Pain Medical Treatment Guidelines, "
                    "Aquatic therapy, page 22, for the aquatic therapy; ACOEM, Chapter 12, Low Back Complaints, "
                    "for the brace.\n")


def test_relations_guideline_clause_names_its_item():
    """One statement citing a source for each item: the words after a guideline mention, up to the next
    mention or ';', name the item it was cited for."""
    from spacy_imr.relations import PairContext, pair_features
    from spacy_imr.values import ItemBlock

    nlp = spacy.blank("en")
    doc = nlp.make_doc(SHARED_STATEMENT)
    text = doc.text

    def span(phrase, label):
        start = text.index(phrase)
        return doc.char_span(start, start + len(phrase), label=label)

    therapy, brace = span("Aquatic therapy, 8 sessions", "TREATMENT"), span("Lumbosacral brace", "TREATMENT")
    chronic_pain = span("Chronic Pain Medical Treatment Guidelines", "GUIDELINE")
    acoem = span("ACOEM, Chapter 12, Low Back Complaints", "GUIDELINE")
    doc.ents = [therapy, brace, chronic_pain, acoem]
    doc._.layout = "C"
    doc._.item_blocks = [ItemBlock(index=i, item=(s.start_char, s.end_char), block=(s.start_char, s.end_char + 1))
                         for i, s in enumerate((therapy, brace))]
    context = PairContext(doc, [])
    mentions = {m.text: m for label in ("TREATMENT", "GUIDELINE") for m in context.spans[label]}

    def clause_features(item, guideline):
        return sorted(name for name in pair_features(context, mentions[item.text], mentions[guideline.text])
                      if name.startswith("clause_names"))

    assert clause_features(therapy, chronic_pain) == ["clause_names_after=head"]
    assert clause_features(brace, chronic_pain) == ["clause_names_after=other"]
    assert clause_features(brace, acoem) == ["clause_names_after=head"]
    assert clause_features(therapy, acoem) == ["clause_names_after=other"]


SOURCES_PER_ITEM = ("ISSUES AT DISPUTE:\n1. Diclofenac gel 1%\n2. Cervical pillow\n3. Home exercise kit\n\n"
                    "GUIDELINES RELIED UPON:\nThe Claims Administrator based its decision on the Chronic Pain Medical "
                    "Treatment Guidelines, page 112, for the diclofenac, on the same guidelines, page 46, for the kit, "
                    "and on the ODG, Neck Chapter, for the pillow. The professional reviewer relied on the same pages "
                    "for diclofenac and the kit, which are part of the Chronic Pain Medical Treatment Guidelines, "
                    "and used the ODG for all three requests, as the MTUS does not address pillows.\n")


def test_relations_guideline_purpose_names_its_item():
    """Where one clause names several items after a guideline, the first "for <item>" phrase after the
    mention (before the next one) is its purpose; "for all three requests" speaks for every item; and
    "part of the <guideline>" is told from "part of the MTUS"."""
    from spacy_imr.relations import PairContext, pair_features
    from spacy_imr.values import ItemBlock

    doc = spacy.blank("en").make_doc(SOURCES_PER_ITEM)
    text = doc.text

    def span(phrase, label, occurrence=0):
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(phrase, start + 1)
        return doc.char_span(start, start + len(phrase), label=label)

    gel, pillow, kit = (span(name, "TREATMENT") for name in ("Diclofenac gel 1%", "Cervical pillow", "Home exercise kit"))
    first_chronic, odg, second_chronic, reviewer_odg = (
        span("Chronic Pain Medical Treatment Guidelines", "GUIDELINE"), span("ODG, Neck Chapter", "GUIDELINE"),
        span("Chronic Pain Medical Treatment Guidelines", "GUIDELINE", 1), span("ODG", "GUIDELINE", 1))
    mtus = span("MTUS", "GUIDELINE")
    doc.ents = [gel, pillow, kit, first_chronic, odg, second_chronic, reviewer_odg, mtus]
    doc._.layout = "C"
    doc._.item_blocks = [ItemBlock(index=i, item=(s.start_char, s.end_char), block=(s.start_char, s.end_char + 1))
                         for i, s in enumerate((gel, pillow, kit))]
    context = PairContext(doc, [])
    heads = {m.start_char: m for m in context.spans["TREATMENT"]}
    children = {m.start_char: m for m in context.spans["GUIDELINE"]}

    def features(item, guideline, prefix):
        return sorted(name for name in pair_features(context, heads[item.start_char], children[guideline.start_char])
                      if name.startswith(prefix))

    assert features(gel, first_chronic, "purpose") == ["purpose=head"]
    assert features(kit, first_chronic, "purpose") == ["purpose=other"]
    assert features(pillow, odg, "purpose") == ["purpose=head"]
    assert features(gel, odg, "purpose") == ["purpose=other"]
    assert features(kit, reviewer_odg, "purpose") == ["purpose=all"]
    assert features(gel, second_chronic, "purpose") == []  # nothing "for" it before the clause ends
    assert features(gel, second_chronic, "guideline_after") == [
        "guideline_after=part_of_the", "guideline_after=part_of_the&whole_mtus=False"]
    assert features(gel, mtus, "guideline_after") == [
        "guideline_after=requests_as_the", "guideline_after=requests_as_the&whole_mtus=True"]
    assert context.purpose(children[mtus.start_char]) == ("none", frozenset())


def test_relations_coordinated_findings_share_their_site():
    """Findings joined by ',', 'and' or 'or' form one group, and so do sites: the pair features measure
    the gap between the groups, so the first finding of a list is as near its site as the last."""
    from spacy_imr.relations import PairContext, pair_features

    nlp = spacy.blank("en")
    text = "She reports burning, numbness, and pain down the left leg and foot. Tenderness with spasm of the back is noted."
    doc = nlp.make_doc(text)
    labels = {"burning": "EXAM_FINDING", "numbness": "EXAM_FINDING", "pain": "EXAM_FINDING", "left leg": "ANATOMY",
              "foot": "ANATOMY", "Tenderness": "EXAM_FINDING", "spasm": "EXAM_FINDING", "back": "ANATOMY"}
    doc.ents = [doc.char_span(text.index(phrase), text.index(phrase) + len(phrase), label=label)
                for phrase, label in labels.items()]
    context = PairContext(doc, [])
    mentions = {m.text: m for label in ("EXAM_FINDING", "ANATOMY") for m in context.spans[label]}
    groups = {name: doc[slice(*context.group(mention))].text for name, mention in mentions.items()}
    assert groups == {"burning": "burning, numbness, and pain", "numbness": "burning, numbness, and pain",
                      "pain": "burning, numbness, and pain", "Tenderness": "Tenderness",  # "with" joins no list
                      "spasm": "spasm", "left leg": "left leg and foot", "foot": "left leg and foot", "back": "back"}
    features = pair_features(context, mentions["burning"], mentions["foot"])
    assert features["group_tokens=2&head_first"] == 1.0 and features["group_sites_between=0"] == 1.0
    assert not any(name.startswith("group_") for name in pair_features(context, mentions["Tenderness"],
                                                                        mentions["back"]))


def test_relations_site_written_onto_another_finding():
    """A site right before a finding belongs to it ("lumbar flexion"): a pair of another finding with
    that site says so, and so does the finding's own pair."""
    from spacy_imr.relations import PairContext, pair_features

    nlp = spacy.blank("en")
    text = "There was tenderness to palpation of the lumbar spine and lumbar flexion to 40 degrees."
    doc = nlp.make_doc(text)
    labels = [("tenderness to palpation", "EXAM_FINDING", 0), ("lumbar spine", "ANATOMY", 0),
              ("lumbar", "ANATOMY", 1), ("flexion", "EXAM_FINDING", 0)]
    spans = []
    for phrase, label, occurrence in labels:
        start = text.index(phrase, text.index(phrase) + 1) if occurrence else text.index(phrase)
        spans.append(doc.char_span(start, start + len(phrase), label=label))
    doc.ents = spans
    context = PairContext(doc, [])
    tenderness, flexion = context.spans["EXAM_FINDING"]
    spine, lumbar = context.spans["ANATOMY"]
    assert pair_features(context, tenderness, lumbar)["site_attached=other"] == 1.0
    assert pair_features(context, flexion, lumbar)["site_attached=head"] == 1.0
    assert pair_features(context, tenderness, spine)["site_attached=none"] == 1.0



def test_relations_motions_of_a_range_of_motion_and_their_site():
    """The movements of a range of motion read the site the sentence opens with, not a site that only
    sets up the measurement ("with the knee extended")."""
    from spacy_imr.relations import PairContext, pair_features

    nlp = spacy.blank("en")
    text = ("Left ankle dorsiflexion was 5 degrees with the knee extended, plantarflexion 35 degrees and "
            "inversion 20 degrees. There was tenderness over the lateral malleolus.")
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(phrase), text.index(phrase) + len(phrase), label=label) for phrase, label in (
        ("Left ankle", "ANATOMY"), ("dorsiflexion", "EXAM_FINDING"), ("knee", "ANATOMY"),
        ("plantarflexion", "EXAM_FINDING"), ("inversion", "EXAM_FINDING"), ("tenderness", "EXAM_FINDING"),
        ("lateral malleolus", "ANATOMY"))]
    context = PairContext(doc, [])
    heads = {m.text: m for m in context.spans["EXAM_FINDING"]}
    sites = {m.text: m for m in context.spans["ANATOMY"]}
    opening = pair_features(context, heads["inversion"], sites["Left ankle"])
    assert opening["motion&site_opens_sentence=True&child_first"] == 1.0
    assert opening["motion&sentence_sites=2&same_sentence=True"] == 1.0
    assert opening["head_word=inversion&child_first"] == 1.0
    assert pair_features(context, heads["plantarflexion"], sites["knee"])["motion&nearest_child=True&child_first"] == 1.0
    assert not any(name.startswith("motion&") for name in pair_features(context, heads["tenderness"],
                                                                        sites["lateral malleolus"]))


SUMMARY = ("Now that the decompression is supported, the request for 12 post-operative visits is certified. "
           "In summary, the prior denial is overturned for the shoulder arthroscopy; the cold therapy unit is "
           "certified; and the IRO upheld the denial of the requested cyclobenzaprine 7.5mg #60. The Claims "
           "Administrator based its decision on ACOEM, Chapter 9, which is part of the MTUS.")


def test_relations_decision_subjects_in_summaries_and_request_clauses():
    """A determination is said of what follows "the request for" (not of an earlier clause's mention),
    of its own ';' clause, and, for "overturned for X" or "upheld the denial of the requested X", of the
    mention after it; the words before a guideline mention are a feature ("part of the MTUS" cites nothing)."""
    from spacy_imr.relations import PairContext, pair_features

    nlp = spacy.blank("en")
    doc = nlp.make_doc(SUMMARY)

    def span(phrase, label, occurrence=0):
        return phrase_span(doc, phrase, label, occurrence)
    doc.ents = [span("decompression", "TREATMENT"), span("12 post-operative visits", "TREATMENT"),
                span("is certified", "DECISION"), span("the prior denial is overturned", "DECISION"),
                span("shoulder arthroscopy", "TREATMENT"), span("cold therapy unit", "TREATMENT"),
                span("is certified", "DECISION", 1), span("upheld the denial", "DECISION"),
                span("cyclobenzaprine 7.5mg #60", "TREATMENT"), span("ACOEM, Chapter 9", "GUIDELINE"),
                span("MTUS", "GUIDELINE")]
    context = PairContext(doc, [])
    subjects = [[context.spans_at(start).text for start in context.subjects(d)] for d in context.spans["DECISION"]]
    assert subjects == [["12 post-operative visits"], ["shoulder arthroscopy"], ["cold therapy unit"],
                        ["cyclobenzaprine 7.5mg #60"]]
    arthroscopy = context.spans["TREATMENT"][2]
    acoem, mtus = context.spans["GUIDELINE"]
    assert pair_features(context, arthroscopy, mtus)["guideline_after=part_of_the"] == 1.0
    assert pair_features(context, arthroscopy, acoem)["guideline_after=its_decision_on"] == 1.0


APPEAL = ("The IRO upheld the denial of the requested lumbar fusion, as the criteria for fusion have not been "
          "met, and of the requested assistant surgeon as well as the bone stimulator.")


def test_relations_decision_subject_ends_at_a_clause_of_reason():
    """"upheld the denial of the requested X, as ..." is said of X and not of the mentions in the reason
    the sentence goes on to give; "as well as" still adds a subject."""
    from spacy_imr.relations import PairContext

    doc = spacy.blank("en").make_doc(APPEAL)
    doc.ents = [phrase_span(doc, "upheld the denial", "DECISION"), phrase_span(doc, "lumbar fusion", "TREATMENT"),
                phrase_span(doc, "fusion", "TREATMENT", 1)]
    context = PairContext(doc, [])
    decision, = context.spans["DECISION"]
    assert [context.spans_at(start).text for start in context.subjects(decision)] == ["lumbar fusion"]
    doc = spacy.blank("en").make_doc("The IRO upheld the denial of the requested MRI as well as the brace.")
    doc.ents = [phrase_span(doc, "upheld the denial", "DECISION"), phrase_span(doc, "MRI", "TREATMENT"),
                phrase_span(doc, "brace", "TREATMENT")]
    context = PairContext(doc, [])
    decision, = context.spans["DECISION"]
    assert [context.spans_at(start).text for start in context.subjects(decision)] == ["MRI", "brace"]


@pytest.mark.parametrize("layout,origins,expected", [
    ("A", ["heading", "heading"], "A"),
    ("B", ["heading"], "B"),
    ("A", ["prose", "prose"], "C"),
    ("A", [], "C"),
    ("unknown", ["prose"], "C"),
    ("C", ["issues"], "C"),
    ("0", ["notice"], "0"),
    ("0", [], "0"),
])
def test_relations_decisions_in_prose_read_as_a_professional_review(layout, origins, expected):
    """A letter whose decisions stand only in sentences is read as the professional reviews are, whose
    items the relation step finds in the sentences that decide them; its sentence items are no headings."""
    from spacy_imr.relations import PairContext, decision_layout
    from spacy_imr.values import ItemBlock

    blocks = [ItemBlock(index=i, item=(10 * i, 10 * i + 5), block=(10 * i, 10 * i + 9), origin=origin)
              for i, origin in enumerate(origins)]
    assert decision_layout(layout, blocks) == expected
    doc = spacy.blank("en").make_doc("The request for the brace is not medically necessary.")
    doc._.layout = layout
    doc._.item_blocks = [ItemBlock(index=0, item=(16, 25), block=(0, 52), origin=origin) for origin in origins[:1]]
    context = PairContext(doc, [])
    assert context.layout == expected
    assert context.items == ({(16, 25)} if origins[:1] and origins[0] != "prose" else set())
