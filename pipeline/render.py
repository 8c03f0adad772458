"""Review pages: one self-contained HTML page per letter, to look at an extraction instead of reading
its JSON. The letter text is drawn in displaCy's entity style; every table links to its place in it.

Pages load nothing from the network (inline CSS and script), so they work opened from disk.
"""
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from spacy.displacy.templates import TPL_ENT, TPL_ENTS
from spacy.util import escape_html

from .errors import Errors
from .extract import iter_records
from .loading import load
from .reading import STDIN, iter_letter_sources, read_letter
from .record import shift_offsets

# displaCy's palette has no colours for this project's labels: one per label, in its style
LABEL_COLORS = {
    "TREATMENT": "#7aecec",
    "DECISION": "#ff8197",
    "DIAGNOSIS": "#ff9561",
    "ANATOMY": "#feca74",
    "EXAM_FINDING": "#bfe1d9",
    "GUIDELINE": "#aa9cfc",
}
OTHER_LABEL_COLOR = "#ddd"
PARTY_TITLES = {"claims_administrator": "Claims administrator", "reviewer": "Reviewer"}
FINDING_COLUMNS = ("site", "levels", "test", "result", "laterality")
FINDING_TITLES = {
    "tenderness_sites": "tenderness", "tests": "test", "range_of_motion": "range of motion", "motor": "motor",
    "sensation": "sensation", "reflexes": "reflex", "pain_scores": "pain score",
}

STYLE = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
tr.item-row { cursor: pointer; } tr.item-row:hover { background: #fff8dc; }
.decision-upheld { color: #a00; font-weight: bold; } .decision-overturned { color: #070; font-weight: bold; }
.decision-partial { color: #a60; font-weight: bold; }
.legend { margin: 0.5rem 0 1rem; line-height: 2.5; } .legend .entity { margin-right: 0.5rem; }
.letter { border-top: 1px solid #ccc; max-width: 60rem; }
.item-text.current mark, :target mark { outline: 3px solid #222; }
.warnings li { color: #a60; }
"""
# Clicking an item row (outside its links, which jump on their own) scrolls its heading in the text into view.
SCRIPT = """
document.querySelectorAll("tr.item-row").forEach(function (row) {
  row.addEventListener("click", function (event) {
    if (event.target.closest("a")) { return; }
    var target = document.getElementById(row.dataset.target);
    if (!target) { return; }
    document.querySelectorAll(".item-text.current").forEach(function (e) { e.classList.remove("current"); });
    target.classList.add("current");
    target.scrollIntoView({block: "center"});
  });
});
"""


@dataclass
class _Mark:
    start: int
    end: int
    label: str
    element_id: Optional[str] = None


def render_letter(*, record: Dict[str, Any], text: str) -> str:
    """The review page of one record; `text` is the letter as read, which the record's offsets index."""
    if "error" in record:
        return _page(record["source"] or "letter",
                     f"<p class=\"error\">{_esc(record['error']['code'])}: {_esc(record['error']['message'])}</p>")
    marks = _marks(record, len(text))
    body = "".join([
        _facts(record),
        _warnings(record["warnings"]),
        "<h2>Disputed items</h2>", _items_table(record["items"]),
        "<h2>Exam findings</h2>", _findings_table(record["exam_findings"]),
        _relations_table(record["relations"]),
        "<h2>Letter</h2>", _legend(marks),
        '<div class="letter">', _highlighted(text, marks, _anchors(record, marks)), "</div>",
    ])
    return _page(record["case_number"] or Path(record["source"] or "letter").name, body)


def render_letters(*, paths: Iterable[Union[str, Path]], out_dir: Union[str, Path],
                   model: Optional[str] = None) -> List[Path]:
    """Extract each letter under `paths` and write its page (an error page for a letter that failed)
    to `out_dir`; returns the pages written, in input order."""
    sources = list(iter_letter_sources(paths))
    if STDIN in sources:
        raise ValueError(Errors.E014)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: List[Path] = []
    read: Dict[str, str] = {}  # the file last read: the letters of one file come one after another
    for record in iter_records(load(model), sources):
        text = ""
        if "error" not in record:
            if record["source"] not in read:
                read = {record["source"]: read_letter(record["source"]).text}
            text = read[record["source"]]
        if "letter" in record and text:
            # one letter of a file that holds several: its page shows that letter alone
            text = text[record["letter"]["start"]:record["letter"]["end"]]
            record = shift_offsets(record, -record["letter"]["start"])
        page = _unique_path(out_dir, Path(record["source"]).stem, written)
        page.write_text(render_letter(record=record, text=text), encoding="utf8")
        written.append(page)
    return written


def _unique_path(out_dir: Path, stem: str, taken: List[Path]) -> Path:
    """Letters of the same name in different folders get -2, -3, ... instead of overwriting."""
    path, n = out_dir / f"{stem}.html", 1
    while path in taken:
        n += 1
        path = out_dir / f"{stem}-{n}.html"
    return path


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{_esc(title)}</h1>{body}"
            f"<script>{SCRIPT}</script></body></html>\n")


def _marks(record: Dict[str, Any], length: int) -> List[_Mark]:
    """The highlights: the record's entities (overlaps and spans past the text dropped), each item's
    heading carrying the id its table row scrolls to; an item no entity covers is highlighted as TREATMENT."""
    marks: List[_Mark] = []
    for ent in sorted(record["entities"], key=lambda e: (e["start"], -e["end"])):
        if ent["start"] < ent["end"] <= length and (not marks or ent["start"] >= marks[-1].end):
            marks.append(_Mark(ent["start"], ent["end"], ent["label"]))
    for n, item in enumerate(record["items"]):
        covering = next((m for m in marks if m.start < item["end"] and item["start"] < m.end and m.element_id is None), None)
        if covering:
            covering.element_id = f"item-{n}"
        elif item["start"] < item["end"] <= length and not any(m.start < item["end"] and item["start"] < m.end for m in marks):
            marks.append(_Mark(item["start"], item["end"], "TREATMENT", f"item-{n}"))
    return sorted(marks, key=lambda m: m.start)


def _anchors(record: Dict[str, Any], marks: List[_Mark]) -> List[Tuple[int, str]]:
    """Link targets in the text: each rationale's start, moved before a highlight it falls inside."""
    anchors = []
    for n, item in enumerate(record["items"]):
        if item["rationale"]:
            position = item["rationale"]["start"]
            inside = next((m for m in marks if m.start < position < m.end), None)
            anchors.append((inside.start if inside else position, f"rationale-{n}"))
    return sorted(anchors)


def _plain(text: str) -> str:
    # line breaks as displaCy draws them
    return "<br>".join(escape_html(line) for line in text.split("\n"))


def _highlighted(text: str, marks: List[_Mark], anchors: List[Tuple[int, str]]) -> str:
    """The letter in displaCy's entity markup (its templates), with link targets at given offsets."""
    pieces, offset, pending = [], 0, list(anchors)
    for cut, mark in [(m.start, m) for m in marks] + [(len(text), None)]:
        while pending and pending[0][0] <= cut:
            position, element_id = pending.pop(0)
            pieces.append(_plain(text[offset:max(offset, position)]))
            pieces.append(f'<span class="anchor" id="{element_id}"></span>')
            offset = max(offset, position)
        pieces.append(_plain(text[offset:cut]))
        if mark is None:
            break
        markup = TPL_ENT.format(label=_esc(mark.label), text=escape_html(text[mark.start:mark.end]),
                                bg=LABEL_COLORS.get(mark.label, OTHER_LABEL_COLOR), kb_link="")
        if mark.element_id:
            markup = f'<span class="item-text" id="{mark.element_id}">{markup}</span>'
        pieces.append(markup)
        offset = mark.end
    return TPL_ENTS.format(content="".join(pieces), dir="ltr")


def _legend(marks: List[_Mark]) -> str:
    """Every label of the schema, and any other label in the text, with its count of highlights."""
    counts: Dict[str, int] = {label: 0 for label in LABEL_COLORS}
    for mark in marks:
        counts[mark.label] = counts.get(mark.label, 0) + 1
    entries = "".join(
        f'<span class="legend-entry" data-label="{_esc(label)}">'
        + TPL_ENT.format(label=_esc(label), text=count, bg=LABEL_COLORS.get(label, OTHER_LABEL_COLOR), kb_link="")
        + "</span>"
        for label, count in counts.items())
    return f'<div class="legend">{entries}</div>'


def _rows(rows: Iterable[Tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{_esc(name)}</th><td>{_esc(value)}</td></tr>" for name, value in rows)


def _facts(record: Dict[str, Any]) -> str:
    patient, dates, reviewer = record["patient"], record["dates"], record["reviewer"]
    rows = [("source", record["source"]), ("layout", record["layout"]), ("outcome", record["outcome"]),
            ("patient", " ".join(str(v) for v in (patient.get("age"), patient.get("sex")) if v is not None) or None)]
    rows += [(f"date: {name.replace('_', ' ')}", value) for name, value in dates.items()
             if value and name not in ("reports", "records_range")]
    if dates.get("reports"):
        rows.append(("report dates", ", ".join(dates["reports"])))
    if dates.get("records_range"):
        rows.append(("records", " to ".join(str(v) for v in dates["records_range"].values() if v)))
    # licensed_states repeats licensed_in, which shows the licensure as the letter writes it
    rows += [(f"reviewer: {name.replace('_', ' ')}", value) for name, value in reviewer.items()
             if value and name != "licensed_states"]
    rows.append(("diagnoses", "; ".join(d["text"] for d in record["diagnoses"]) or None))
    return f'<table class="facts">{_rows(rows)}</table>'


def _warnings(warnings: List[str]) -> str:
    if not warnings:
        return ""
    return "<h2>Warnings</h2><ul class=\"warnings\">" + "".join(f"<li>{_esc(w)}</li>" for w in warnings) + "</ul>"


def _basis(party: Dict[str, Any]) -> str:
    if party["mtus_based"] is True:
        basis = "MTUS-based"
    elif party["mtus_based"] is False:
        basis = "not MTUS-based"
    else:
        basis = "no evidence cited" if party["cited_evidence"] is False else "not stated"
    citations = "".join(f"<li>{_esc(c['text'])} <small>({_esc(c['source'])})</small></li>" for c in party["citations"])
    return f'<span class="basis">{basis}</span>' + (f"<ul>{citations}</ul>" if citations else "")


def _items_table(items: List[Dict[str, Any]]) -> str:
    if not items:
        return "<p>No disputed item found.</p>"
    head = ("<tr><th>#</th><th>item</th><th>decision</th><th>decision text</th><th>claims administrator</th>"
            "<th>reviewer</th><th>rationale</th></tr>")
    rows = []
    for n, item in enumerate(items):
        decision_text = (item["decision_text"] or {}).get("text")
        if item["partial"]:
            parts = {k: (v or {}).get("text") for k, v in item["partial"].items()}
            decision_text = f"{decision_text or ''} (requested: {parts['original_request'] or '?'}; authorized: {parts['authorized'] or '?'})"
        rationale = item["rationale"]
        rationale_cell = ""
        if rationale:
            excerpt = rationale["text"][:240] + ("..." if len(rationale["text"]) > 240 else "")
            cited = ", ".join(c["text"] for c in item["rationale_citations"])
            rationale_cell = (f"{_esc(excerpt)} <a href=\"#rationale-{n}\">in the letter</a>"
                              + (f"<br><small>cites: {_esc(cited)}</small>" if cited else ""))
        rows.append(
            f'<tr class="item-row" id="item-row-{n}" data-target="item-{n}"><td>{n + 1}</td>'
            f'<td class="item-name"><a href="#item-{n}">{_esc(item["item"])}</a></td>'
            f'<td class="decision decision-{_esc(item["decision"])}">{_esc(item["decision"])}</td>'
            f"<td>{_esc(decision_text)}</td>"
            + "".join(f"<td>{_basis(item['guidelines'][party])}</td>" for party in PARTY_TITLES)
            + f"<td>{rationale_cell}</td></tr>")
    return f'<table class="items">{head}{"".join(rows)}</table>'


def _finding_details(finding: Dict[str, Any]) -> str:
    """Values without a column of their own (degrees, grade, score, ...)."""
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in finding.items()
                     if k not in FINDING_COLUMNS + ("start", "end") and v not in (None, [], ""))


def _findings_table(findings: Dict[str, Any]) -> str:
    rows = []
    for group, title in FINDING_TITLES.items():
        for finding in findings.get(group) or []:
            cells = [finding.get("site"), ", ".join(finding.get("levels") or []) or None, finding.get("test"),
                     finding.get("result"), finding.get("laterality"), _finding_details(finding)]
            rows.append(f"<tr><td>{_esc(title)}</td>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>")
    table = ("<table class=\"findings\"><tr><th>kind</th>" + "".join(f"<th>{c}</th>" for c in FINDING_COLUMNS)
             + "<th>details</th></tr>" + "".join(rows) + "</table>") if rows else "<p>No exam finding found.</p>"
    grip = findings.get("grip_strength")
    if grip:
        readings = [(side, ", ".join(str(v) for v in grip.get(side) or []) or None) for side in ("left", "right")]
        table += ("<table class=\"grip\"><tr><th colspan=\"2\">grip strength"
                  f"{' (' + _esc(grip.get('instrument')) + ')' if grip.get('instrument') else ''}</th></tr>"
                  + _rows((f"{side} hand ({grip.get('unit') or 'unit not stated'})", value) for side, value in readings)
                  + "</table>")
    return table


def _relations_table(relations: List[Dict[str, Any]]) -> str:
    if not relations:
        return ""
    rows = "".join(
        f"<tr><td>{_esc(r['label'])}</td><td>{_esc(r['head']['text'])}</td><td>{_esc(r['child']['text'])}</td>"
        f"<td>{r['probability']:.2f}</td><td>{_esc(r['party'])}</td></tr>" for r in relations)
    return ("<h2>Relations</h2><table class=\"relations\"><tr><th>label</th><th>head</th><th>child</th>"
            f"<th>probability</th><th>party</th></tr>{rows}</table>")
