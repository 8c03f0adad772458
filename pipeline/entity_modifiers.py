"""Extends entities over the words that modify them from the left, as the annotation guide asks:
a diagnosis keeps its site ("Left index finger fracture"), a site keeps its side and spinal levels
("C4-C7 paraspinal muscles"), a procedure its site ("right shoulder arthroscopy"). The ruler's
patterns hold only the terms: left modifiers in patterns would make the matcher try thousands of
patterns at every common word.
"""
import re
from typing import Callable, Dict, Iterable, List, Optional

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import SimpleFrozenList, ensure_path, registry

from .errors import Errors
from .rules import DATA_DIR

MODIFIERS_FILE = "entity_modifiers.json"
LEVEL_JOINS = {"-", "to", "through", "/", "–"}
# Which labels take a preceding entity of which label into themselves.
ABSORBS = {"DIAGNOSIS": {"ANATOMY"}, "ANATOMY": {"ANATOMY"}, "TREATMENT": {"ANATOMY"}}


@registry.misc("spacy_imr.entity_modifiers.v1")
def create_entity_modifiers() -> Dict:
    return srsly.read_json(DATA_DIR / MODIFIERS_FILE)


@Language.factory(
    "imr_entity_modifiers",
    assigns=["doc.ents"],
    requires=["doc.ents"],
    default_config={"labels": ["DIAGNOSIS", "ANATOMY", "TREATMENT"]},
    default_score_weights={},
)
def make_entity_modifiers(nlp: Language, name: str, labels: List[str]):
    return EntityModifiers(nlp, name, labels=labels)


class EntityModifiers:
    def __init__(self, nlp: Language, name: str = "imr_entity_modifiers", *, labels: Iterable[str] = tuple(ABSORBS)):
        self.name = name
        self.labels = set(labels)
        self.site_words: set = set()
        self.level: Optional[re.Pattern] = None

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Example]]] = None, *,
                   nlp: Optional[Language] = None, modifiers: Optional[Dict] = None) -> None:
        self.set_modifiers(modifiers if modifiers is not None else create_entity_modifiers())

    def set_modifiers(self, modifiers: Dict) -> None:
        self.site_words = set(modifiers["site_words"])
        self.level = re.compile(modifiers["level_pattern"])

    def _is_modifier(self, doc: Doc, i: int) -> bool:
        token = doc[i]
        if token.lower_ in self.site_words or self.level.match(token.text):
            return True
        return token.text in LEVEL_JOINS and i > 0 and bool(self.level.match(doc[i - 1].text)) \
            and i + 1 < len(doc) and bool(self.level.match(doc[i + 1].text))

    def __call__(self, doc: Doc) -> Doc:
        if self.level is None:
            raise ValueError(Errors.E011.format(name=self.name))
        kept: List[Span] = []
        for ent in doc.ents:
            if ent.label_ not in self.labels:
                kept.append(ent)
                continue
            start = ent.start
            while True:
                floor = kept[-1].end if kept else 0
                if kept and kept[-1].end == start and kept[-1].label_ in ABSORBS.get(ent.label_, ()):
                    start = kept.pop().start
                elif start > floor and self._is_modifier(doc, start - 1):
                    start -= 1
                else:
                    break
            kept.append(Span(doc, start, ent.end, label=ent.label_, span_id=ent.id_) if start != ent.start else ent)
        doc.ents = kept
        return doc

    def to_bytes(self, *, exclude=SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps(self._modifiers())

    def from_bytes(self, data: bytes, *, exclude=SimpleFrozenList()) -> "EntityModifiers":
        self.set_modifiers(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path, *, exclude=SimpleFrozenList()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / MODIFIERS_FILE, self._modifiers())

    def from_disk(self, path, *, exclude=SimpleFrozenList()) -> "EntityModifiers":
        self.set_modifiers(srsly.read_json(ensure_path(path) / MODIFIERS_FILE))
        return self

    def _modifiers(self) -> Dict:
        return {"site_words": sorted(self.site_words), "level_pattern": self.level.pattern if self.level else None}
