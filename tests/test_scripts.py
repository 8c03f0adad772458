"""The project's scripts: corpus conversion to DocBins, the evaluation's scoring and the benchmark's figures."""
import sys

import pytest
import spacy
import srsly
from spacy.tokens import DocBin

from spacy_imr.corpus import pre_annotate, text_sha256
from spacy_imr.reading import read_letter

from conftest import FIXTURES, REPO, mean_score_entities, merged_score_gaps

sys.path.insert(0, str(REPO / "scripts"))
from assemble_pipeline import assemble_pipeline, trained_ners  # noqa: E402
from convert_corpus import convert_corpus  # noqa: E402
from evaluate import NER_LAYER, entities, names_known_term, overlap_matches, run_pipeline, score  # noqa: E402
from evaluate_challenge import evaluate_challenge  # noqa: E402
from evaluate_relations import scores, shared_statement_citations  # noqa: E402
from train_ner import train_ner  # noqa: E402


def write_fixture_corpus(nlp, folder, splits):
    """A corpus of the fixture letter a2014_double_spaced.txt, pre-annotated by the rule pipeline, once
    in each of `splits`; returns its text and pre-annotation."""
    text = read_letter(str(FIXTURES / "letters" / "a2014_double_spaced.txt")).text
    pre = pre_annotate(nlp, text)
    records = [{"id": f"W96{i}", "text": text, "text_sha256": text_sha256(text), "spans": pre["spans"],
                "relations": pre["relations"], "meta": {"layout": "A", "split": split, "source": "written"}}
               for i, split in enumerate(splits)]
    (folder / "annotations" / "written").mkdir(parents=True)
    srsly.write_jsonl(folder / "annotations" / "written" / "w.jsonl", records)
    srsly.write_json(folder / "manifest.json", {"letters": [{"id": r["id"], "split": r["meta"]["split"], "source": "written"}
                                                            for r in records]})
    return text, pre


def test_scripts_convert_corpus_maps_offsets_onto_normalised_text(nlp, tmp_path):
    text, pre = write_fixture_corpus(nlp, tmp_path, ["dev"])
    summary = convert_corpus(tmp_path, tmp_path, [])
    assert summary["dev"]["letters"] == 1 and summary["train"]["letters"] == 0
    (doc,) = DocBin().from_disk(tmp_path / "dev.spacy").get_docs(spacy.blank("en").vocab)
    gold = [" ".join(text[s["start"]:s["end"]].split()) for s in pre["spans"] if s["label"] != "RATIONALE"]
    assert [ent.text for ent in doc.ents] == gold
    assert len(doc.spans["rationales"]) == 2
    assert len(doc.user_data["gold_relations"]) == len(pre["relations"])
    assert (doc.user_data["letter_id"], doc.user_data["source"]) == ("W960", "written")


def test_scripts_train_ner_trains_each_seed_and_the_assembly_decodes_them_together(nlp, tmp_path):
    text, _ = write_fixture_corpus(nlp, tmp_path, ["train", "dev"])
    convert_corpus(tmp_path, tmp_path, [])
    runs = tmp_path / "runs"
    (runs / "seed7" / "model-best").mkdir(parents=True)  # a run of an earlier, longer seed list
    models = train_ner(REPO / "configs" / "ner.cfg", runs, tmp_path / "train.spacy", tmp_path / "dev.spacy",
                       seeds=[1, 0], max_steps=2, jobs=2)
    assert models == [runs / "seed1" / "model-best", runs / "seed0" / "model-best"]
    assert sorted(path.name for path in runs.iterdir()) == ["seed0", "seed0.log", "seed1", "seed1.log"]
    assert trained_ners(runs) == [runs / "seed0" / "model-best", runs / "seed1" / "model-best"]
    assert trained_ners(models[0]) == [models[0]]
    relations = tmp_path / "relations.json"
    srsly.write_json(relations, {"window": 1, "model": {"labels": {}}})
    assert assemble_pipeline(runs, relations, tmp_path / "together") == trained_ners(runs)
    together = spacy.load(tmp_path / "together")
    member_tok2vecs = together.config["components"]["ner"]["model"]["tok2vec"]
    assert (member_tok2vecs["@architectures"], member_tok2vecs["members"]) == ("spacy_imr.MemberTok2Vecs.v1", 2)
    assert "tok2vec" not in together.pipe_names
    assert "(2 training runs, each move scored by their mean;" in together.meta["description"]
    # the merged NER, with the project's own embedding, scores every move with the two runs' mean
    separate = [spacy.load(model) for model in trained_ners(runs)]
    gaps = merged_score_gaps(together, separate, text)
    assert len(gaps) >= len(text.split()) and max(gaps) < 1e-4
    doc = together.make_doc(text)
    for name, component in together.pipeline[:together.pipe_names.index(NER_LAYER) + 1]:
        doc = component(doc)
    assert [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents] == mean_score_entities(separate, text)
    # a single run assembled alone finds, right after its NER, what it finds as `spacy train` saved it
    assemble_pipeline(models[1], relations, tmp_path / "alone")
    assert "(one training run;" in spacy.load(tmp_path / "alone").meta["description"]
    doc, after_ner = run_pipeline(spacy.load(tmp_path / "alone"), text, capture=NER_LAYER)
    assert after_ner == entities(spacy.load(models[1])(text))
    assert entities(doc) != after_ner  # the rules after the NER add the ruler's matches


def test_scripts_train_ner_names_the_log_of_a_failed_run(tmp_path):
    with pytest.raises(RuntimeError, match=r"seed\(s\) \[3\]; see .*seed3\.log"):
        train_ner(tmp_path / "missing.cfg", tmp_path / "runs", tmp_path / "train.spacy", tmp_path / "dev.spacy",
                  seeds=[3], max_steps=2, jobs=1)
    assert "missing.cfg" in (tmp_path / "runs" / "seed3.log").read_text()


def test_scripts_evaluate_scores_exact_and_overlap():
    gold = [(0, 10, "ANATOMY"), (20, 30, "TREATMENT")]
    predicted = [(0, 10, "ANATOMY"), (22, 30, "TREATMENT"), (40, 45, "DECISION")]
    assert overlap_matches(gold, predicted) == 2
    result = score([(gold, predicted)])
    assert (result["ents_p"], result["ents_r"]) == (round(1 / 3, 4), 0.5)
    assert (result["overlap_p"], result["overlap_r"]) == (round(2 / 3, 4), 1.0)
    assert result["ents_per_type"]["TREATMENT"] == {"p": 0.0, "r": 0.0, "f": 0.0}
    # one letter: every draw is that letter, so each interval is its exact F
    assert result["ents_f_ci95"] == [result["ents_f"]] * 2
    assert result["ents_f_ci95_per_type"]["ANATOMY"] == [1.0, 1.0]
    two_letters = score([(gold, predicted), ([(5, 9, "DIAGNOSIS")], [(5, 9, "DIAGNOSIS")])])
    assert two_letters["ents_f_ci95"][0] == result["ents_f"] and two_letters["ents_f_ci95"][1] == 1.0


def test_scripts_evaluate_relations_gives_intervals_over_letters_to_overlap_scores():
    item, decision, guideline = (0, 12), (30, 38), (50, 54)
    found = ([(item, decision, "HAS_DECISION"), (item, guideline, "CITES")], [(item, (31, 38), "HAS_DECISION")])
    missed = ([(item, decision, "HAS_DECISION")], [(item, guideline, "CITES")])
    overlap = scores([found, missed], exact=False)
    assert overlap["HAS_DECISION"]["f"] == round(2 / 3, 4) and overlap["HAS_DECISION"]["f_ci95"] == [0.0, 1.0]
    assert overlap["CITES"]["f_ci95"] == [0.0, 0.0] and overlap["micro"]["f_ci95"] == [0.0, round(2 / 3, 4)]
    assert "f_ci95" not in scores([found, missed], exact=True)["micro"]


def test_scripts_evaluate_relations_scores_citations_of_shared_statements():
    """Items whose party statement speaks for several items are scored on the citations the record gives
    them, against the gold CITES of their heading or of a mention naming them; a statement of one item
    is not scored."""
    text = ("1. Tramadol 50mg #60\n2. Knee brace\nReviewer: the CPMTG for tramadol and the ODG for the brace.\n"
            "Claims Administrator: ACOEM.\nThe request for tramadol 50mg #60 is not medically necessary.\n")

    def at(phrase, occurrence=0):
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(phrase, start + 1)
        return {"start": start, "end": start + len(phrase), "text": phrase}

    gold_spans = [at("tramadol 50mg #60"), at("Knee brace"), at("CPMTG"), at("ODG"), at("ACOEM")]
    gold = {"spans": gold_spans, "relations": [
        {"head": 0, "child": 2, "label": "CITES", "party": "reviewer"},  # by a mention naming the item
        {"head": 1, "child": 3, "label": "CITES", "party": "reviewer"},
        {"head": 1, "child": 4, "label": "CITES", "party": "claims_administrator"}]}
    shared, own = at("the CPMTG for tramadol and the ODG for the brace."), at("ACOEM.")
    citations = [at("CPMTG"), at("ODG"), at("ACOEM")]

    def item(name, cited, statement_of_administrator):
        return {**at(name), "item": name, "guidelines": {
            "reviewer": {"statement": shared, "citations": cited},
            "claims_administrator": {"statement": statement_of_administrator, "citations": []}}}

    record = {"guidelines": citations,
              "items": [item("Tramadol 50mg #60", [citations[0], citations[1]], None), item("Knee brace", [], own)]}
    counts = shared_statement_citations(gold, text, record)
    assert counts["items"] == 2
    assert [counts[("record", k)] for k in ("tp", "fp", "fn")] == [1, 1, 1]
    assert [counts[("whole_statement", k)] for k in ("tp", "fp", "fn")] == [2, 2, 0]


def test_scripts_evaluate_knows_ruler_terms():
    vocabulary = {"norco", "tenderness"}
    assert names_known_term("Norco 10/325mg #60", vocabulary)
    assert names_known_term("C4-C7 paraspinal muscles", vocabulary)
    assert not names_known_term("Lyrica 75mg", vocabulary)


APPEAL = ("Summary of an appeal.\n\nThe request for a lumbar support brace is not medically necessary. The request\n"
          "for 12 sessions of physical therapy is medically necessary. A TENS unit trial was also discussed.\n")


def test_scripts_evaluate_challenge_scores_each_key_item(nlp, tmp_path):
    """A key item counts when the record's item at its place or of its name has the key's decision;
    one the record does not decide counts as wrong."""
    group = tmp_path / "challenge" / "held_out"
    group.mkdir(parents=True)
    (group / "appeal.txt").write_text(APPEAL, encoding="utf8")
    srsly.write_json(group / "key.json", {"appeal.txt": [
        {"item": "lumbar support brace", "sentence": "The request for a lumbar support brace is not", "decision": "upheld"},
        {"item": "12 sessions of physical therapy",
         "sentence": "for 12 sessions of physical therapy is medically necessary", "decision": "overturned"},
        {"item": "TENS unit trial", "sentence": "A TENS unit trial was also discussed", "decision": "upheld"}]})
    nlp.to_disk(tmp_path / "rules")
    results = evaluate_challenge(tmp_path / "challenge", tmp_path / "rules", tmp_path / "challenge.json")
    assert results == {"held_out": {"letters": 1, "items": 3, "record_items": 2, "decision_accuracy": 0.6667,
                                    "by_layout": {"unknown": {"items": 3, "decision_accuracy": 0.6667}}}}
    assert srsly.read_json(tmp_path / "challenge.json")["held_out"]["decision_accuracy"] == pytest.approx(0.6667)


def test_scripts_benchmark_writes_every_figure(nlp, tmp_path):
    """A small run of scripts/benchmark.py on the rule pipeline (the corpus's test letters, written or
    real, whichever are here): every figure the README quotes is written, each computed from the
    others as documented. Speeds themselves are not asserted."""
    from benchmark import benchmark

    nlp.to_disk(tmp_path / "model")
    result = benchmark(tmp_path / "model", REPO / "corpus", tmp_path / "benchmark.json", [REPO.parent / "shared" / "letters"],
                       min_words=2_000, stream_small=3, stream_large=6, repeats=1)
    assert set(srsly.read_json(tmp_path / "benchmark.json")) == set(result)
    rounds = result["rounds"]
    assert all(len(rates) == 1 for rates in rounds.values())  # one round: its ratios are the medians
    assert result["ratio_vs_tokenizer"] == pytest.approx(rounds["pipeline"][0] / rounds["tokenizer"][0], abs=0.001)
    assert result["words_per_second"] == rounds["pipeline"][0]
    assert list(result["component_share"]) == nlp.pipe_names
    assert abs(sum(result["component_share"].values()) - 1) < 0.01
    per_word = result["seconds_per_word"]
    assert result["length_scaling_16x"] == pytest.approx(per_word["16x"] / per_word["1x"], abs=0.002)
    rates = result["records_words_per_second"]
    assert result["n_process_2_speedup"] == pytest.approx(rates["2_processes"] / rates["1_process"], abs=0.002)
    assert result["machine_2_process_speedup"] == pytest.approx(
        rounds["spin_2_processes"][0] / rounds["spin_1_process"][0], abs=0.002)
    assert result["n_process_2_efficiency"] == pytest.approx(
        result["n_process_2_speedup"] / result["machine_2_process_speedup"], abs=0.002)
    assert set(result["stream_rss_mb"]) == {"3", "6"}
    assert result["rss_growth_1k_to_10k_mb"] == round(result["stream_rss_mb"]["6"] - result["stream_rss_mb"]["3"], 1)
    assert result["words"] >= 2_000 and result["peak_rss_mb"] > 0 and result["load_seconds"] > 0
