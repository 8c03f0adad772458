"""Review pages: items and highlights equal the record, letter text escaped, and in a real browser the
page renders cleanly, offline, and scrolls to an item when its row is clicked."""
from html.parser import HTMLParser
from typing import List, Optional

import pytest
from typer.testing import CliRunner

from spacy_imr.cli import app
from spacy_imr.extract import iter_records
from spacy_imr.reading import read_letter
from spacy_imr.render import LABEL_COLORS, render_letter

from browser import browser, in_viewport, needs_chromium, open_page  # noqa: F401  (browser: fixture)
from conftest import FIXTURES, SEED, folded, needs_shared

MULTI_ITEM = FIXTURES / "letters" / "a2016_multi_item_mixed.txt"
SHORT = FIXTURES / "letters" / "pdf_short_letter.txt"
NOT_IMR = FIXTURES / "letters" / "unknown_progress_note.txt"
INJECTED = '<script>document.title = "injected"</script> & "quoted"'


class PageParts(HTMLParser):
    """The item table's rows (cell texts) and the letter's highlights (text, label, id of the item)."""

    def __init__(self, page: str):
        super().__init__()
        self.item_rows: List[List[str]] = []
        self.marks: List[dict] = []
        self._in_row = self._in_letter = self._in_label = False
        self._mark: Optional[dict] = None
        self._item_id: Optional[str] = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("class") == "item-row":
            self._in_row = True
            self.item_rows.append([])
        elif tag == "td" and self._in_row:
            self.item_rows[-1].append("")
        elif tag == "div" and attrs.get("class") == "letter":
            self._in_letter = True
        elif self._in_letter and tag == "span" and attrs.get("class") == "item-text":
            self._item_id = attrs["id"]
        elif self._in_letter and tag == "mark":
            self._mark = {"text": "", "label": "", "item_id": self._item_id}
        elif self._mark is not None and tag == "span":
            self._in_label = True

    def handle_endtag(self, tag):
        if tag == "tr":
            self._in_row = False
        elif tag == "mark" and self._mark is not None:
            self.marks.append({**self._mark, "text": folded(self._mark["text"]), "label": self._mark["label"].strip()})
            self._mark, self._item_id = None, None
        elif tag == "span" and self._in_label:
            self._in_label = False

    def handle_data(self, data):
        if self._in_row and self.item_rows[-1]:
            self.item_rows[-1][-1] += data
        if self._mark is not None:
            self._mark["label" if self._in_label else "text"] += data


def record_and_text(nlp, path):
    return next(iter_records(nlp, [str(path)])), read_letter(str(path)).text


def basis_words(party: dict) -> str:
    return {True: "MTUS-based", False: "not MTUS-based"}.get(party["mtus_based"]) or (
        "no evidence cited" if party["cited_evidence"] is False else "not stated")


def test_render_item_rows_equal_record_items(nlp):
    record, text = record_and_text(nlp, MULTI_ITEM)
    assert len(record["items"]) > 1
    rows = PageParts(render_letter(record=record, text=text)).item_rows
    assert [(r[0], folded(r[1]), r[2]) for r in rows] == [
        (str(n + 1), item["item"], item["decision"]) for n, item in enumerate(record["items"])]
    for row, item in zip(rows, record["items"]):
        assert row[3].startswith(item["decision_text"]["text"])
        for part in (item["partial"] or {}).values():
            assert part["text"] in row[3]
        for cell, party in zip(row[4:6], ("claims_administrator", "reviewer")):
            guidelines = item["guidelines"][party]
            assert folded(cell).startswith(basis_words(guidelines))
            assert all(citation["text"] in folded(cell) for citation in guidelines["citations"])


def test_render_highlights_are_the_record_entities_at_their_offsets(nlp):
    record, text = record_and_text(nlp, MULTI_ITEM)
    marks = PageParts(render_letter(record=record, text=text)).marks
    entities = sorted(record["entities"], key=lambda e: e["start"])
    assert [(m["text"], m["label"]) for m in marks] == [(folded(text[e["start"]:e["end"]]), e["label"]) for e in entities]
    # each item's row scrolls to the highlight of its heading
    item_marks = {m["item_id"]: m["text"] for m in marks if m["item_id"]}
    assert item_marks == {f"item-{n}": item["item"] for n, item in enumerate(record["items"])}


def test_render_escapes_letter_text(nlp, tmp_path):
    letter = tmp_path / "injected.txt"
    lines = SHORT.read_text().splitlines()
    letter.write_text("\n".join(lines[:1] + [INJECTED] + lines[1:]) + "\n")
    record, text = record_and_text(nlp, letter)
    assert record["items"], "the letter is still read as an IMR letter"
    page = render_letter(record=record, text=text)
    assert page.count("<script") == 1  # the page's own script only
    assert '&lt;script&gt;document.title = &quot;injected&quot;&lt;/script&gt; &amp; &quot;quoted&quot;' in page


def test_render_cli_writes_a_page_per_letter_and_an_error_page(tmp_path):
    out = tmp_path / "pages"
    result = CliRunner().invoke(app, ["render", str(SHORT), str(NOT_IMR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["pdf_short_letter.html", "unknown_progress_note.html"]
    assert "[E009]" in (out / "unknown_progress_note.html").read_text()
    assert 'class="item-row"' not in (out / "unknown_progress_note.html").read_text()
    assert (out / "pdf_short_letter.html").read_text().count('class="item-row"') == 2
    refused = CliRunner().invoke(app, ["render", "-", "--out", str(out)])
    assert refused.exit_code == 2 and "E014" in refused.output


def test_render_a_page_a_letter_of_a_file_that_holds_several(nlp, tmp_path):
    """Each letter of a concatenated file gets its own page, showing that letter alone with its own
    highlights, as the letter's page would be on its own."""
    texts = [read_letter(str(path)).text for path in (MULTI_ITEM, SHORT)]
    dump = tmp_path / "dump.txt"
    dump.write_text("\f".join(texts), encoding="utf8")
    result = CliRunner().invoke(app, ["render", str(dump), "--out", str(tmp_path / "pages")])
    assert result.exit_code == 0, result.output
    pages = [tmp_path / "pages" / name for name in ("dump.html", "dump-2.html")]
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == sorted(p.name for p in pages)
    records = [record_and_text(nlp, path) for path in (MULTI_ITEM, SHORT)]
    assert records[0][0]["case_number"] != records[1][0]["case_number"]
    for page, (record, text), (other, _) in zip(pages, records, reversed(records)):
        html = page.read_text(encoding="utf8")
        alone = PageParts(render_letter(record=record, text=text))
        assert PageParts(html).marks == alone.marks and PageParts(html).item_rows == alone.item_rows
        assert record["case_number"] in html and other["case_number"] not in html


@needs_chromium
@needs_shared(SEED)
def test_render_seed_page_in_browser(nlp, browser, tmp_path):  # noqa: F811
    record, text = record_and_text(nlp, SEED)
    path = tmp_path / "seed.html"
    path.write_text(render_letter(record=record, text=text), encoding="utf8")
    opened = open_page(browser, path)
    page = opened.page
    page.screenshot(path=str(tmp_path / "seed.png"), full_page=True)
    assert opened.errors == []
    assert opened.requests == [path.resolve().as_uri()]  # nothing fetched: the page is self-contained

    labels = {e["label"] for e in record["entities"]}
    assert labels and labels <= set(LABEL_COLORS)
    for label in labels:
        assert page.locator(f'.legend-entry[data-label="{label}"]').is_visible()

    for n, item in enumerate(record["items"]):
        row = page.locator(f"#item-row-{n}")
        assert row.is_visible()
        highlighted = page.locator(f"#item-{n} mark")
        assert folded(highlighted.inner_text()).startswith(item["item"])
        page.evaluate("window.scrollTo(0, 0)")
        before = highlighted.bounding_box()
        assert not in_viewport(before), "the item text starts below the fold, so the click has to scroll"
        row.locator("td.decision").click()
        page.wait_for_function("window.scrollY > 0", timeout=5000)
        after = highlighted.bounding_box()
        assert in_viewport(after)
        assert page.evaluate("window.scrollY") == pytest.approx(before["y"] - after["y"], abs=1)
        assert page.locator(f"#item-{n}.current").count() == 1
    page.screenshot(path=str(tmp_path / "seed_item_clicked.png"))

    # the rationale link jumps to the rationale in the text
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#item-row-0 a", has_text="in the letter").click()
    page.wait_for_function("location.hash === '#rationale-0'", timeout=5000)
    assert in_viewport(page.locator("#rationale-0").bounding_box())
    page.close()


@needs_chromium
def test_render_injected_script_shows_as_text_in_browser(nlp, browser, tmp_path):  # noqa: F811
    letter = tmp_path / "injected.txt"
    lines = SHORT.read_text().splitlines()
    letter.write_text("\n".join(lines[:1] + [INJECTED] + lines[1:]) + "\n")
    record, text = record_and_text(nlp, letter)
    path = tmp_path / "injected.html"
    path.write_text(render_letter(record=record, text=text), encoding="utf8")
    opened = open_page(browser, path)
    assert opened.errors == []
    assert opened.page.title() == "CM17-0021463"
    assert INJECTED in opened.page.locator(".letter").inner_text()
    opened.page.screenshot(path=str(tmp_path / "injected.png"))
    opened.page.close()
