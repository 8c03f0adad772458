"""Corpus format: validation catches each kind of bad annotation; machine pre-annotation is valid."""
import pytest
import srsly

from spacy_imr.corpus import pre_annotate, text_sha256, validate_corpus, validate_record
from spacy_imr.reading import read_letter

from conftest import FIXTURES

LETTER = FIXTURES / "letters" / "pdf_short_letter.txt"


@pytest.fixture(scope="module")
def annotated(nlp):
    text = read_letter(str(LETTER)).text
    pre = pre_annotate(nlp, text)
    record = {"id": "W900", "text": text, "text_sha256": text_sha256(text), "spans": pre["spans"],
              "relations": pre["relations"], "meta": {"layout": pre["layout"], "split": "train", "source": "written"}}
    return text, record


MANIFEST = {"W900": {"id": "W900", "split": "train", "source": "written"}}


def test_corpus_pre_annotation_is_valid_and_links_items(annotated):
    text, record = annotated
    assert validate_record(record, text, MANIFEST) == []
    spans = record["spans"]
    decided = [(text[spans[r["head"]]["start"]:spans[r["head"]]["end"]], text[spans[r["child"]]["start"]:spans[r["child"]]["end"]])
               for r in record["relations"] if r["label"] == "HAS_DECISION"]
    assert decided == [("Tramadol ER 150mg #30", "Upheld"),
                       ("Physical therapy 2 times a week for 4 weeks for the right knee", "Overturned")]
    assert {r["party"] for r in record["relations"] if r["label"] == "CITES"} == {"claims_administrator", "reviewer"}


@pytest.mark.parametrize("mutate,message", [
    (lambda r: r["spans"].append({"start": 0, "end": 4, "label": "DRUG"}), "unknown label 'DRUG'"),
    (lambda r: r["spans"].append({"start": r["spans"][0]["start"], "end": r["spans"][0]["end"] + 2, "label": "ANATOMY"}), "overlap"),
    (lambda r: r["spans"].__setitem__(0, dict(r["spans"][0], start=r["spans"][0]["start"] - 1)), "whitespace"),
    (lambda r: r.__setitem__("text_sha256", "0" * 64), "does not hash"),
    (lambda r: r["relations"].append({"head": 0, "child": 1, "label": "HAS_DECISION"}), "joins"),
    (lambda r: r["relations"].append({"head": 0, "child": 10_000, "label": "CITES"}), "outside the spans"),
    (lambda r: r["meta"].__setitem__("split", "test"), "manifest says 'train'"),
])
def test_corpus_validate_record_reports(annotated, mutate, message):
    text, record = annotated
    broken = srsly.json_loads(srsly.json_dumps(record))
    mutate(broken)
    problems = validate_record(broken, text, MANIFEST)
    assert any(message in problem for problem in problems), problems


def test_corpus_validate_corpus_finds_leakage_and_gaps(annotated, tmp_path):
    _, record = annotated
    (tmp_path / "annotations" / "written").mkdir(parents=True)
    twin = dict(record, id="W901", meta=dict(record["meta"], split="test"))
    srsly.write_jsonl(tmp_path / "annotations" / "written" / "letters.jsonl", [record, twin])
    srsly.write_json(tmp_path / "manifest.json", {"letters": [
        {"id": "W900", "split": "train", "source": "written"}, {"id": "W901", "split": "test", "source": "written"},
        {"id": "W902", "split": "dev", "source": "written"}]})
    report = validate_corpus(tmp_path, [])
    assert report["letters"] == 2
    assert any("(leakage)" in problem for problem in report["problems"])
    assert any("W902: in the manifest but not annotated" in problem for problem in report["problems"])
