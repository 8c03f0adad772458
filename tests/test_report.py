"""Batch report: counts equal the records' (also for 100,000 records, in bounded memory), the
treatment categories, and in a real browser the page draws every chart offline without errors."""
import subprocess
import sys
from collections import Counter

import pytest
import srsly
from typer.testing import CliRunner

from spacy_imr.cli import app
from spacy_imr.extract import iter_records
from spacy_imr.report import FAILURES_LISTED, count_records, item_category, write_report
from spacy_imr.treatment_categories import CATEGORIES, treatment_category

from browser import browser, needs_chromium, open_page  # noqa: F401  (browser: fixture)
from conftest import FIXTURE_LETTERS, FIXTURES

# one name per category, as requests are written in letters
NAMED_REQUESTS = {
    "Norco 10/325mg #60": "medication",
    "Physical therapy 2 times a week for 4 weeks for the right knee": "therapy",
    "Post-operative physical therapy 3 times a week for 6 weeks, left knee": "therapy",
    "Left L4-L5 transforaminal epidural steroid injection under fluoroscopic guidance": "injection",
    "MRI of the lumbar spine without contrast": "imaging",
    "TENS unit with supplies": "DME",
    "Right shoulder arthroscopy with subacromial decompression": "surgery",
    "Functional restoration program 80 hours": "program",
    "Consultation with a pain management specialist": "other",
}
PARTY_BASIS = {True: "MTUS-based", False: "not MTUS-based", None: "not stated"}
# writes a report in a fresh process and prints that process's peak resident size (KiB)
PEAK_OF_REPORT = ("import resource, sys\nfrom spacy_imr.report import write_report\n"
                  "write_report(records=sys.argv[1], out=sys.argv[2])\n"
                  "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")


@pytest.fixture(scope="module")
def fixture_records(nlp, tmp_path_factory):
    """Records of every test letter (one of them not an IMR letter) and of a missing file."""
    path = tmp_path_factory.mktemp("report") / "records.jsonl"
    sources = [str(p) for p in FIXTURE_LETTERS] + [str(FIXTURES / "letters" / "missing.txt")]
    srsly.write_jsonl(path, iter_records(nlp, sources))
    return path


def test_report_treatment_categories():
    assert {name: treatment_category(name) for name in NAMED_REQUESTS} == NAMED_REQUESTS
    assert set(NAMED_REQUESTS.values()) == set(CATEGORIES)
    # a category the record carries wins over the derived one
    assert item_category({"item": "Norco 10/325mg #60", "category": "surgery"}) == "surgery"
    assert item_category({"item": "Norco 10/325mg #60", "category": "not a category"}) == "medication"


def test_report_counts_equal_the_records(fixture_records):
    records = list(srsly.read_jsonl(fixture_records))
    letters = [r for r in records if "error" not in r]
    items = [item for r in letters for item in r["items"]]
    counts = count_records(path=fixture_records)
    assert counts.letters == len(records) == len(FIXTURE_LETTERS) + 1
    assert counts.failure_codes == Counter({"E009": 1, "E007": 1})
    assert [(line, code) for line, _, code, _ in counts.failure_list] == [
        (n, r["error"]["code"]) for n, r in enumerate(records, start=1) if "error" in r]
    assert counts.items == len(items)
    assert counts.decisions == Counter(item["decision"] for item in items)
    assert counts.outcomes == Counter(r["outcome"] for r in letters)
    assert counts.items_per_letter == Counter(len(r["items"]) for r in letters)
    assert counts.ur_denial_months == Counter(r["dates"]["ur_denial"][:7] if r["dates"]["ur_denial"] else None for r in letters)
    assert counts.guideline_sources == Counter(c["source"] for r in letters for c in r["guidelines"])
    assert counts.category_decisions == Counter((treatment_category(i["item"]), i["decision"]) for i in items)
    assert counts.bases == Counter((party, PARTY_BASIS[i["guidelines"][party]["mtus_based"]])
                                   for i in items for party in ("claims_administrator", "reviewer"))


def test_report_cli_writes_the_page(fixture_records, tmp_path):
    page = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(fixture_records), "--out", str(page)])
    assert result.exit_code == 0, result.output
    counts = count_records(path=fixture_records)
    assert f"{counts.letters} letters, {counts.items} items, {counts.failures} failed" in result.output
    assert f'<td class="count-items">{counts.items:,}</td>' in page.read_text()


def test_report_rejects_a_line_that_is_not_json(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"source": "a", "error": {"code": "E001", "message": "empty"}}\n{"source": "b", "items": [\n')
    with pytest.raises(ValueError, match=r"\[E015\] .*records.jsonl, line 2"):
        count_records(path=path)


def _shortened(value):
    """The record with long texts cut, so that 100,000 of them make a file of a few hundred MB at most."""
    if isinstance(value, dict):
        return {k: (v[:40] if k == "text" and isinstance(v, str) else _shortened(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_shortened(v) for v in value]
    return value


def test_report_counts_100k_synthesized_records(nlp, tmp_path):
    """100,000 variations of a real record: every 40th an error record, the others with 0-3 items of
    the named requests, decisions, reviewer bases and UR denial months in turn."""
    base = next(iter_records(nlp, [str(FIXTURES / "letters" / "pdf_short_letter.txt")]))
    base = _shortened({**base, "entities": [], "sections": [], "relations": []})
    base_item = base["items"][0]
    names, decisions = list(NAMED_REQUESTS), ["upheld", "overturned", "partial", "unknown"]
    n_records = 100_000
    expected = {"decisions": Counter(), "categories": Counter(), "per_letter": Counter(), "months": Counter(),
                "reviewer": Counter(), "codes": Counter()}
    path = tmp_path / "records.jsonl"
    with open(path, "w", encoding="utf8") as out:
        for i in range(n_records):
            if i % 40 == 0:
                code = ("E001", "E009")[(i // 40) % 2]
                expected["codes"][code] += 1
                out.write(srsly.json_dumps({"schema_version": base["schema_version"], "source": f"letter_{i}.txt",
                                            "error": {"code": code, "message": f"letter_{i}.txt: failed"}}) + "\n")
                continue
            mtus = (True, False, None)[i % 3]
            items = []
            for k in range(i % 4):
                name, decision = names[(i + k) % len(names)], decisions[(i + 2 * k) % 4]
                expected["decisions"][decision] += 1
                expected["categories"][(NAMED_REQUESTS[name], decision)] += 1
                expected["reviewer"][PARTY_BASIS[mtus]] += 1
                reviewer = {**base_item["guidelines"]["reviewer"], "mtus_based": mtus}
                items.append({**base_item, "item": name, "decision": decision,
                              "guidelines": {**base_item["guidelines"], "reviewer": reviewer}})
            month = None if i % 7 == 0 else f"20{15 + i % 3}-{i % 12 + 1:02d}"
            expected["per_letter"][len(items)] += 1
            expected["months"][month] += 1
            record = {**base, "source": f"letter_{i}.txt", "items": items,
                      "dates": {**base["dates"], "ur_denial": f"{month}-15" if month else None}}
            out.write(srsly.json_dumps(record) + "\n")

    counts = count_records(path=path)
    n_failed = sum(expected["codes"].values())
    assert n_failed == n_records // 40
    assert (counts.letters, counts.failures, counts.items) == (n_records, n_failed, sum(expected["decisions"].values()))
    assert counts.failure_codes == expected["codes"]
    assert len(counts.failure_list) == FAILURES_LISTED
    assert counts.failure_list[:2] == [(1, "letter_0.txt", "E001", "letter_0.txt: failed"),
                                       (41, "letter_40.txt", "E009", "letter_40.txt: failed")]
    assert counts.decisions == expected["decisions"]
    assert counts.category_decisions == expected["categories"]
    assert counts.items_per_letter == expected["per_letter"]
    assert counts.ur_denial_months == expected["months"]
    assert Counter({basis: n for (party, basis), n in counts.bases.items() if party == "reviewer"}) == expected["reviewer"]
    assert counts.guideline_sources == Counter(
        {c["source"]: (n_records - n_failed) * sum(1 for g in base["guidelines"] if g["source"] == c["source"])
         for c in base["guidelines"]})

    # the file is some hundreds of MB: a report that kept the records would grow by far more than this
    small = tmp_path / "small.jsonl"
    small.write_text(path.open(encoding="utf8").readline())
    page = tmp_path / "report.html"
    peaks = [int(subprocess.run([sys.executable, "-c", PEAK_OF_REPORT, str(records), str(page)], check=True,
                                capture_output=True, text=True).stdout) for records in (small, path)]
    assert path.stat().st_size > 200_000_000
    assert peaks[1] - peaks[0] < 50_000, f"peak resident size {peaks[0]:,} KiB for one record, {peaks[1]:,} for all"
    html = page.read_text()
    assert f'<td class="count-letters">{n_records:,}</td>' in html
    assert f"and {n_failed - FAILURES_LISTED:,} more" in html


@needs_chromium
def test_report_page_in_browser(fixture_records, browser, tmp_path):  # noqa: F811
    page_path = tmp_path / "report.html"
    counts = write_report(records=fixture_records, out=page_path)
    html = page_path.read_text()
    assert html.count("plotly.js v") == 1, "plotly.js is embedded once for all charts"
    opened = open_page(browser, page_path)
    page = opened.page
    charts = page.locator("section.chart")
    assert charts.count() == 6
    for n in range(charts.count()):
        chart = charts.nth(n)
        chart.scroll_into_view_if_needed()
        chart.locator(".main-svg").first.wait_for(state="visible")
        assert chart.locator(".bars .point").count() > 0, chart.get_attribute("id")
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert opened.errors == []
    assert opened.requests == [page_path.resolve().as_uri()]
    assert page.locator("td.count-letters").inner_text() == f"{counts.letters:,}"
    assert page.locator("td.count-failed").inner_text() == str(counts.failures)
    failures = page.locator("table.failures tr")
    assert failures.count() == 1 + counts.failures
    assert "unknown_progress_note.txt" in failures.nth(1).inner_text() + failures.nth(2).inner_text()
    page.close()
