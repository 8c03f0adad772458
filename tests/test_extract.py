"""Batches: order, failures as records, atomic output, multiprocessing, PDFs, serialization."""
import shutil
import subprocess
import sys

import jsonschema
import pytest
import spacy
import srsly
from spacy.language import Language
from spacy.tokens import DocBin
from typer.testing import CliRunner

import spacy_imr
from spacy_imr.cli import app
from spacy_imr.distributed import iter_records_dask
from spacy_imr.extract import extract_letters, iter_records, partial_path
from spacy_imr.reading import read_letter, text_sha256
from spacy_imr.record import shift_offsets

from conftest import FIXTURE_LETTERS, FIXTURES, REPO

LETTERS = [p for p in FIXTURE_LETTERS if p.stem != "unknown_progress_note"]


def write_pdf(text: str, path):
    """A real PDF whose text layer holds the letter's lines."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter)
    y = 750
    for line in text.splitlines():
        if y < 60:
            pdf.showPage()
            y = 750
        pdf.setFont("Helvetica", 9)
        pdf.drawString(40, y, line)
        y -= 12
    pdf.save()


@pytest.fixture
def batch(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(FIXTURES / "letters" / "pdf_short_letter.txt", folder / "a_good.txt")
    (folder / "b_empty.txt").write_bytes(b"")
    (folder / "c_binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    shutil.copy(FIXTURES / "letters" / "b_maximus_header.txt", folder / "d_good.txt")
    (folder / "e_corrupt.pdf").write_bytes(b"%PDF-1.4 broken")
    shutil.copy(FIXTURES / "letters" / "unknown_progress_note.txt", folder / "f_not_imr.txt")
    (folder / "notes.json").write_text("{}")
    return folder


def test_extract_batch_keeps_going_and_reports_failures(batch, tmp_path):
    out = tmp_path / "records.jsonl"
    summary = extract_letters([batch], out=out)
    records = list(srsly.read_jsonl(out))
    assert [r["source"].rsplit("/", 1)[-1] for r in records] == [
        "a_good.txt", "b_empty.txt", "c_binary.txt", "d_good.txt", "e_corrupt.pdf", "f_not_imr.txt"]
    assert [r.get("error", {}).get("code") for r in records] == [None, "E001", "E002", None, "E004", "E009"]
    assert [len(r["items"]) for r in records if "error" not in r] == [2, 2]
    assert summary.to_dict() == {"letters": 6, "failures": 4, "items": 4, "upheld": 2, "overturned": 2,
                                 "partial": 0, "unknown": 0}


def test_extract_cli_exit_status_and_summary(batch, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(batch), "--out", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 1
    assert "6 letters, 4 items: 2 upheld, 2 overturned" in result.output
    good = runner.invoke(app, ["extract", str(batch / "a_good.txt"), "--out", str(tmp_path / "g.jsonl")])
    assert good.exit_code == 0


def test_extract_stopped_run_leaves_output_untouched_and_resumes(batch, tmp_path):
    out = tmp_path / "records.jsonl"
    out.write_text("previous complete output\n")

    def interrupt(record):
        if record["source"].endswith("d_good.txt"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        extract_letters([batch], out=out, on_record=interrupt)
    assert out.read_text() == "previous complete output\n"
    partial = [srsly.json_loads(line) for line in partial_path(out).read_text().splitlines()]
    assert [r["source"].rsplit("/", 1)[-1] for r in partial] == [
        "a_good.txt", "b_empty.txt", "c_binary.txt", "d_good.txt"]

    resumed = []
    extract_letters([batch], out=out, resume=True, on_record=resumed.append)
    assert not partial_path(out).exists()
    complete = tmp_path / "complete.jsonl"
    extract_letters([batch], out=complete)
    by_source = {r["source"]: r for r in srsly.read_jsonl(complete)}
    # the two finished letters are kept from the stopped run; every other letter is run again
    assert [r["source"].rsplit("/", 1)[-1] for r in resumed] == [
        "a_good.txt", "d_good.txt", "b_empty.txt", "c_binary.txt", "e_corrupt.pdf", "f_not_imr.txt"]
    assert list(srsly.read_jsonl(out)) == resumed
    assert all(record == by_source[record["source"]] for record in resumed)


def test_extract_skips_letters_by_text_hash(nlp):
    sources = [str(p) for p in LETTERS[:3]]
    done = text_sha256(read_letter(sources[1]).text)
    records = list(iter_records(nlp, sources, skip={done}))
    assert [r["source"] for r in records] == [sources[0], sources[2]]


@Language.component("imr_test_broken")
def broken_component(doc):
    raise RuntimeError("boom")


def test_extract_component_failure_becomes_error_record(tmp_path):
    pipeline = spacy_imr.build_rule_pipeline()
    pipeline.add_pipe("imr_test_broken")
    letter = FIXTURES / "letters" / "pdf_short_letter.txt"
    records = list(iter_records(pipeline, [str(letter), str(letter)]))
    assert [r["error"]["code"] for r in records] == ["E010", "E010"]
    assert "imr_test_broken: RuntimeError: boom" in records[0]["error"]["message"]


def test_extract_n_process_2_gives_the_same_records(nlp, batch):
    sources = [str(p) for p in LETTERS] + sorted(str(p) for p in batch.iterdir())
    one = list(iter_records(nlp, sources, n_process=1))
    assert list(iter_records(nlp, sources, n_process=2, min_task_size=2)) == one
    assert [r.get("error", {}).get("code") for r in one[len(LETTERS):]] == [None, "E001", "E002", None, "E004", "E009", "E008"]


def test_extract_worker_tasks_shrink_towards_the_end():
    from spacy_imr.extract import worker_tasks

    letters = [f"letter_{index:03d}.txt" for index in range(147)]
    tasks = worker_tasks(letters, 2, largest=64, smallest=4)
    # a quarter of what is left (half of each worker's equal share), then the smallest size, then the rest
    assert [len(task) for task in tasks] == [37, 28, 21, 16, 12, 9, 6, 5, 4, 4, 4, 1]
    assert [letter for task in tasks for letter in task] == letters
    many = worker_tasks([str(index) for index in range(10_000)], 2, largest=64, smallest=4)
    assert {len(task) for task in many[:150]} == {64}  # pipeline-sized batches until the last few hundred
    assert [len(task) for task in many[-4:]] == [4, 4, 4, 3] and sum(map(len, many)) == 10_000


def test_extract_dask_local_cluster_gives_the_same_records(nlp, batch, tmp_path):
    nlp.to_disk(tmp_path / "model")
    sources = [str(p) for p in LETTERS] + sorted(str(p) for p in batch.iterdir())
    local = list(iter_records(nlp, sources))
    distributed = list(iter_records_dask("local", sources, model=str(tmp_path / "model"), batch_size=3, n_workers=2))
    assert distributed == local


def test_extract_real_pdf_built_from_fixture(nlp, tmp_path):
    text_path = FIXTURES / "letters" / "pdf_short_letter.txt"
    pdf_path = tmp_path / "pdf_short_letter.pdf"
    write_pdf(text_path.read_text(), pdf_path)
    from_pdf, = iter_records(nlp, [str(pdf_path)])
    from_text, = iter_records(nlp, [str(text_path)])
    for key in ("layout", "case_number", "patient", "dates", "reviewer", "diagnoses"):
        assert from_pdf[key] == ({**from_text[key]} if isinstance(from_text[key], dict) else from_text[key]) or \
            [d["text"] for d in from_pdf[key]] == [d["text"] for d in from_text[key]], key
    assert [(i["item"], i["decision"]) for i in from_pdf["items"]] == [
        ("Tramadol ER 150mg #30", "upheld"), ("Physical therapy 2 times a week for 4 weeks for the right knee", "overturned")]
    pdf_text = read_letter(str(pdf_path)).text
    for item in from_pdf["items"]:
        assert " ".join(pdf_text[item["start"]:item["end"]].split()) == item["item"]


def test_extract_to_disk_from_disk_round_trip(nlp, tmp_path):
    nlp.to_disk(tmp_path / "model")
    reloaded = spacy.load(tmp_path / "model")
    assert reloaded.pipe_names == nlp.pipe_names
    sources = [str(p) for p in LETTERS]
    assert list(iter_records(reloaded, sources)) == list(iter_records(nlp, sources))


def test_extract_docbin_round_trip_keeps_typed_values(nlp):
    docs = [nlp(read_letter(str(p)).text) for p in LETTERS[:4]]
    data = DocBin(docs=docs, store_user_data=True).to_bytes()
    restored = list(DocBin(store_user_data=True).from_bytes(data).get_docs(nlp.vocab))
    assert [d._.imr_record for d in restored] == [d._.imr_record for d in docs]
    assert type(restored[0].spans["findings"][0]._.finding).__name__ == type(docs[0].spans["findings"][0]._.finding).__name__


def test_extract_spacy_project_run_demo(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(".venv", ".git", "outputs", "__pycache__", "training", "packages", "build", "*.spacy"))
    result = subprocess.run([sys.executable, "-m", "spacy", "project", "run", "extract-demo", str(project)],
                            capture_output=True, text=True, cwd=project)
    assert result.returncode == 0, result.stderr
    records = list(srsly.read_jsonl(project / "outputs" / "demo_records.jsonl"))
    assert [r["layout"] for r in records] == ["A", "B", "0"]
    assert [len(r["items"]) for r in records] == [2, 2, 3]


SEVERAL = ("b_maximus_header", "c_professional_review", "a2016_single_item_overturned")


def test_extract_file_holding_several_letters(nlp, tmp_path):
    """A file that holds several letters one after another gives one record each, in order, with
    offsets into the whole file's text and the record the letter has alone."""
    paths = [FIXTURES / "letters" / f"{name}.txt" for name in SEVERAL]
    texts = [read_letter(str(path)).text for path in paths]
    dump = tmp_path / "dump.txt"
    dump.write_text("\f".join(texts), encoding="utf8")
    records = list(iter_records(nlp, [str(dump)]))
    starts = [0, len(texts[0]) + 1, len(texts[0]) + len(texts[1]) + 2]
    assert [record["letter"] for record in records] == [
        {"number": 1, "of": 3, "start": starts[0], "end": starts[1]},
        {"number": 2, "of": 3, "start": starts[1], "end": starts[2]},
        {"number": 3, "of": 3, "start": starts[2], "end": len(dump.read_text(encoding="utf8"))}]
    for record, path, start in zip(records, paths, starts):
        alone, = iter_records(nlp, [str(path)])
        differ = ("source", "sha256", "letter")
        assert {k: v for k, v in record.items() if k not in differ} == \
            {k: v for k, v in shift_offsets(alone, start).items() if k not in differ}
        assert record["source"] == str(dump)
        jsonschema.validate(record, srsly.read_json(REPO / "schema" / "letter_record.schema.json"))
    assert [r["case_number"] for r in records] == [r["case_number"] for p in paths for r in iter_records(nlp, [str(p)])]


def test_extract_file_of_several_letters_with_two_processes_and_a_resume(nlp, tmp_path):
    """Worker processes give the same records; a resumed run keeps the letters of the file it finished."""
    paths = [FIXTURES / "letters" / f"{name}.txt" for name in SEVERAL]
    dump = tmp_path / "dump.txt"
    dump.write_text("\n".join(read_letter(str(path)).text for path in paths), encoding="utf8")
    sources = [str(p) for p in LETTERS] + [str(dump)]
    one = list(iter_records(nlp, sources, n_process=1))
    assert len(one) == len(LETTERS) + 3
    assert list(iter_records(nlp, sources, n_process=2, min_task_size=2)) == one
    second = one[len(LETTERS) + 1]
    rest = list(iter_records(nlp, [str(dump)], skip={second["sha256"]}))
    assert [r["letter"]["number"] for r in rest] == [1, 3]


def test_extract_error_of_one_letter_in_a_file_names_the_letter(tmp_path):
    pipeline = spacy_imr.build_rule_pipeline()
    pipeline.add_pipe("imr_test_broken")
    dump = tmp_path / "dump.txt"
    dump.write_text("\f".join(read_letter(str(FIXTURES / "letters" / f"{name}.txt")).text for name in SEVERAL[:2]),
                    encoding="utf8")
    records = list(iter_records(pipeline, [str(dump)]))
    assert [(r["error"]["code"], r["letter"]["number"]) for r in records] == [("E010", 1), ("E010", 2)]
    assert records[1]["error"]["message"].startswith(f"[E010] {dump} (letter 2 of 2): extraction failed")


def test_extract_show_prints_each_letter_of_a_file(tmp_path):
    """`imr show` prints a letter's case facts and items; for a file of several letters, each of them."""
    paths = [FIXTURES / "letters" / f"{name}.txt" for name in SEVERAL[:2]]
    dump = tmp_path / "dump.txt"
    dump.write_text("\f".join(read_letter(str(path)).text for path in paths), encoding="utf8")
    runner = CliRunner()
    result = runner.invoke(app, ["show", str(dump)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "letter 1 of 2" in result.output and "letter 2 of 2" in result.output
    alone = [next(iter_records(spacy_imr.build_rule_pipeline(), [str(path)])) for path in paths]
    for record in alone:
        assert record["case_number"] and record["case_number"] in result.output
        for item in record["items"]:
            assert item["decision"] in result.output
    single = runner.invoke(app, ["show", str(paths[0]), "--json"])
    assert single.exit_code == 0 and srsly.json_loads(single.output)["case_number"] == alone[0]["case_number"]
