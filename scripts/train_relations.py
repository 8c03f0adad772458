"""Fit the relation step from the corpus relations; choose the sentence window and each label's
threshold on dev. Writes the fitted parameters as JSON (no pickle) and the dev scores of each window.

    python scripts/train_relations.py corpus training/relations.json metrics/relations_training.json

Training pairs come from the gold entities and rationale spans of corpus/train.spacy, with the item
regions the rule components find in each letter.
"""
from pathlib import Path
from typing import Dict, List, Tuple

import numpy
import spacy
import srsly
import typer
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.tokens import DocBin

from spacy_imr.letter_sections import compile_rules, create_section_rules, letter_structure, set_structure
from spacy_imr.relations import RELATION_TYPES, PairContext, RelationModel, candidates, pair_features

WINDOWS = (0, 1, 2, 3)


def gold_docs(path: Path) -> List:
    nlp = spacy.blank("en")
    docs = list(DocBin(store_user_data=True).from_disk(path).get_docs(nlp.vocab))
    rules = compile_rules(create_section_rules())
    for doc in docs:
        ents, rationales = list(doc.ents), list(doc.spans.get("rationales", []))
        layout, sections, items = letter_structure(doc, rules, 2)
        set_structure(doc, layout, sections, items)
        doc.ents, doc.spans["rationales"] = ents, rationales  # keep the gold layers
    return docs


def labelled_pairs(docs, label: str, window: int) -> Tuple[List[Dict], List[int]]:
    features, targets = [], []
    for doc in docs:
        gold = {(tuple(r["head"]), tuple(r["child"])) for r in doc.user_data.get("gold_relations", [])
                if r["label"] == label}
        context = PairContext(doc, list(doc.spans.get("rationales", [])))
        for head, child in candidates(context, label, window):
            features.append(pair_features(context, head, child))
            targets.append(int(((head.start_char, head.end_char), (child.start_char, child.end_char)) in gold))
    return features, targets


def gold_count(docs, label: str) -> int:
    return sum(1 for doc in docs for r in doc.user_data.get("gold_relations", []) if r["label"] == label)


def best_threshold(probabilities, targets, n_gold: int) -> Tuple[float, Dict[str, float]]:
    best = (0.5, {"p": 0.0, "r": 0.0, "f": 0.0})
    for threshold in numpy.arange(0.05, 0.96, 0.05):
        predicted = probabilities >= threshold
        tp = int(numpy.sum(predicted & (numpy.array(targets) == 1)))
        p = tp / int(predicted.sum()) if predicted.sum() else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        if f > best[1]["f"]:
            best = (round(float(threshold), 2), {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)})
    return best


def train_relations(corpus_dir: Path, output: Path, report: Path) -> Dict:
    train, dev = gold_docs(corpus_dir / "train.spacy"), gold_docs(corpus_dir / "dev.spacy")
    runs = {}
    for window in WINDOWS:
        labels, scores = {}, {}
        for label in RELATION_TYPES:
            x_train, y_train = labelled_pairs(train, label, window)
            if sum(y_train) == 0 or sum(y_train) == len(y_train):
                continue
            vectorizer = DictVectorizer()
            classifier = LogisticRegression(C=1.0, max_iter=2000)
            classifier.fit(vectorizer.fit_transform(x_train), y_train)
            x_dev, y_dev = labelled_pairs(dev, label, window)
            probabilities = classifier.predict_proba(vectorizer.transform(x_dev))[:, 1] if x_dev else numpy.array([])
            threshold, score = best_threshold(probabilities, y_dev, gold_count(dev, label))
            names = vectorizer.get_feature_names_out()
            labels[label] = {
                "weights": {name: round(float(w), 6) for name, w in zip(names, classifier.coef_[0]) if abs(w) > 1e-6},
                "intercept": round(float(classifier.intercept_[0]), 6),
                "threshold": threshold,
            }
            scores[label] = score
        gold = sum(gold_count(dev, label) for label in scores)
        tp = sum(scores[label]["r"] * gold_count(dev, label) for label in scores)
        predicted = sum(scores[label]["r"] * gold_count(dev, label) / scores[label]["p"]
                        for label in scores if scores[label]["p"])
        micro_f = 2 * tp / (gold + predicted) if gold + predicted else 0.0
        runs[window] = {"model": RelationModel(labels).to_dict(), "dev": scores, "dev_micro_f": round(micro_f, 4)}
    window = max(runs, key=lambda w: runs[w]["dev_micro_f"])
    srsly.write_json(output, {"window": window, "model": runs[window]["model"]})
    summary = {"chosen_window": window,
               "windows": {str(w): {"dev_micro_f": r["dev_micro_f"], "dev": r["dev"]} for w, r in runs.items()}}
    srsly.write_json(report, summary)
    return summary


def main(corpus_dir: Path, output: Path, report: Path):
    summary = train_relations(corpus_dir, output, report)
    typer.echo(srsly.json_dumps(summary, indent=2))


if __name__ == "__main__":
    typer.run(main)
