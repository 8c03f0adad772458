"""Evaluate the ruler, the NER and the combined pipeline on dev and test; write metrics/.

    python scripts/evaluate.py corpus training/imr_letters metrics ../shared/letters ../shared/seed

Entities are compared in the letter's original offsets, per label, with exact and with overlap
matching (same label, one-to-one), and the combined pipeline's also by the letters' source (dwc, seed,
written). The "ner" system is the entities of the pipeline's trained NER (its seeds' runs merged) as
they stand right after it, before the rule components after it: its embedding reads the entity
ruler's matches, but the ruler's matches are not entities yet. Also: the NER-first order (NER entities, ruler entities where the
NER has none) to check the ruler's place; item-level scores of the combined pipeline against the
gold items (TREATMENT heads of HAS_DECISION) and its case facts against the gold case facts
(corpus/case_facts/); and the share of test entity strings that no ruler
pattern contains, with each system's recall on them.
"""
import re
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Set, Tuple

import spacy
import srsly
import typer
from spacy.tokens import Doc

import spacy_imr
from spacy_imr.case_fact_gold import gold_case_facts, iter_case_facts, record_case_facts, score_case_facts
from spacy_imr.corpus import ENTITY_LABELS, iter_split_letters, read_manifest
from spacy_imr.decisions import normalize_decision
from spacy_imr.ruler_patterns import create_ruler_patterns
from spacy_imr.scoring import letter_bootstrap_interval, letter_totals

Span = Tuple[int, int, str]
NER_LAYER = "ner"  # the "ner" system: the entities of the pipeline's trained NER, before the rules after it
LEVEL = re.compile(r"^[CTLS]\d{1,2}(?:[-/][CTLS]?\d{1,2})?$")


def prf(tp: int, n_pred: int, n_gold: int) -> Dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def overlap_matches(gold: Sequence[Span], pred: Sequence[Span]) -> int:
    used: Set[int] = set()
    matched = 0
    for g_start, g_end, g_label in gold:
        for index, (p_start, p_end, p_label) in enumerate(pred):
            if index not in used and p_label == g_label and p_start < g_end and g_start < p_end:
                used.add(index)
                matched += 1
                break
    return matched


def score(pairs: Iterable[Tuple[List[Span], List[Span]]]) -> Dict[str, object]:
    """Micro and per-label P/R/F, exact and overlap; the exact F's 95% interval over resampled letters
    (`ents_f_ci95`, `ents_f_ci95_per_type`)."""
    counts = {kind: {label: Counter() for label in ENTITY_LABELS} for kind in ("exact", "overlap")}
    by_letter: Dict[str, List[Tuple[int, int, int]]] = {label: [] for label in ENTITY_LABELS}
    for gold, pred in pairs:
        for label in ENTITY_LABELS:
            g = [s for s in gold if s[2] == label]
            p = [s for s in pred if s[2] == label]
            exact = len(set(g) & set(p))
            counts["exact"][label].update(tp=exact, pred=len(p), gold=len(g))
            counts["overlap"][label].update(tp=overlap_matches(g, p), pred=len(p), gold=len(g))
            by_letter[label].append((exact, len(p), len(g)))
    result: Dict[str, object] = {}
    for kind, prefix in (("exact", "ents"), ("overlap", "overlap")):
        total = sum(counts[kind].values(), Counter())
        micro = prf(total["tp"], total["pred"], total["gold"])
        result.update({f"{prefix}_p": micro["p"], f"{prefix}_r": micro["r"], f"{prefix}_f": micro["f"]})
        result[f"{prefix}_per_type"] = {label: prf(c["tp"], c["pred"], c["gold"]) for label, c in counts[kind].items()}
    result["ents_f_ci95"] = letter_bootstrap_interval(letter_totals(by_letter))
    result["ents_f_ci95_per_type"] = {label: letter_bootstrap_interval(rows) for label, rows in by_letter.items()}
    return result


def entities(doc) -> List[Span]:
    return [(*doc._.offsets.original_span(e.start_char, e.end_char), e.label_) for e in doc.ents]


def run_pipeline(nlp, text: str, *, capture: str) -> Tuple[Doc, List[Span]]:
    """The pipeline's doc of `text`, and its entities as they stood right after the component `capture`
    (one run gives both the combined pipeline's and the NER layer's entities)."""
    doc = nlp.make_doc(text)
    captured: List[Span] = []
    for name, component in nlp.pipeline:
        doc = component(doc)
        if name == capture:
            captured = entities(doc)
    return doc, captured


def ner_first(ner: List[Span], ruler: List[Span]) -> List[Span]:
    merged = list(ner)
    for start, end, label in ruler:
        if not any(s < end and start < e for s, e, _ in merged):
            merged.append((start, end, label))
    return merged


def names_known_term(text: str, vocabulary: Set[str]) -> bool:
    """True when some ruler term (or a spinal level) stands in the entity's text."""
    words = re.findall(r"[\w/'.%#-]+|[^\w\s]", text.lower())
    if any(LEVEL.match(word.upper()) for word in words):
        return True
    return any(" ".join(words[i:i + n]) in vocabulary for n in range(1, 7) for i in range(len(words) - n + 1))


def gold_items(record: Dict, text: str) -> List[Tuple[int, int, str]]:
    spans, items = record["spans"], {}
    for relation in record["relations"]:
        if relation["label"] == "HAS_DECISION" and relation["head"] not in items:
            decision = spans[relation["child"]]
            items[relation["head"]] = normalize_decision(text[decision["start"]:decision["end"]])
    return [(spans[head]["start"], spans[head]["end"], decision) for head, decision in items.items()]


def evaluate(corpus_dir: Path, pipeline: Path, metrics_dir: Path, letters_dirs: List[Path]) -> Dict:
    manifest = read_manifest(corpus_dir)
    systems = {"ruler": spacy_imr.build_rule_pipeline(), "combined": spacy.load(pipeline)}
    # every term a ruler pattern or the letter generator's vocabulary holds
    vocabulary = {p["pattern"].lower() for case_sensitive in (False, True) for p in create_ruler_patterns(case_sensitive)
                  if isinstance(p["pattern"], str)}
    templates = corpus_dir / "vocab" / "generator_templates.json"
    if templates.exists():
        vocabulary |= {term.lower() for terms in srsly.read_json(templates)["extra_terms"].values() for term in terms}
    case_facts = {record["id"]: record for _, _, record in iter_case_facts(corpus_dir)}
    results: Dict[str, Dict] = {}
    for split in ("dev", "test"):
        pairs: Dict[str, list] = {name: [] for name in ("ruler", "ner", "combined", "ner_first")}
        fact_pairs = []
        by_source: Dict[str, list] = {}
        items = Counter()
        unseen = Counter()
        for record, text in iter_split_letters(corpus_dir, split, letters_dirs):
            gold = [(s["start"], s["end"], s["label"]) for s in record["spans"] if s["label"] in ENTITY_LABELS]
            predicted = {"ruler": systems["ruler"](text)}
            predicted["combined"], ner_found = run_pipeline(systems["combined"], text, capture=NER_LAYER)
            found = {"ner": ner_found, **{name: entities(doc) for name, doc in predicted.items()}}
            found["ner_first"] = ner_first(found["ner"], found["ruler"])
            for name in pairs:
                pairs[name].append((gold, found[name]))
            by_source.setdefault(manifest[record["id"]]["source"], []).append((gold, found["combined"]))
            for start, end, label in gold:
                if not names_known_term(text[start:end], vocabulary):
                    unseen["gold"] += 1
                    for name in ("ruler", "combined"):
                        unseen[name] += (start, end, label) in set(found[name])
            if record["id"] in case_facts:
                fact_pairs.append((gold_case_facts(case_facts[record["id"]], text),
                                   record_case_facts(predicted["combined"]._.imr_record)))
            if manifest[record["id"]]["source"] != "written":
                record_items = predicted["combined"]._.imr_record["items"]
                golden = gold_items(record, text)
                items.update(gold=len(golden), predicted=len(record_items))
                for start, end, decision in golden:
                    match = next((i for i in record_items if i["start"] < end and start < i["end"]), None)
                    if match:
                        items.update(matched=1, decision_correct=match["decision"] == decision)
        results[split] = {name: score(split_pairs) for name, split_pairs in pairs.items()}
        results[split]["combined_by_source"] = {
            source: {key: value for key, value in score(source_pairs).items() if not key.endswith("_per_type")}
            for source, source_pairs in sorted(by_source.items())}
        results[split]["items"] = {
            "recall": round(items["matched"] / items["gold"], 4) if items["gold"] else None,
            "precision": round(items["matched"] / items["predicted"], 4) if items["predicted"] else None,
            "decision_accuracy": round(items["decision_correct"] / items["matched"], 4) if items["matched"] else None,
            "gold_items": items["gold"],
        }
        results[split]["case_facts"] = score_case_facts(fact_pairs)
        results[split]["unseen_entities"] = {
            "share": round(unseen["gold"] / sum(len(g) for g, _ in pairs["ruler"]), 4) if pairs["ruler"] else None,
            "count": unseen["gold"],
            "ruler_recall": round(unseen["ruler"] / unseen["gold"], 4) if unseen["gold"] else None,
            "combined_recall": round(unseen["combined"] / unseen["gold"], 4) if unseen["gold"] else None,
        }
    metrics_dir.mkdir(parents=True, exist_ok=True)
    srsly.write_json(metrics_dir / "evaluation.json", results)
    (metrics_dir / "evaluation.md").write_text(markdown(results))
    return results


def markdown(results: Dict) -> str:
    lines = ["# Entity evaluation", "", "Exact-match P/R/F per system (overlap-match F in brackets).", ""]
    for split, systems in results.items():
        lines += [f"## {split}", "", "| system | P | R | F | " + " | ".join(ENTITY_LABELS) + " |",
                  "|---|---|---|---|" + "---|" * len(ENTITY_LABELS)]
        for name in ("ruler", "ner", "combined", "ner_first"):
            s = systems[name]
            per = " | ".join(f"{s['ents_per_type'][l]['f']:.3f} ({s['overlap_per_type'][l]['f']:.3f})" for l in ENTITY_LABELS)
            lines.append(f"| {name} | {s['ents_p']:.3f} | {s['ents_r']:.3f} | {s['ents_f']:.3f} ({s['overlap_f']:.3f}) | {per} |")
        items, unseen, facts = systems["items"], systems["unseen_entities"], systems["case_facts"]
        sources = "; ".join(f"{source} {s['ents_f']:.3f} ({s['overlap_f']:.3f})"
                            for source, s in systems["combined_by_source"].items())
        fact_errors = ", ".join(f"{name} {c['wrong']}/{c['missed']}/{c['extra']}" for name, c in facts["fields"].items()
                                if c["wrong"] or c["missed"] or c["extra"]) or "none"
        intervals = "; ".join(f"{name} {systems[name]['ents_f_ci95']}" for name in ("ruler", "ner", "combined"))
        per_label = "; ".join(f"{label} {interval}" for label, interval in systems["combined"]["ents_f_ci95_per_type"].items())
        lines += ["", f"95% interval of the exact F over letters drawn with replacement (1,000 draws): {intervals}; "
                  f"combined per label: {per_label}.",
                  f"Combined, by the letters' source: {sources}.",
                  f"Items (real letters): recall {items['recall']}, precision {items['precision']}, "
                  f"decision accuracy {items['decision_accuracy']} over {items['gold_items']} gold items.",
                  f"Case facts (letters with gold case facts): {facts['accuracy']} of {facts['letters']} letters' "
                  f"{len(facts['fields'])} fields right; wrong/missed/extra: {fact_errors}.",
                  f"Entity strings no ruler pattern or generator vocabulary contains: {unseen['count']} ({unseen['share']}); recall on them: "
                  f"ruler {unseen['ruler_recall']}, combined {unseen['combined_recall']}.", ""]
    return "\n".join(lines)


def main(corpus_dir: Path, pipeline: Path, metrics_dir: Path, letters_dirs: List[Path]):
    results = evaluate(corpus_dir, pipeline, metrics_dir, letters_dirs)
    typer.echo(markdown(results))


if __name__ == "__main__":
    typer.run(main)
