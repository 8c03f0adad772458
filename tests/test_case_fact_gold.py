"""Gold case facts: the standoff format is validated against the letter, and records are scored field by field."""
import pytest
import srsly

from spacy_imr.case_fact_gold import (CASE_FACT_FIELDS, gold_case_facts, record_case_facts, score_case_facts,
                                      validate_case_facts)
from spacy_imr.corpus import text_sha256, validate_corpus
from spacy_imr.reading import read_letter

from conftest import FIXTURES

LETTER = FIXTURES / "letters" / "a2016_multi_item_mixed.txt"
MANIFEST = {"W900": {"id": "W900", "split": "dev", "source": "written"}}


def _at(text: str, written: str, value=None, after: str = "") -> dict:
    start = text.index(written, text.index(after) if after else 0)
    fact = {"start": start, "end": start + len(written)}
    return dict(fact, value=value) if value is not None else fact


@pytest.fixture(scope="module")
def letter():
    text = read_letter(str(LETTER)).text
    facts = {
        "case_number": _at(text, "CM16-0201957"),
        "dates.assigned": _at(text, "11/14/2016", "2016-11-14"),
        "dates.injury": _at(text, "06/03/2012", "2012-06-03"),
        "dates.decision": _at(text, "12/19/2016", "2016-12-19"),
        "dates.ur_denial": _at(text, "10/27/2016", "2016-10-27"),
        "dates.application": _at(text, "11/08/2016", "2016-11-08"),
        "patient.age": _at(text, "58", 58, after="CLINICAL CASE SUMMARY"),
        "patient.sex": _at(text, "male", "male", after="58 year old"),
        "reviewer.specialty": _at(text, "Orthopedic Surgery", after="Specialty:"),
        "reviewer.subspecialty": None,
        "reviewer.licensed_in": _at(text, "California", after="Licensure:"),
    }
    return text, {"id": "W900", "text_sha256": text_sha256(text), "facts": facts}


def test_case_fact_gold_a_valid_record_has_no_problems(letter):
    text, record = letter
    assert validate_case_facts(record, text, MANIFEST, record["text_sha256"]) == []


@pytest.mark.parametrize("mutate,message", [
    (lambda r: r["facts"]["dates.injury"].__setitem__("value", "2012-03-06"), "is not the date written there"),
    (lambda r: r["facts"]["patient.age"].__setitem__("value", 59), "is not the age written there"),
    (lambda r: r["facts"]["patient.sex"].__setitem__("value", "M"), "is not one of"),
    (lambda r: r["facts"].pop("dates.decision"), "missing field 'dates.decision'"),
    (lambda r: r["facts"].__setitem__("dates.hearing", None), "unknown field 'dates.hearing'"),
    (lambda r: r["facts"]["case_number"].__setitem__("end", 10_000_000), "past the text"),
    (lambda r: r["facts"]["reviewer.specialty"].__setitem__("end", r["facts"]["reviewer.specialty"]["end"] + 1),
     "starts or ends with whitespace"),
    (lambda r: r.__setitem__("text_sha256", "0" * 64), "differs from the letter's annotation"),
])
def test_case_fact_gold_validate_reports(letter, mutate, message):
    text, record = letter
    broken = srsly.json_loads(srsly.json_dumps(record))
    mutate(broken)
    problems = validate_case_facts(broken, text, MANIFEST, record["text_sha256"])
    assert any(message in problem for problem in problems), problems


def test_case_fact_gold_scores_the_rule_pipeline_record(nlp, letter):
    text, record = letter
    gold = gold_case_facts(record, text)
    assert gold["reviewer.specialty"] == "orthopedic surgery" and gold["reviewer.licensed_in"] == ["california"]
    predicted = record_case_facts(nlp(text)._.imr_record)
    assert predicted == gold
    scores = score_case_facts([(gold, predicted)])
    assert scores["accuracy"] == 1.0 and scores["letters"] == 1
    assert scores["fields"]["reviewer.subspecialty"] == {"accuracy": 1.0, "stated": 0, "wrong": 0, "missed": 0, "extra": 0}


def test_case_fact_gold_scores_wrong_missed_and_extra_values(letter):
    text, record = letter
    gold = gold_case_facts(record, text)
    predicted = dict(gold, **{"patient.age": 85, "dates.decision": None, "reviewer.subspecialty": "sports medicine"})
    scores = score_case_facts([(gold, predicted), (gold, gold)])
    fields = scores["fields"]
    assert fields["patient.age"] == {"accuracy": 0.5, "stated": 2, "wrong": 1, "missed": 0, "extra": 0}
    assert fields["dates.decision"] == {"accuracy": 0.5, "stated": 2, "wrong": 0, "missed": 1, "extra": 0}
    assert fields["reviewer.subspecialty"] == {"accuracy": 0.5, "stated": 0, "wrong": 0, "missed": 0, "extra": 1}
    assert scores["accuracy"] == round(1 - 3 / (2 * len(CASE_FACT_FIELDS)), 4)


def test_case_fact_gold_licensure_is_a_set_of_states():
    states = record_case_facts({"reviewer": {"licensed_in": "Texas,New York,  California"}})["reviewer.licensed_in"]
    assert states == record_case_facts({"reviewer": {"licensed_in": "California, New York and Texas"}})["reviewer.licensed_in"]
    assert states == ["california", "new york", "texas"]


def test_case_fact_gold_validate_corpus_checks_the_case_facts(letter, tmp_path):
    text, record = letter
    (tmp_path / "annotations" / "written").mkdir(parents=True)
    (tmp_path / "case_facts").mkdir()
    annotation = {"id": "W900", "text": text, "text_sha256": record["text_sha256"], "spans": [], "relations": [],
                  "meta": {"layout": "A", "split": "dev", "source": "written"}}
    srsly.write_jsonl(tmp_path / "annotations" / "written" / "letters.jsonl", [annotation])
    srsly.write_json(tmp_path / "manifest.json", {"letters": list(MANIFEST.values())})
    wrong_age = srsly.json_loads(srsly.json_dumps(record))
    wrong_age["facts"]["patient.age"]["value"] = 59
    srsly.write_jsonl(tmp_path / "case_facts" / "written.jsonl", [record, wrong_age])
    report = validate_corpus(tmp_path, [])
    assert report["case_facts"] == 2
    assert report["problems"] == [
        f"{tmp_path / 'case_facts' / 'written.jsonl'}:2: W900 (case facts): patient.age value 59 is not the age written there ('58')",
        "W900: case facts given 2 times",
    ]
