"""Fit the relation step from the corpus relations; choose each label's sentence window,
regularization, classifier and threshold on dev. Writes the fitted parameters as JSON (no pickle) and the dev scores of each window.

    python scripts/train_relations.py corpus training/relations.json metrics/relations_training.json

Training pairs come from the gold entities and rationale spans of corpus/train.spacy, with the item
regions and guideline citations the rule components find in each letter.
"""
from collections import Counter
from itertools import product
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy
import spacy
import srsly
import typer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.tokens import DocBin

from spacy_imr.letter_sections import compile_rules, create_section_rules, letter_structure, set_structure
from spacy_imr.relations import RELATION_TYPES, PairContext, RelationModel, candidates, pair_features

WINDOWS = (0, 1, 2, 3)
REGULARIZATION = (1.0, 4.0, 16.0)  # LogisticRegression's C, chosen on dev with the window
# A wider window must beat the narrower one on dev by more than this. Each sentence of window costs
# time on every letter: LOCATED_AT at window 1 took 5.44 against 4.67 µs a token at window 0 for the
# whole relation step over the test letters (about 3% of the pipeline), for 0.005 of dev F.
TOLERANCE = 0.01
# Gradient-boosted trees, tried at each label's chosen window. On dev LOCATED_AT with gold entities
# (logistic regression 0.864 F): 300 iterations at learning rate 0.1 scored 0.899, 150 at 0.2 0.897,
# 100 to 200 at 0.1 to 0.3 0.882 to 0.893, 15 leaves or L2 1.0 0.882 and 0.887, depth at most 4 to 8
# 0.860 to 0.876. 150 iterations walk half the trees of 300. Over the test letters' 1,148 LOCATED_AT
# pairs the 150 trees took about 75 ms against 4 ms for the weighted sum, so trees must beat the
# logistic regression on dev by more than TOLERANCE.
TREES = {"max_iter": 150, "learning_rate": 0.2, "max_leaf_nodes": 31, "min_samples_leaf": 20, "early_stopping": False,
         "random_state": 0}


def gold_docs(path: Path) -> List:
    """The split's letters with their gold entities and rationales, the item structure the rule
    components find, and the citations imr_guideline_citations makes of the gold guideline mentions."""
    nlp = spacy.blank("en")
    citations = nlp.add_pipe("imr_guideline_citations")
    docs = list(DocBin(store_user_data=True).from_disk(path).get_docs(nlp.vocab))
    rules = compile_rules(create_section_rules())
    for doc in docs:
        ents, rationales = list(doc.ents), list(doc.spans.get("rationales", []))
        layout, sections, items = letter_structure(doc, rules, 2)
        set_structure(doc, layout, sections, items)
        doc.ents, doc.spans["rationales"] = ents, rationales  # keep the gold layers
        citations(doc)
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


class _Pairs:
    """labelled_pairs, computed once per docs, label and window (the regularizations share them)."""

    def __init__(self):
        self.cache = {}

    def __call__(self, docs, label: str, window: int):
        key = (id(docs), label, window)
        if key not in self.cache:
            self.cache[key] = labelled_pairs(docs, label, window)
        return self.cache[key]


def gold_count(docs, label: str) -> int:
    return sum(1 for doc in docs for r in doc.user_data.get("gold_relations", []) if r["label"] == label)


def best_threshold(probabilities, targets, n_gold: int) -> Tuple[float, Dict[str, float]]:
    """The threshold of the best dev F; where several thresholds in a row give it, the middle one, so that
    a small shift of the probabilities on other letters keeps to the best range."""
    scores = []
    for threshold in numpy.arange(0.05, 0.96, 0.05):
        predicted = probabilities >= threshold
        tp = int(numpy.sum(predicted & (numpy.array(targets) == 1)))
        p = tp / int(predicted.sum()) if predicted.sum() else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        scores.append((round(float(threshold), 2), {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)}))
    best_f = max(score["f"] for _, score in scores)
    if best_f == 0.0:
        return 0.5, {"p": 0.0, "r": 0.0, "f": 0.0}
    first = next(index for index, (_, score) in enumerate(scores) if score["f"] == best_f)
    last = first
    while last + 1 < len(scores) and scores[last + 1][1]["f"] == best_f:
        last += 1
    return scores[(first + last) // 2]


def fit_logistic(vectorizer: DictVectorizer, x_train, y_train, regularization: float):
    classifier = LogisticRegression(C=regularization, max_iter=2000).fit(vectorizer.transform(x_train), y_train)
    names = vectorizer.get_feature_names_out()
    params = {"weights": {name: round(float(w), 6) for name, w in zip(names, classifier.coef_[0]) if abs(w) > 1e-6},
              "intercept": round(float(classifier.intercept_[0]), 6)}
    return classifier, params


def fit_trees(x_train, y_train):
    """Trees over the features of at least min_samples_leaf training pairs: a rarer one (the
    features are not negative) can split no node, and leaving it out makes the fit several times
    faster. None when no feature is that frequent (a small corpus)."""
    counts = Counter(name for row in x_train for name, value in row.items() if value)
    kept = [{name: value for name, value in row.items() if counts[name] >= TREES["min_samples_leaf"]} for row in x_train]
    vectorizer = DictVectorizer().fit(kept)
    if not len(vectorizer.get_feature_names_out()):
        return None
    classifier = HistGradientBoostingClassifier(**TREES).fit(vectorizer.transform(kept).toarray(), y_train)
    return classifier, vectorizer, tree_params(classifier, list(vectorizer.get_feature_names_out()))


def tree_params(classifier: HistGradientBoostingClassifier, names: List[str]) -> Dict:
    """A binary HistGradientBoostingClassifier's trees as the node lists RelationModel reads, over the
    features the trees split on."""
    used: Dict[int, int] = {}
    trees = []
    for (predictor,) in classifier._predictors:
        nodes = predictor.nodes
        trees.append({
            "feature": [-1 if node["is_leaf"] else used.setdefault(int(node["feature_idx"]), len(used)) for node in nodes],
            "threshold": [0.0 if node["is_leaf"] else float(node["num_threshold"]) for node in nodes],
            "left": [int(node["left"]) for node in nodes],
            "right": [int(node["right"]) for node in nodes],
            "value": [round(float(node["value"]), 8) if node["is_leaf"] else 0.0 for node in nodes]})
    return {"features": [names[index] for index in used], "trees": trees,
            "baseline": float(numpy.ravel(classifier._baseline_prediction)[0])}


def _dev_score(classifier, vectorizer: DictVectorizer, x_dev, y_dev, n_gold: int, dense: bool = False):
    if not x_dev:
        return best_threshold(numpy.array([]), y_dev, n_gold)
    matrix = vectorizer.transform(x_dev)
    return best_threshold(classifier.predict_proba(matrix.toarray() if dense else matrix)[:, 1], y_dev, n_gold)


def train_relations(corpus_dir: Path, output: Path, report: Path,
                    regularizations: Sequence[float] = REGULARIZATION) -> Dict:
    """Each label gets the smallest sentence window whose dev F is within TOLERANCE of the best, with
    the regularization best on dev at that window (the stronger on a tie); at that window, boosted
    trees replace the logistic regression if they beat it on dev by more than TOLERANCE. The
    threshold is chosen on dev."""
    train, dev = gold_docs(corpus_dir / "train.spacy"), gold_docs(corpus_dir / "dev.spacy")
    pairs = _Pairs()
    runs: Dict[str, Dict[Tuple[int, float], Dict]] = {label: {} for label in RELATION_TYPES}
    for window, regularization in product(WINDOWS, regularizations):
        for label in RELATION_TYPES:
            x_train, y_train = pairs(train, label, window)
            if sum(y_train) == 0 or sum(y_train) == len(y_train):
                continue
            vectorizer = DictVectorizer().fit(x_train)
            classifier, params = fit_logistic(vectorizer, x_train, y_train, regularization)
            x_dev, y_dev = pairs(dev, label, window)
            threshold, score = _dev_score(classifier, vectorizer, x_dev, y_dev, gold_count(dev, label))
            runs[label][window, regularization] = {"params": {**params, "threshold": threshold, "window": window},
                                                   "dev": score}
    labels, chosen, scores = {}, {}, {}
    for label, label_runs in runs.items():
        if not label_runs:
            continue
        # candidates grow with the window and cost time per letter: a wider window (or a weaker
        # regularization) must beat the narrower one on dev by more than TOLERANCE
        # (C costs nothing at run time: the best, the stronger on a tie)
        per_window = {w: max((k for k in label_runs if k[0] == w), key=lambda k: (label_runs[k]["dev"]["f"], -k[1]))
                      for w in {k[0] for k in label_runs}}
        best = max(label_runs[k]["dev"]["f"] for k in per_window.values())
        key = per_window[min(w for w, k in per_window.items() if label_runs[k]["dev"]["f"] >= best - TOLERANCE)]
        labels[label], scores[label] = label_runs[key]["params"], label_runs[key]["dev"]
        chosen[label] = {"window": key[0], "c": key[1], "classifier": "logistic", "dev_logistic_f": scores[label]["f"]}
        (x_train, y_train), (x_dev, y_dev) = pairs(train, label, key[0]), pairs(dev, label, key[0])
        trees = fit_trees(x_train, y_train)
        if trees is None:
            continue
        classifier, vectorizer, params = trees
        threshold, score = _dev_score(classifier, vectorizer, x_dev, y_dev, gold_count(dev, label), dense=True)
        chosen[label]["dev_trees_f"] = score["f"]
        if score["f"] > scores[label]["f"] + TOLERANCE:
            labels[label] = {**params, "threshold": threshold, "window": key[0]}
            scores[label] = score
            chosen[label]["classifier"] = "trees"
    window = max((choice["window"] for choice in chosen.values()), default=0)
    srsly.write_json(output, {"window": window, "model": RelationModel(labels).to_dict()})
    summary = {"chosen_window": window, "chosen": chosen, "dev": scores, "dev_micro_f": _micro_f(dev, scores),
               "windows": {str(w): {"dev": {label: max((r["dev"] for (rw, _), r in label_runs.items() if rw == w),
                                                       key=lambda score: score["f"])
                                            for label, label_runs in runs.items() if label_runs}}
                           for w in WINDOWS}}
    srsly.write_json(report, summary)
    return summary


def _micro_f(dev, scores: Dict[str, Dict[str, float]]) -> float:
    gold = sum(gold_count(dev, label) for label in scores)
    tp = sum(scores[label]["r"] * gold_count(dev, label) for label in scores)
    predicted = sum(scores[label]["r"] * gold_count(dev, label) / scores[label]["p"] for label in scores if scores[label]["p"])
    return round(2 * tp / (gold + predicted), 4) if gold + predicted else 0.0


def main(corpus_dir: Path, output: Path, report: Path,
         regularization: List[float] = typer.Option(list(REGULARIZATION), "--c",
                                                    help="LogisticRegression's C values to choose from on dev")):
    summary = train_relations(corpus_dir, output, report, regularization)
    typer.echo(srsly.json_dumps(summary, indent=2))


if __name__ == "__main__":
    typer.run(main)
