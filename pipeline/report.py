"""Batch report: one HTML page of charts over a JSONL file of records, for the batch at a glance.

The records are streamed and only counters are kept, so the memory does not grow with the batch
(100,000 records and more); the letters themselves are never read. Charts are drawn by plotly, with
plotly.js embedded once, so the page works opened from disk and offline.
"""
import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import plotly.graph_objects as go

from .extract import ExtractSummary
from .jsonl import iter_json_lines
from .record import PARTIES
from .treatment_categories import CATEGORIES, treatment_category

DECISIONS = ("upheld", "overturned", "partial", "unknown")
DECISION_COLORS = {"upheld": "#c0392b", "overturned": "#27ae60", "partial": "#e67e22", "unknown": "#95a5a6"}
GUIDELINE_SOURCES = ("MTUS", "CPMTG", "ACOEM", "ODG", "CCR", "other")
BASES = ("MTUS-based", "not MTUS-based", "not stated")
# The failures list names this many; the rest are counted by code only, so a batch of failures stays small.
FAILURES_LISTED = 1000

STYLE = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.chart { max-width: 60rem; }
"""


@dataclass
class BatchCounts(ExtractSummary):
    """What the report draws, counted record by record: the extraction summary and more."""
    outcomes: Counter = field(default_factory=Counter)
    category_decisions: Counter = field(default_factory=Counter)  # (category, decision)
    guideline_sources: Counter = field(default_factory=Counter)  # every citation in a letter
    bases: Counter = field(default_factory=Counter)  # (party, basis) per item
    items_per_letter: Counter = field(default_factory=Counter)
    ur_denial_months: Counter = field(default_factory=Counter)  # "YYYY-MM"; None: no UR denial date
    failure_codes: Counter = field(default_factory=Counter)
    failure_list: List[Tuple[int, str, str, str]] = field(default_factory=list)  # line, source, code, message

    def add(self, record: Dict[str, Any], line: int = 0) -> None:
        super().add(record)
        if "error" in record:
            code, message = record["error"].get("code", "?"), record["error"].get("message", "")
            self.failure_codes[code] += 1
            if len(self.failure_list) < FAILURES_LISTED:
                self.failure_list.append((line, str(record.get("source")), code, message))
            return
        items = record.get("items") or []
        self.items_per_letter[len(items)] += 1
        self.outcomes[record.get("outcome", "unknown")] += 1
        denial = (record.get("dates") or {}).get("ur_denial")
        self.ur_denial_months[denial[:7] if denial else None] += 1
        for citation in record.get("guidelines") or []:
            self.guideline_sources[citation.get("source", "other")] += 1
        for item in items:
            self.category_decisions[(item_category(item), item["decision"])] += 1
            for party in PARTIES:
                self.bases[(party, _basis((item.get("guidelines") or {}).get(party) or {}))] += 1


def item_category(item: Dict[str, Any]) -> str:
    """The item's own category when a record carries one (records of schemas 1.1 and 1.2 do not), else derived."""
    category = item.get("category")
    return category if category in CATEGORIES else treatment_category(item["item"])


def _basis(party: Dict[str, Any]) -> str:
    return {True: "MTUS-based", False: "not MTUS-based"}.get(party.get("mtus_based"), "not stated")


def count_records(*, path: Union[str, Path]) -> BatchCounts:
    """Stream a records JSONL file into counters; a line that is not JSON raises E015."""
    counts = BatchCounts()
    for number, record in iter_json_lines(path):
        counts.add(record, number)
    return counts


def write_report(*, records: Union[str, Path], out: Union[str, Path], title: Optional[str] = None) -> BatchCounts:
    """Count `records` and write the report page to `out`; returns the counts drawn."""
    counts = count_records(path=records)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report_html(counts=counts, title=title or f"IMR batch report: {Path(records).name}"), encoding="utf8")
    return counts


def report_html(*, counts: BatchCounts, title: str) -> str:
    # plotly.js once, with the first chart; the others use it
    charts = "".join(
        f'<section class="chart" id="chart-{name}">'
        + figure.to_html(full_html=False, include_plotlyjs=(n == 0), div_id=f"plot-{name}",
                         config={"displaylogo": False, "responsive": True})
        + "</section>"
        for n, (name, figure) in enumerate(_figures(counts)))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{_summary(counts)}{charts}"
            f"{_failures(counts)}</body></html>\n")



def _summary(counts: BatchCounts) -> str:
    cells = [("letters", counts.letters), ("failed", counts.failures), ("items", counts.items)]
    cells += [(decision, counts.decisions.get(decision, 0)) for decision in DECISIONS]
    head = "".join(f"<th>{name}</th>" for name, _ in cells)
    row = "".join(f'<td class="count-{name}">{value:,}</td>' for name, value in cells)
    return f'<table class="summary"><tr>{head}</tr><tr>{row}</tr></table>'


def _failures(counts: BatchCounts) -> str:
    if not counts.failures:
        return '<h2>Failures</h2><p class="failures">No letter failed.</p>'
    by_code = "".join(f"<tr><td>{html.escape(code)}</td><td>{n:,}</td></tr>" for code, n in sorted(counts.failure_codes.items()))
    listed = "".join(
        f"<tr><td>{line}</td><td>{html.escape(source)}</td><td>{html.escape(code)}</td><td>{html.escape(message)}</td></tr>"
        for line, source, code, message in counts.failure_list)
    more = counts.failures - len(counts.failure_list)
    return ("<h2>Failures</h2>"
            f'<table class="failure-codes"><tr><th>code</th><th>letters</th></tr>{by_code}</table>'
            f'<table class="failures"><tr><th>line</th><th>source</th><th>code</th><th>message</th></tr>{listed}</table>'
            + (f"<p>and {more:,} more, counted by code above.</p>" if more > 0 else ""))


def _layout(figure: go.Figure, title: str, **layout) -> go.Figure:
    figure.update_layout(title=title, template="plotly_white", height=380, margin={"t": 60, "b": 40}, **layout)
    return figure


def _figures(counts: BatchCounts) -> List[Tuple[str, go.Figure]]:
    decisions = go.Figure(go.Bar(x=list(DECISIONS), y=[counts.decisions.get(d, 0) for d in DECISIONS],
                                 marker_color=[DECISION_COLORS[d] for d in DECISIONS]))
    _layout(decisions, f"Decisions on {counts.items:,} disputed items", yaxis_title="items")

    categories = [c for c in CATEGORIES if any(counts.category_decisions.get((c, d)) for d in DECISIONS)]
    by_category = go.Figure([
        go.Bar(name=d, x=categories, y=[counts.category_decisions.get((c, d), 0) for c in categories],
               marker_color=DECISION_COLORS[d], hovertemplate="%{x}: %{y} items<extra>" + d + "</extra>")
        for d in DECISIONS])
    _layout(by_category, "Share of decisions by treatment category", barmode="stack", barnorm="percent",
            yaxis_title="% of the category's items")

    sources = go.Figure(go.Bar(x=list(GUIDELINE_SOURCES), y=[counts.guideline_sources.get(s, 0) for s in GUIDELINE_SOURCES]))
    _layout(sources, "Guidelines cited (every citation in the letters)", yaxis_title="citations")

    bases = go.Figure([
        go.Bar(name=basis, x=["claims administrator", "reviewer"], y=[counts.bases.get((p, basis), 0) for p in PARTIES])
        for basis in BASES])
    _layout(bases, "Decisions based on the MTUS, per party (items)", barmode="group", yaxis_title="items")

    sizes = sorted(counts.items_per_letter)
    per_letter = go.Figure(go.Bar(x=sizes, y=[counts.items_per_letter[n] for n in sizes]))
    _layout(per_letter, "Disputed items per letter", xaxis_title="items in the letter", yaxis_title="letters",
            xaxis={"dtick": 1})

    months = sorted(m for m in counts.ur_denial_months if m)
    undated = counts.ur_denial_months.get(None, 0)
    per_month = go.Figure(go.Bar(x=[f"{m}-01" for m in months], y=[counts.ur_denial_months[m] for m in months]))
    _layout(per_month, f"Letters per month of UR denial ({undated:,} without a UR denial date)", yaxis_title="letters",
            xaxis={"type": "date", "tickformat": "%Y-%m"})
    return [("decisions", decisions), ("categories", by_category), ("guidelines", sources), ("mtus", bases),
            ("items-per-letter", per_letter), ("months", per_month)]
