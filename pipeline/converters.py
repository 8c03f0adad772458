"""Annotation tool formats to and from the corpus format.

- Label Studio JSON export (a list of tasks with `annotations[].result` of `labels` and `relation`
  results) -> corpus records.
- doccano JSONL (`entities` with `start_offset`/`end_offset`, `relations` with `from_id`/`to_id`/`type`,
  or the older `label: [[start, end, label]]`) -> corpus records.
- Corpus or raw letters -> Label Studio tasks pre-annotated by the pipeline (`predictions`), so a
  person corrects machine annotations instead of starting blank.
"""
from typing import Dict, Iterable, List

from spacy.language import Language

from .about import __version__
from .corpus import pre_annotate, text_sha256


def _record(letter_id: str, text: str, spans: List[Dict], relations: List[Dict], meta: Dict, keep_text: bool) -> Dict:
    order = sorted(range(len(spans)), key=lambda i: (spans[i]["start"], spans[i]["end"]))
    position = {old: new for new, old in enumerate(order)}
    record = {
        "id": letter_id,
        "text_sha256": text_sha256(text),
        "spans": [spans[i] for i in order],
        "relations": [dict(r, head=position[r["head"]], child=position[r["child"]]) for r in relations],
        "meta": {"layout": meta.get("layout"), "split": meta.get("split", ""), "source": meta.get("source", "converted")},
    }
    if keep_text:
        record = {"id": letter_id, "text": text, **{k: v for k, v in record.items() if k != "id"}}
    return record


def _relation(head: int, child: int, tool_label: str) -> Dict:
    """A corpus relation from a tool's label; a party rides on it as 'CITES:reviewer'."""
    label, *party = tool_label.split(":")
    relation = {"head": head, "child": child, "label": label}
    if party:
        relation["party"] = party[0]
    return relation


def from_label_studio(tasks: Iterable[Dict], *, keep_text: bool = True) -> List[Dict]:
    records = []
    for task in tasks:
        text = task["data"]["text"]
        letter_id = str(task["data"].get("letter_id") or task.get("id"))
        results = (task.get("annotations") or [{}])[-1].get("result", [])
        spans, index_of, relations = [], {}, []
        for result in results:
            if result.get("type") == "labels":
                value = result["value"]
                index_of[result["id"]] = len(spans)
                spans.append({"start": value["start"], "end": value["end"], "label": value["labels"][0]})
        for result in results:
            if result.get("type") == "relation" and result["from_id"] in index_of and result["to_id"] in index_of:
                relations.append(_relation(index_of[result["from_id"]], index_of[result["to_id"]],
                                           (result.get("labels") or ["LOCATED_AT"])[0]))
        records.append(_record(letter_id, text, spans, relations, task.get("meta", {}), keep_text))
    return records


def from_doccano(lines: Iterable[Dict], *, keep_text: bool = True) -> List[Dict]:
    records = []
    for number, line in enumerate(lines):
        text = line["text"]
        letter_id = str(line.get("letter_id") or line.get("id") or number)
        spans, index_of, relations = [], {}, []
        if "entities" in line:
            for entity in line["entities"]:
                index_of[entity["id"]] = len(spans)
                spans.append({"start": entity["start_offset"], "end": entity["end_offset"], "label": entity["label"]})
        else:
            spans = [{"start": start, "end": end, "label": label} for start, end, label in line.get("label", [])]
        for relation in line.get("relations", []):
            if relation["from_id"] in index_of and relation["to_id"] in index_of:
                relations.append(_relation(index_of[relation["from_id"]], index_of[relation["to_id"]], relation["type"]))
        records.append(_record(letter_id, text, spans, relations, line.get("meta", {}), keep_text))
    return records


def to_label_studio(nlp: Language, letters: Iterable[Dict]) -> List[Dict]:
    """Tasks for Label Studio's NER-with-relations template (`label` over `text`); CITES relations carry
    the party as 'CITES:reviewer'. `letters` are {"id", "text"} dicts."""
    tasks = []
    for letter in letters:
        text = letter["text"]
        pre = pre_annotate(nlp, text)
        results: List[Dict] = []
        for index, span in enumerate(pre["spans"]):
            results.append({
                "id": f"s{index}", "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": span["start"], "end": span["end"], "text": text[span["start"]:span["end"]],
                          "labels": [span["label"]]},
            })
        for relation in pre["relations"]:
            label = relation["label"] + (f":{relation['party']}" if relation.get("party") else "")
            results.append({"type": "relation", "from_id": f"s{relation['head']}", "to_id": f"s{relation['child']}",
                            "direction": "right", "labels": [label]})
        tasks.append({
            "data": {"text": text, "letter_id": letter["id"]},
            "meta": {"layout": pre["layout"], "source": letter.get("source", "user")},
            "predictions": [{"model_version": f"spacy-imr {__version__}", "result": results}],
        })
    return tasks
