"""The `imr` command: thin typer wrappers over spacy_imr.extract."""
import logging
from pathlib import Path
from typing import Dict, List, Optional

import srsly
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .agreement import agreement, paired_records
from .converters import from_doccano, from_label_studio, to_label_studio
from .corpus import validate_corpus
from .errors import Errors
from .extract import extract_letters, iter_records
from .jsonl import iter_json_lines
from .loading import load
from .reading import DEFAULT_MAX_BYTES, iter_letter_sources, iter_letter_texts
from .render import render_letters
from .report import write_report

app = typer.Typer(help="Structured records from California workers' compensation IMR determination letters.",
                  no_args_is_help=True, add_completion=False)
console = Console(stderr=True)
# More letters than this get a progress bar.
PROGRESS_THRESHOLD = 5


@app.command("extract")
def extract_cli(
    paths: List[Path] = typer.Argument(..., help="Letter files (.txt, .pdf), directories (searched recursively), or - for stdin."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="JSONL output file, written atomically; stdout when omitted."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Installed pipeline package or directory; default: en_imr_letters when installed, else the rule pipeline."),
    n_process: int = typer.Option(1, "--n-process", "-n", help="Worker processes on this machine, each with the loaded pipeline."),
    max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, "--max-bytes", help="Letters larger than this are refused."),
    missing_ok: bool = typer.Option(False, "--missing-ok", help="Skip input paths that do not exist, with a warning, instead of failing them."),
    resume: bool = typer.Option(False, "--resume", help="Keep the records already in --out (or left by a stopped run) and run only the other letters, by text hash."),
    dask: Optional[str] = typer.Option(None, "--dask", help="'local' for a Dask cluster of this machine's cores, or a scheduler address (tcp://HOST:8786); every worker must see the letter paths."),
):
    """Extract one JSON record per letter. Exit status 1 when any letter failed."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(message)s")
    if missing_ok:
        for path in (p for p in paths if str(p) != "-" and not p.exists()):
            console.print(f"[yellow]{path} not found: skipped[/yellow]")
        paths = [p for p in paths if str(p) == "-" or p.exists()]
    total = sum(1 for _ in iter_letter_sources(paths))
    with Progress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=total <= PROGRESS_THRESHOLD) as progress:
        task = progress.add_task("letters", total=total)
        summary = extract_letters([str(p) for p in paths], out=out, model=model, n_process=n_process,
                                  max_bytes=max_bytes, resume=resume, dask=dask,
                                  on_record=lambda record: progress.advance(task))
    counts = summary.to_dict()
    console.print(
        f"{counts['letters']} letters, {counts['items']} items: {counts['upheld']} upheld, "
        f"{counts['overturned']} overturned, {counts['partial']} partial, {counts['unknown']} unknown; "
        f"{counts['failures']} failed" + (f"; records in {out}" if out else ""))
    raise typer.Exit(code=1 if summary.failures else 0)


@app.command("show")
def show_cli(
    path: Path = typer.Argument(..., help="One letter (.txt or .pdf)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Installed pipeline package or directory."),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON instead of tables."),
):
    """Print one letter's record as readable tables (each letter's, where the file holds several)."""
    out = Console()
    records = list(iter_records(load(model), [str(path)]))
    for record in records:
        _print_record(out, record, as_json)
    if any("error" in record for record in records):
        raise typer.Exit(code=1)


def _print_record(out: Console, record: Dict, as_json: bool) -> None:
    if as_json or "error" in record:
        out.print_json(srsly.json_dumps(record))
        return
    part = f", letter {record['letter']['number']} of {record['letter']['of']}" if "letter" in record else ""
    facts = Table(title=f"{record['source']}  (layout {record['layout']}{part})", show_header=False)
    facts.add_row("case number", str(record["case_number"]))
    facts.add_row("patient", f"{record['patient']['age']} {record['patient']['sex']}")
    for name, value in record["dates"].items():
        if value:
            facts.add_row(f"date: {name}", str(value))
    facts.add_row("reviewer", " / ".join(str(v) for v in record["reviewer"].values() if v))
    facts.add_row("diagnoses", "; ".join(d["text"] for d in record["diagnoses"]))
    out.print(facts)
    items = Table(title="Disputed items")
    for column in ("item", "decision", "claims administrator", "reviewer", "rationale"):
        items.add_column(column, overflow="fold")
    for item in record["items"]:
        parties = [_basis(item["guidelines"][party]) for party in ("claims_administrator", "reviewer")]
        rationale = (item["rationale"] or {}).get("text", "")
        items.add_row(item["item"], item["decision"], *parties, rationale[:160] + ("..." if len(rationale) > 160 else ""))
    out.print(items)
    findings = Table(title="Exam findings")
    findings.add_column("kind")
    findings.add_column("finding", overflow="fold")
    for kind, values in record["exam_findings"].items():
        for value in values if isinstance(values, list) else [values] if values else []:
            findings.add_row(kind, ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, []) and k not in ("start", "end")))
    out.print(findings)
    for warning in record["warnings"]:
        out.print(f"[yellow]warning[/yellow] {warning}")


@app.command("render")
def render_cli(
    paths: List[Path] = typer.Argument(..., help="Letter files (.txt, .pdf) or directories (searched recursively)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the pages, one <letter>.html per letter."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Installed pipeline package or directory; default: en_imr_letters when installed, else the rule pipeline."),
):
    """One self-contained review page per letter: highlighted text, items, findings. Opens from disk."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(message)s")
    if any(str(p) == "-" for p in paths):
        raise typer.BadParameter(Errors.E014)
    pages = render_letters(paths=paths, out_dir=out, model=model)
    console.print(f"{len(pages)} pages -> {out}")


@app.command("report")
def report_cli(
    records: Path = typer.Argument(..., help="Records JSONL written by imr extract."),
    out: Path = typer.Option(..., "--out", "-o", help="HTML page to write."),
):
    """One page of charts over a batch of records; streams the file, so any size works."""
    counts = write_report(records=records, out=out)
    console.print(f"{counts.letters} letters, {counts.items} items, {counts.failures} failed -> {out}")


corpus_app = typer.Typer(help="The annotated letter corpus.", no_args_is_help=True)
annotate_app = typer.Typer(help="Machine pre-annotation for annotation tools.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
app.add_typer(annotate_app, name="annotate")


@corpus_app.command("validate")
def corpus_validate_cli(
    corpus_dir: Path = typer.Option(Path("corpus"), "--corpus", help="Corpus folder (manifest.json, annotations/)."),
    letters_dirs: List[Path] = typer.Option([Path("../shared/letters"), Path("../shared/seed")], "--letters",
                                            help="Folders holding the standoff letters' files (repeatable)."),
):
    """Check offsets, labels, span text, text hashes, relation ends, entity overlaps, split leakage and the gold
    case facts (fields, offsets, the values written there)."""
    for missing in (d for d in letters_dirs if not d.exists()):
        console.print(f"[yellow]{missing} not found: its standoff letters are checked without their text[/yellow]")
    report = validate_corpus(corpus_dir, [d for d in letters_dirs if d.exists()])
    for problem in report["problems"]:
        console.print(f"[red]x[/red] {problem}")
    console.print(f"{report['letters']} letters {report['splits']}, {report['case_facts']} with gold case facts; "
                  f"{len(report['problems'])} problems; {report['texts_missing']} without text")
    raise typer.Exit(code=1 if report["problems"] else 0)


@corpus_app.command("agreement")
def corpus_agreement_cli(
    second: Path = typer.Argument(..., exists=True, dir_okay=False,
                                  help="A second annotator's records (corpus JSONL) of letters the corpus annotates."),
    corpus_dir: Path = typer.Option(Path("corpus"), "--corpus", help="Corpus folder (manifest.json, annotations/)."),
    letters_dirs: List[Path] = typer.Option([Path("../shared/letters"), Path("../shared/seed")], "--letters",
                                            help="Folders holding the standoff letters' files (repeatable)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="JSON file for the scores."),
):
    """Inter-annotator agreement of a second annotation with the corpus's gold: F1 per label, exact and overlap."""
    try:
        records = [record for _, record in iter_json_lines(second)]
        if not records:
            raise ValueError(Errors.E019)
        missing = [d for d in letters_dirs if not d.exists()]
        if missing and not any(record.get("text") for record in records):
            console.print(f"[yellow]{', '.join(map(str, missing))} not found: no agreement measured[/yellow]")
            return
        scores = agreement(paired_records(corpus_dir, records, letters_dirs))
    except ValueError as error:
        console.print(f"[red]{second}: {error}[/red]")
        raise typer.Exit(code=1)
    table = Table("label", "gold", "second", "exact F1", "overlap F1", title=f"Agreement over {scores['letters']} letters")
    for group in ("entities", "relations"):
        for label, row in scores[group].items():
            table.add_row(label, str(row["gold"]), str(row["second"]), f"{row['exact_f']:.3f}", f"{row['overlap_f']:.3f}")
    micro = scores["entities_micro"]
    table.add_row("entities (micro)", "", "", f"{micro['exact_f']:.3f}", f"{micro['overlap_f']:.3f}")
    console.print(table)
    if out is not None:
        srsly.write_json(out, scores)


@corpus_app.command("convert")
def corpus_convert_cli(
    source: Path = typer.Argument(..., help="Label Studio JSON export or doccano JSONL."),
    out: Path = typer.Option(..., "--out", "-o", help="Corpus JSONL to write."),
    tool: str = typer.Option(..., "--from", help="labelstudio or doccano"),
    keep_text: bool = typer.Option(True, "--keep-text/--standoff", help="Keep the letter text (your own letters) or store offsets only."),
):
    """Convert an annotation tool's export into the corpus format."""
    if tool == "labelstudio":
        records = from_label_studio(srsly.read_json(source), keep_text=keep_text)
    elif tool == "doccano":
        records = from_doccano(srsly.read_jsonl(source), keep_text=keep_text)
    else:
        raise typer.BadParameter("--from takes labelstudio or doccano")
    srsly.write_jsonl(out, records)
    console.print(f"{len(records)} letters -> {out}")


@annotate_app.command("pre")
def annotate_pre_cli(
    paths: List[Path] = typer.Argument(..., help="Letters (.txt, .pdf) or directories."),
    out: Path = typer.Option(..., "--out", "-o", help="Label Studio tasks JSON to write."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Installed pipeline package or directory."),
):
    """Label Studio tasks pre-annotated by the pipeline, to correct instead of starting blank: a task a
    letter (a file that holds several letters gives one each)."""
    letters = [{"id": name, "text": text} for name, text in iter_letter_texts(paths)]
    tasks = to_label_studio(load(model), letters)
    srsly.write_json(out, tasks)
    console.print(f"{len(tasks)} tasks -> {out}")


def _basis(party: dict) -> str:
    mtus = {True: "MTUS", False: "non-MTUS", None: "no evidence cited" if party["cited_evidence"] is False else "-"}[party["mtus_based"]]
    cited = "; ".join(c["text"] for c in party["citations"])
    return f"{mtus}: {cited}" if cited else mtus


if __name__ == "__main__":
    app()
