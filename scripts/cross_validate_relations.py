"""Cross-validate the relation step over the train and dev letters with gold entities: five folds by
letter, each label fitted as metrics/relations_training.json chose it (window, classifier, C) and
scored at the threshold training/relations.json holds. Dev alone has few letters of some kinds (prose
rationales, shared statements); the folds score a feature change over all 184 letters.

    python scripts/cross_validate_relations.py corpus training/relations.json metrics/relations_training.json metrics/relations_cv.json
"""
import random
from pathlib import Path
from typing import Dict, List

import srsly
import typer
from sklearn.feature_extraction import DictVectorizer

from spacy_imr.relations import RELATION_TYPES, PairContext, candidates, pair_features
from train_relations import fit_logistic, fit_trees, gold_docs, labelled_pairs

FOLDS = 5


def cross_validate_relations(corpus_dir: Path, model_path: Path, training_report: Path, output: Path) -> Dict:
    docs = gold_docs(corpus_dir / "train.spacy") + gold_docs(corpus_dir / "dev.spacy")
    order = list(range(len(docs)))
    random.Random(0).shuffle(order)
    folds = [set(order[k::FOLDS]) for k in range(FOLDS)]
    chosen = srsly.read_json(training_report)["chosen"]
    thresholds = {label: params["threshold"] for label, params in srsly.read_json(model_path)["model"]["labels"].items()}
    scores = {}
    for label in RELATION_TYPES:
        if label not in chosen:
            continue
        counts = {"tp": 0, "predicted": 0, "gold": 0}
        for held in folds:
            train = [doc for index, doc in enumerate(docs) if index not in held]
            predict = _fitted(train, label, chosen[label])
            for index in held:
                _count(docs[index], label, chosen[label]["window"], predict, thresholds[label], counts)
        p = counts["tp"] / counts["predicted"] if counts["predicted"] else 0.0
        r = counts["tp"] / counts["gold"] if counts["gold"] else 0.0
        scores[label] = {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                         **counts}
    srsly.write_json(output, {"folds": FOLDS, "letters": len(docs), "labels": scores})
    return scores


def _fitted(train: List, label: str, choice: Dict):
    """A function from feature rows to probabilities, fitted on `train` as `choice` says."""
    x_train, y_train = labelled_pairs(train, label, choice["window"])
    if choice["classifier"] == "trees":
        classifier, vectorizer, _ = fit_trees(x_train, y_train)
        return lambda rows: classifier.predict_proba(vectorizer.transform(rows).toarray())[:, 1]
    vectorizer = DictVectorizer().fit(x_train)
    classifier, _ = fit_logistic(vectorizer, x_train, y_train, choice["c"])
    return lambda rows: classifier.predict_proba(vectorizer.transform(rows))[:, 1]


def _count(doc, label: str, window: int, predict, threshold: float, counts: Dict[str, int]) -> None:
    gold = {(tuple(r["head"]), tuple(r["child"])) for r in doc.user_data.get("gold_relations", []) if r["label"] == label}
    context = PairContext(doc, list(doc.spans.get("rationales", [])))
    pairs = list(candidates(context, label, window))
    predicted = set()
    if pairs:
        probabilities = predict([pair_features(context, head, child) for head, child in pairs])
        predicted = {((head.start_char, head.end_char), (child.start_char, child.end_char))
                     for (head, child), probability in zip(pairs, probabilities) if probability >= threshold}
    counts["tp"] += len(predicted & gold)
    counts["predicted"] += len(predicted)
    counts["gold"] += len(gold)


def main(corpus_dir: Path, model_path: Path, training_report: Path, output: Path):
    scores = cross_validate_relations(corpus_dir, model_path, training_report, output)
    typer.echo(srsly.json_dumps(scores, indent=2))


if __name__ == "__main__":
    typer.run(main)
