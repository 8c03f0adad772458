"""The packaged pipeline: `spacy package` builds a wheel that, installed in a fresh virtual
environment, gives the same records through spacy.load and `imr extract --model` as the pipeline
directory in the repo."""
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
import srsly
from spacy.pipeline.ner import DEFAULT_NER_MODEL

import spacy_imr
from spacy_imr.extract import iter_records
from spacy_imr.ner_ensemble import merged_model_config

from conftest import FIXTURES, REPO

LETTERS = [FIXTURES / "letters" / name for name in ("pdf_short_letter.txt", "a2016_multi_item_mixed.txt", "notice_2013.txt")]


def pipeline_dir(tmp_path: Path) -> Path:
    """The trained pipeline of `spacy project run all` when there is one, else the rule pipeline with
    an (untrained) NER layer of two members in the same place: packaging must not depend on what the
    model learned."""
    trained = REPO / "training" / "imr_letters"
    if trained.exists():
        return trained
    nlp = spacy_imr.build_rule_pipeline()
    ner = nlp.add_pipe("ner", after="ruler_case", config={"model": merged_model_config(DEFAULT_NER_MODEL, 2)})
    for label in ("DIAGNOSIS", "ANATOMY", "EXAM_FINDING", "GUIDELINE", "TREATMENT", "DECISION"):
        ner.add_label(label)
    nlp.initialize()
    nlp.meta.update({"name": "imr_letters", "version": spacy_imr.__version__,
                     "requirements": [f"spacy-imr>={spacy_imr.__version__}"]})
    nlp.to_disk(tmp_path / "imr_letters")
    return tmp_path / "imr_letters"


def run(*args, **kwargs):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


@pytest.mark.skipif(not (REPO / "pyproject.toml").exists(), reason="needs the repository")
def test_package_installed_wheel_gives_the_same_records(tmp_path):
    model = pipeline_dir(tmp_path)
    (tmp_path / "packages").mkdir()
    run(sys.executable, "-m", "spacy", "package", model, tmp_path / "packages", "--name", "imr_letters",
        "--version", spacy_imr.__version__, "--build", "wheel", "--force")
    (wheel,) = (tmp_path / "packages").rglob("en_imr_letters-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", str(REPO), str(wheel))
    # records as JSON, as the installed `imr extract` writes them
    expected = [srsly.json_loads(srsly.json_dumps(r)) for r in iter_records(spacy.load(model), [str(p) for p in LETTERS])]
    out = tmp_path / "installed.jsonl"
    run(venv / "bin" / "imr", "extract", *LETTERS, "--model", "en_imr_letters", "--out", out)
    assert list(srsly.read_jsonl(out)) == expected
    loaded = run(python, "-c", "import spacy, json; nlp = spacy.load('en_imr_letters'); "
                               "print(json.dumps(nlp(open(%r).read())._.imr_record))" % str(LETTERS[0]))
    direct = spacy.load(model)(LETTERS[0].read_text())._.imr_record
    assert srsly.json_loads(loaded.stdout) == srsly.json_loads(srsly.json_dumps(direct))
