"""Label Studio and doccano exports into the corpus format, and pre-annotated Label Studio tasks."""
from spacy_imr.converters import from_doccano, from_label_studio, to_label_studio
from spacy_imr.corpus import pre_annotate
from spacy_imr.reading import read_letter

from conftest import FIXTURES

TEXT = "Tenderness over the left trapezius. Norco 10/325mg #60: Upheld"


def test_converters_label_studio_tasks_round_trip(nlp):
    text = read_letter(str(FIXTURES / "letters" / "b_maximus_header.txt")).text
    tasks = to_label_studio(nlp, [{"id": "W950", "text": text}])
    # a person accepts the predictions: Label Studio exports them as the task's annotation
    exported = [dict(task, annotations=[{"result": task["predictions"][0]["result"]}]) for task in tasks]
    (record,) = from_label_studio(exported)
    pre = pre_annotate(nlp, text)
    assert record["id"] == "W950" and record["text"] == text
    assert record["spans"] == pre["spans"]
    assert record["relations"] == pre["relations"]


def test_converters_label_studio_export_with_relations():
    task = {"id": 7, "data": {"text": TEXT}, "annotations": [{"result": [
        {"id": "b", "type": "labels", "value": {"start": 20, "end": 34, "labels": ["ANATOMY"]}},
        {"id": "a", "type": "labels", "value": {"start": 0, "end": 10, "labels": ["EXAM_FINDING"]}},
        {"type": "relation", "from_id": "a", "to_id": "b", "labels": ["LOCATED_AT"]},
    ]}]}
    (record,) = from_label_studio([task], keep_text=False)
    assert "text" not in record and record["id"] == "7"
    assert record["spans"] == [{"start": 0, "end": 10, "label": "EXAM_FINDING"}, {"start": 20, "end": 34, "label": "ANATOMY"}]
    assert record["relations"] == [{"head": 0, "child": 1, "label": "LOCATED_AT"}]


def test_converters_doccano_both_export_shapes():
    relations_export = {"id": 3, "text": TEXT, "entities": [
        {"id": 11, "label": "TREATMENT", "start_offset": 36, "end_offset": 54},
        {"id": 12, "label": "DECISION", "start_offset": 56, "end_offset": 62}],
        "relations": [{"id": 1, "from_id": 11, "to_id": 12, "type": "HAS_DECISION"}]}
    span_export = {"text": TEXT, "label": [[36, 54, "TREATMENT"], [56, 62, "DECISION"]]}
    first, second = from_doccano([relations_export, span_export])
    assert [TEXT[s["start"]:s["end"]] for s in first["spans"]] == ["Norco 10/325mg #60", "Upheld"]
    assert first["relations"] == [{"head": 0, "child": 1, "label": "HAS_DECISION"}]
    assert second["spans"] == first["spans"] and second["relations"] == []


def test_converters_annotate_pre_gives_a_task_a_letter(tmp_path):
    """`imr annotate pre` on a letter and on a file that holds two: one task a letter, named by its
    file and, where the file holds several, its number, each pre-annotated on its own text."""
    import srsly
    from typer.testing import CliRunner

    from spacy_imr.cli import app

    texts = [read_letter(str(FIXTURES / "letters" / f"{name}.txt")).text
             for name in ("b_maximus_header", "c_professional_review")]
    (tmp_path / "dump.txt").write_text("\f".join(texts), encoding="utf8")
    (tmp_path / "single.txt").write_text(texts[0], encoding="utf8")
    result = CliRunner().invoke(app, ["annotate", "pre", str(tmp_path / "dump.txt"), str(tmp_path / "single.txt"),
                                      "--out", str(tmp_path / "tasks.json")])
    assert result.exit_code == 0, result.output
    tasks = srsly.read_json(tmp_path / "tasks.json")
    assert [(task["data"]["letter_id"], task["data"]["text"].strip()) for task in tasks] == [
        ("dump_1", texts[0].strip()), ("dump_2", texts[1].strip()), ("single", texts[0].strip())]
    assert tasks[2]["data"]["text"] == texts[0]
    assert [task["meta"]["layout"] for task in tasks] == ["B", "C", "B"]
