"""Evaluate the relation step on dev and test; add the scores to metrics/evaluation.json.

    python scripts/evaluate_relations.py corpus training/imr_letters metrics ../shared/letters ../shared/seed

Three systems, each scored per label and micro-averaged, a relation counting when its label and both
ends match a gold relation (ends compared by overlap, same label; `*_exact` by identical offsets):
- `relations`: end to end on the pipeline's own entities and item structure; a gold relation whose
  entities were never predicted is a miss;
- `relations_gold_entities`: the relation step on the gold entities and rationale spans;
- `relations_structure_only`: the baseline from the item blocks alone (item -> its heading or
  concluding decision, its rationale, the guidelines in its guideline lines and rationale).
Also item decision accuracy on letters decided in prose (layouts C and 0, and written letters
tagged prose_decisions): the decision linked by the relation step, the structure's, and the record's
(a gold item counts as found where a predicted item overlaps it or is named the same). Gold and
predicted decision phrases are read as the record reads them, with the words around the phrase
("partially | overturned", "medically necessary | as modified to").
"""
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Set, Tuple

import spacy
import srsly
import typer

from spacy_imr.corpus import gold_layers, iter_split_letters
from spacy_imr.decisions import normalize_decision_at
from spacy_imr.letter_sections import compile_rules, create_section_rules, letter_structure, set_structure
from spacy_imr.item_names import item_name, named_item
from spacy_imr.relations import RELATION_TYPES, predict_relations
from spacy_imr.scoring import letter_bootstrap_interval, letter_totals

End = Tuple[int, int]
Triple = Tuple[End, End, str]


def match(gold: Iterable[Triple], predicted: Iterable[Triple], exact: bool) -> int:
    used: Set[int] = set()
    found = 0
    predicted = list(predicted)
    for g_head, g_child, g_label in gold:
        for index, (p_head, p_child, p_label) in enumerate(predicted):
            if index in used or p_label != g_label:
                continue
            if (p_head == g_head and p_child == g_child) if exact else (_overlap(p_head, g_head) and _overlap(p_child, g_child)):
                used.add(index)
                found += 1
                break
    return found


def _overlap(a: End, b: End) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def scores(pairs: List[Tuple[List[Triple], List[Triple]]], exact: bool) -> Dict[str, Dict[str, float]]:
    """P/R/F per label and micro; with overlap matching, also each F's 95% interval over resampled letters
    (`f_ci95`)."""
    result, total = {}, Counter()
    by_letter: Dict[str, List[Tuple[int, int, int]]] = {}
    for label in RELATION_TYPES:
        counts = Counter()
        for gold, predicted in pairs:
            g = [t for t in gold if t[2] == label]
            p = [t for t in predicted if t[2] == label]
            found = match(g, p, exact)
            counts.update(tp=found, gold=len(g), pred=len(p))
            by_letter.setdefault(label, []).append((found, len(p), len(g)))
        total.update(counts)
        result[label] = _prf(counts)
    result["micro"] = _prf(total)
    if not exact:
        by_letter["micro"] = letter_totals(by_letter)
        for label, rows in by_letter.items():
            result[label]["f_ci95"] = letter_bootstrap_interval(rows)
    return result


def _prf(counts: Counter) -> Dict[str, float]:
    p = counts["tp"] / counts["pred"] if counts["pred"] else 0.0
    r = counts["tp"] / counts["gold"] if counts["gold"] else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def to_original(doc, relations) -> List[Triple]:
    offsets = doc._.offsets
    return [(offsets.original_span(*r.head), offsets.original_span(*r.child), r.label) for r in relations]


def structure_relations(doc) -> List[Triple]:
    """Item -> decision, rationale and the guidelines inside its statements and rationale."""
    found = []
    offsets = doc._.offsets
    guidelines = [ent for ent in doc.ents if ent.label_ == "GUIDELINE"]
    for block in doc._.item_blocks or []:
        item = offsets.original_span(*block.item)
        if block.decision_text:
            found.append((item, offsets.original_span(*block.decision_text), "HAS_DECISION"))
        if block.rationale:
            found.append((item, offsets.original_span(*block.rationale), "HAS_RATIONALE"))
        for part in (block.claims_administrator, block.reviewer, block.rationale):
            if part:
                found.extend((item, offsets.original_span(g.start_char, g.end_char), "CITES")
                             for g in guidelines if part[0] <= g.start_char < part[1])
    return found


def gold_entity_doc(nlp, text: str, record: Dict, rules):
    doc = nlp.make_doc(text)
    layout, sections, items = letter_structure(doc, rules, 2)
    set_structure(doc, layout, sections, items)
    gold_layers(doc, record)  # after the structure, whose rationales it replaces with the gold ones
    return nlp.get_pipe("imr_guideline_citations")(doc)  # the citations of the gold guideline mentions


def prose_letter(record: Dict, layout: str) -> bool:
    return layout in ("C", "0") or "prose_decisions" in record["meta"].get("phenomena", [])


def item_decisions(record: Dict, text: str) -> List[Tuple[End, str]]:
    spans, items = record["spans"], {}
    for relation in record["relations"]:
        if relation["label"] == "HAS_DECISION":
            child = spans[relation["child"]]
            items.setdefault(relation["head"], normalize_decision_at(text, child["start"], child["end"]))
    return [((spans[h]["start"], spans[h]["end"]), decision) for h, decision in items.items()]


def shared_statement_citations(record: Dict, text: str, letter_record: Dict) -> Counter:
    """Where one party's statement speaks for several items, the citations the letter record gives each
    item against the gold CITES of that item and party in that statement; and, for comparison, every
    citation of the statement for every item. A gold head belongs to the record item at its place or
    to the one its name names."""
    spans, items = record["spans"], letter_record["items"]
    names = {item_name(item["item"]): index for index, item in enumerate(items)}
    gold: Dict[Tuple[int, str], List[End]] = {}
    for relation in record["relations"]:
        if relation["label"] != "CITES":
            continue
        head, child = spans[relation["head"]], spans[relation["child"]]
        index = next((i for i, item in enumerate(items) if _overlap((head["start"], head["end"]), (item["start"], item["end"]))),
                     None)
        if index is None:
            index = named_item(item_name(text[head["start"]:head["end"]]), names)
        if index is not None:
            gold.setdefault((index, relation.get("party")), []).append((child["start"], child["end"]))
    statements = Counter((party, guidelines["statement"]["start"]) for item in items
                         for party, guidelines in item["guidelines"].items() if guidelines["statement"])
    counts = Counter()
    for index, item in enumerate(items):
        for party, guidelines in item["guidelines"].items():
            statement = guidelines["statement"]
            if not statement or statements[(party, statement["start"])] < 2:
                continue
            counts["items"] += 1
            expected = [c for c in gold.get((index, party), []) if statement["start"] <= c[0] < statement["end"]]
            whole = [c for c in letter_record["guidelines"] if statement["start"] <= c["start"] < statement["end"]]
            for name, given in (("record", guidelines["citations"]), ("whole_statement", whole)):
                found = [(c["start"], c["end"]) for c in given]
                counts[(name, "tp")] += sum(1 for c in found if any(_overlap(c, g) for g in expected))
                counts[(name, "fp")] += sum(1 for c in found if not any(_overlap(c, g) for g in expected))
                counts[(name, "fn")] += sum(1 for g in expected if not any(_overlap(c, g) for c in found))
    return counts


def evaluate_relations(corpus_dir: Path, pipeline: Path, metrics_dir: Path, letters_dirs: List[Path],
                       splits: Sequence[str] = ("dev", "test")) -> Dict:
    nlp = spacy.load(pipeline)
    relation_step = nlp.get_pipe("imr_relations")
    rules = compile_rules(create_section_rules())
    results = srsly.read_json(metrics_dir / "evaluation.json") if (metrics_dir / "evaluation.json").exists() else {}
    for split in splits:
        systems: Dict[str, list] = {"relations": [], "relations_gold_entities": [], "relations_structure_only": []}
        prose, shared = Counter(), Counter()
        for record, text in iter_split_letters(corpus_dir, split, letters_dirs):
            spans = record["spans"]
            gold = [((spans[r["head"]]["start"], spans[r["head"]]["end"]),
                     (spans[r["child"]]["start"], spans[r["child"]]["end"]), r["label"]) for r in record["relations"]]
            doc = nlp(text)
            predicted = to_original(doc, doc._.relations)
            systems["relations"].append((gold, predicted))
            systems["relations_structure_only"].append((gold, structure_relations(doc)))
            gold_doc = gold_entity_doc(nlp, text, record, rules)
            with_gold = predict_relations(gold_doc, relation_step.model, list(gold_doc.spans["rationales"]), relation_step.window)
            systems["relations_gold_entities"].append((gold, to_original(gold_doc, with_gold)))
            shared.update(shared_statement_citations(record, text, doc._.imr_record))
            if prose_letter(record, doc._.layout):
                by_relation = _decisions_from_relations(doc)
                by_structure = [(doc._.offsets.original_span(*b.item), b.decision, folded(doc.text[b.item[0]:b.item[1]]))
                                for b in doc._.item_blocks or []]
                by_record = [((i["start"], i["end"]), i["decision"], folded(i["item"])) for i in doc._.imr_record["items"]]
                for item, decision in item_decisions(record, text):
                    prose["items"] += 1
                    for name, found in (("relations", by_relation), ("structure", by_structure), ("record", by_record)):
                        prose[f"{name}_correct"] += decided_item(found, item, text[item[0]:item[1]]) == decision
                        prose[f"{name}_correct_strict"] += decided_item(found, item, text[item[0]:item[1]], False) == decision
        for name, pairs in systems.items():
            results.setdefault(split, {})[name] = scores(pairs, exact=False)
            results[split][f"{name}_exact"] = scores(pairs, exact=True)
        results[split]["shared_statement_citations"] = {
            name: {"items": shared["items"], **_prf(Counter(tp=shared[(name, "tp")], pred=shared[(name, "tp")] + shared[(name, "fp")],
                                                           gold=shared[(name, "tp")] + shared[(name, "fn")]))}
            for name in ("record", "whole_statement")}
        results[split]["prose_item_decisions"] = {"items": prose["items"]}
        for name, key in (("relations", "relations"), ("structure", "structure_only"), ("record", "record")):
            for suffix in ("", "_strict"):
                results[split]["prose_item_decisions"][f"{key}_accuracy{suffix}"] = \
                    round(prose[f"{name}_correct{suffix}"] / prose["items"], 4) if prose["items"] else None
    srsly.write_json(metrics_dir / "evaluation.json", results)
    with (metrics_dir / "evaluation.md").open("a", encoding="utf8") as markdown:
        markdown.write(relations_markdown(results))
    return {split: {k: v for k, v in r.items() if k.startswith(("relations", "prose"))} for split, r in results.items()}


def relations_markdown(results: Dict) -> str:
    lines = ["", "# Relation evaluation", "",
             "P/R/F per label (ends matched by overlap; exact-offset F in brackets).", ""]
    labels = list(RELATION_TYPES) + ["micro"]
    for split in [s for s in ("dev", "test") if s in results]:
        lines += [f"## {split}", "", "| system | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
        for name in ("relations", "relations_gold_entities", "relations_structure_only"):
            row = results[split][name]
            exact = results[split][f"{name}_exact"]
            lines.append(f"| {name} | " + " | ".join(
                f"{row[l]['p']:.3f}/{row[l]['r']:.3f}/{row[l]['f']:.3f} ({exact[l]['f']:.3f})" for l in labels) + " |")
        end_to_end = results[split]["relations"]
        lines += ["", "95% interval of the end-to-end F over letters drawn with replacement (1,000 draws): " + "; ".join(
            f"{label} {end_to_end[label]['f_ci95']}" for label in labels) + "."]
        prose = results[split]["prose_item_decisions"]
        lines += ["", f"Items of letters decided in prose: {prose['items']}; decision accuracy of the relation step's "
                      f"links {prose['relations_accuracy']}, of the structure alone {prose['structure_only_accuracy']}, "
                      f"of the record (structure, with the relation step where structure cannot decide) "
                      f"{prose['record_accuracy']} (a gold item matched to a predicted one by place, the same name, or "
                      f"the one item its name names; by place or the same name only: relation step "
                      f"{prose.get('relations_accuracy_strict')}, structure {prose.get('structure_only_accuracy_strict')}, "
                      f"record {prose.get('record_accuracy_strict')}).", ""]
        shared = results[split].get("shared_statement_citations")
        if shared:
            record, whole = shared["record"], shared["whole_statement"]
            lines += [f"Citations of items whose party's statement speaks for several items ({record['items']} "
                      f"item-party statements): the record's P/R/F {record['p']:.3f}/{record['r']:.3f}/{record['f']:.3f}, "
                      f"every citation of the statement {whole['p']:.3f}/{whole['r']:.3f}/{whole['f']:.3f}.", ""]
    return "\n".join(lines)


def _decisions_from_relations(doc) -> List[Tuple[End, str, str]]:
    best: Dict[End, Tuple[float, str, str]] = {}
    for relation in doc._.relations or []:
        if relation.label == "HAS_DECISION":
            head = doc._.offsets.original_span(*relation.head)
            decision = normalize_decision_at(doc.text, *relation.child)
            if head not in best or relation.probability > best[head][0]:
                best[head] = (relation.probability, decision, folded(doc.text[relation.head[0]:relation.head[1]]))
    return [(head, decision, text) for head, (_, decision, text) in best.items()]


def folded(text: str) -> str:
    return " ".join(text.lower().split())


def decided_item(decisions: List[Tuple[End, str, str]], item: End, item_text: str, loose: bool = True) -> str:
    """The decision of the predicted item at the gold item's place or named the same; with `loose`,
    else of the one predicted item whose name the gold item's name names (`named_item`: its first or
    last words, "inpatient stay, 3 days" for "Associated surgical service: Inpatient stay, 3 days")."""
    found = next((decision for bounds, decision, text in decisions
                  if _overlap(bounds, item) or text == folded(item_text)), None)
    if found is None and loose:
        found = named_item(item_name(item_text), {item_name(text): decision for _, decision, text in decisions})
    return found or "unknown"


def main(corpus_dir: Path, pipeline: Path, metrics_dir: Path, letters_dirs: List[Path],
         split: List[str] = typer.Option(["dev", "test"], "--split", help="the splits to evaluate (repeatable)")):
    typer.echo(srsly.json_dumps(evaluate_relations(corpus_dir, pipeline, metrics_dir, letters_dirs, split), indent=2))


if __name__ == "__main__":
    typer.run(main)
