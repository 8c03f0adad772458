"""Inter-annotator agreement of a second annotation with the corpus's gold."""
import pytest
import srsly
from typer.testing import CliRunner

from spacy_imr.agreement import agreement, paired_records
from spacy_imr.cli import app
from spacy_imr.corpus import text_sha256

TEXT = ("Physical examination revealed tenderness over the lumbar paraspinal muscles and decreased range of "
        "motion. Diagnoses: lumbar radiculopathy. Physical therapy 2 times a week for 6 weeks: Upheld.")


def span(phrase, label):
    start = TEXT.index(phrase)
    return {"start": start, "end": start + len(phrase), "label": label}


def record(spans, relations, with_text=True):
    data = {"id": "W900", "text_sha256": text_sha256(TEXT), "spans": spans, "relations": relations,
            "meta": {"layout": "A", "split": "dev", "source": "written"}}
    if with_text:
        data["text"] = TEXT
    return data


GOLD = record([span("tenderness", "EXAM_FINDING"), span("lumbar paraspinal muscles", "ANATOMY"),
               span("range of motion", "EXAM_FINDING"), span("lumbar radiculopathy", "DIAGNOSIS"),
               span("Physical therapy 2 times a week for 6 weeks", "TREATMENT"), span("Upheld", "DECISION")],
              [{"head": 0, "child": 1, "label": "LOCATED_AT"}, {"head": 4, "child": 5, "label": "HAS_DECISION"}])
# the second annotator cuts the site and the treatment shorter, misses the diagnosis and links the same pairs
SECOND = record([span("tenderness", "EXAM_FINDING"), span("paraspinal muscles", "ANATOMY"),
                 span("range of motion", "EXAM_FINDING"), span("Physical therapy", "TREATMENT"),
                 span("Upheld", "DECISION")],
                [{"head": 0, "child": 1, "label": "LOCATED_AT"}, {"head": 3, "child": 4, "label": "HAS_DECISION"}],
                with_text=False)


def test_agreement_per_label_exact_and_overlap():
    scores = agreement([(GOLD, SECOND)])
    entities = scores["entities"]
    assert entities["EXAM_FINDING"] == {"gold": 2, "second": 2, "exact_f": 1.0, "overlap_f": 1.0}
    assert entities["ANATOMY"] == {"gold": 1, "second": 1, "exact_f": 0.0, "overlap_f": 1.0}
    assert entities["DIAGNOSIS"] == {"gold": 1, "second": 0, "exact_f": 0.0, "overlap_f": 0.0}
    assert entities["GUIDELINE"] == {"gold": 0, "second": 0, "exact_f": 1.0, "overlap_f": 1.0}
    # 3 of 6 gold and 5 second spans agree exactly, 5 by overlap
    assert scores["entities_micro"] == {"exact_f": round(6 / 11, 4), "overlap_f": round(10 / 11, 4)}
    assert scores["relations"]["LOCATED_AT"] == {"gold": 1, "second": 1, "exact_f": 0.0, "overlap_f": 1.0}
    assert scores["relations"]["HAS_DECISION"] == {"gold": 1, "second": 1, "exact_f": 0.0, "overlap_f": 1.0}
    assert agreement([(GOLD, GOLD)])["entities_micro"] == {"exact_f": 1.0, "overlap_f": 1.0}


def test_agreement_pairs_by_id_and_checks_the_text(tmp_path):
    (tmp_path / "annotations" / "written").mkdir(parents=True)
    srsly.write_jsonl(tmp_path / "annotations" / "written" / "letters.jsonl", [GOLD])
    assert paired_records(tmp_path, [SECOND], []) == [(GOLD, SECOND)]
    with pytest.raises(ValueError, match="W901"):
        paired_records(tmp_path, [{**SECOND, "id": "W901"}], [])
    with pytest.raises(ValueError, match="W900: its text is missing or does not hash"):
        paired_records(tmp_path, [{**SECOND, "text_sha256": text_sha256(TEXT + " ")}], [])


def test_agreement_cli_writes_the_scores(tmp_path):
    (tmp_path / "annotations" / "written").mkdir(parents=True)
    srsly.write_jsonl(tmp_path / "annotations" / "written" / "letters.jsonl", [GOLD])
    srsly.write_jsonl(tmp_path / "second.jsonl", [SECOND])
    result = CliRunner().invoke(app, ["corpus", "agreement", str(tmp_path / "second.jsonl"), "--corpus", str(tmp_path),
                                      "--letters", str(tmp_path), "--out", str(tmp_path / "agreement.json")])
    assert result.exit_code == 0, result.output
    assert srsly.read_json(tmp_path / "agreement.json") == agreement([(GOLD, SECOND)])


def test_agreement_cli_names_the_file_of_a_bad_record(tmp_path):
    (tmp_path / "annotations" / "written").mkdir(parents=True)
    srsly.write_jsonl(tmp_path / "annotations" / "written" / "letters.jsonl", [GOLD])
    second = tmp_path / "second.jsonl"
    for content, message in ((srsly.json_dumps(SECOND) + "\n{not json\n", "line 2: not a JSON record"),
                             ("\n", "no annotated letters"),
                             (srsly.json_dumps({**SECOND, "id": "W901"}) + "\n", "W901")):
        second.write_text(content, encoding="utf8")
        result = CliRunner().invoke(app, ["corpus", "agreement", str(second), "--corpus", str(tmp_path), "--letters", str(tmp_path)])
        assert result.exit_code == 1
        output = " ".join(result.output.split())  # the console wraps long lines
        assert second.name in output and message in output
