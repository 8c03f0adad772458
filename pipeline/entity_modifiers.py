"""Adds the ruler's matches to the entities and extends them over the words that modify them.

The ruler (spaCy's span_ruler, first in the pipeline) writes its matches to a span group; here they
become entities where no entity stands yet, so a trained NER before this component keeps its
entities and the ruler fills the gaps (NER first measured better than ruler first on dev; see
metrics/evaluation.json). Then the ruler's entities are extended, as the annotation guide asks.

To the left: a diagnosis keeps its site ("Right wrist fracture"), a site its side and spinal
levels ("L4-L5 paraspinal muscles"), a procedure its site ("right shoulder arthroscopy"); an
adjacent entity that is such a modifier is absorbed. The NER's diagnoses are extended to the left
too (`ner_left_labels`): a narrow NER often stops at a line break inside "Right knee / sprain"; on
dev this changed nothing with the width-48 NER and added half a point of DIAGNOSIS F1 with width
32. To the right, by the term's list (the pattern id): strength and quantity after a drug ("Norco
10/325mg #60"), frequency after a therapy ("x 12 sessions", "2 times a week for 6 weeks"), site or
levels after a procedure or study ("MRI of the lumbar spine", "ESI at L4-5 and L5-S1"), "test"
after a named test, the year after a guideline. Last, every entity takes the guide's boundaries
(spacy_imr.entity_boundaries).
With a trained NER, `gap_labels` names the labels whose ruler matches may fill the NER's gaps: the
NER's own guideline mentions measured better on dev than the ruler's added to them (see
scripts/assemble_pipeline.py).
The ruler's patterns hold only the terms, so they are phrase patterns the matcher finds by hash;
modifiers written into patterns would make the matcher try thousands of patterns at every token.
"""
import re
from collections import defaultdict
from typing import Callable, Dict, Iterable, List, Optional, Set

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import SimpleFrozenList, ensure_path, filter_spans, registry

from .entity_boundaries import SpanBoundaries
from .errors import Errors
from .rules import DATA_DIR

MODIFIERS_FILE = "entity_modifiers.json"
LEVEL_JOINS = {"-", "to", "through", "/", "–", "and", ","}
# Which labels take a preceding entity of which label into themselves.
ABSORBS = {"DIAGNOSIS": {"ANATOMY"}, "ANATOMY": {"ANATOMY"}, "TREATMENT": {"ANATOMY"}, "GUIDELINE": {"GUIDELINE"}}
NUMBER = re.compile(r"^\d+(?:[.,/-]\d+)*(?:%|mg|mcg|g|gm|ml)?$")
STRENGTH_WORDS = {"mg", "mcg", "g", "gm", "ml", "%", "cc", "units", "tablet", "tablets", "tab", "tabs", "capsule",
                  "capsules", "cap", "caps", "patch", "patches", "cream", "gel", "er", "xr", "sr", "cr", "dr", "odt",
                  "#", "-", "/"}
FREQUENCY_WORDS = {"x", "times", "time", "a", "per", "for", "week", "weeks", "visit", "visits", "session", "sessions",
                   "day", "days", "month", "months", "twice", "once", "daily", "weekly", "-", "(", ")"}
# A right extension may not end on these words ("Norco for", "therapy 2 times a").
DANGLING = {"a", "per", "for", "x", "times", "-", "/", "#", "(", "of", "to", "at", "the", "and", ",", "with"}
YEAR = re.compile(r"^(?:19|20)\d\d$")


# A ruler term that ends an entity is the entity's head and names its type ("Cervical spine disc
# bulge" is a DIAGNOSIS); a site at the end is a post-modifier ("MRI of the lumbar spine") and does not.
HEAD_LABELS = {"DIAGNOSIS", "TREATMENT", "EXAM_FINDING", "GUIDELINE", "DECISION"}
ALL_LABELS = ["DIAGNOSIS", "ANATOMY", "EXAM_FINDING", "GUIDELINE", "TREATMENT", "DECISION"]


def fill_gaps(entities: Iterable[Span], matches: Iterable[Span], gap_labels: Optional[Set[str]] = None) -> List[Span]:
    """The entities, relabelled by a ruler head term that ends them, plus the longest
    non-overlapping matches (of `gap_labels`, default all) where no entity stands."""
    matches = list(matches)
    # token end -> labels of the longest head terms ending there: "shoulder decompression" (an exam
    # test) names the type of "shoulder decompression test", not the "decompression" inside it
    heads: Dict[int, Set[str]] = defaultdict(set)
    longest: Dict[int, int] = {}
    for match in matches:
        if match.label_ in HEAD_LABELS:
            if len(match) > longest.get(match.end, 0):
                longest[match.end] = len(match)
                heads[match.end] = set()
            if len(match) == longest[match.end]:
                heads[match.end].add(match.label_)
    entities = [_relabelled(ent, heads.get(ent.end, set())) for ent in entities]
    taken = {i for ent in entities for i in range(ent.start, ent.end)}
    added: List[Span] = []
    for match in filter_spans(matches):
        if gap_labels is not None and match.label_ not in gap_labels:
            continue
        if not any(i in taken for i in range(match.start, match.end)):
            added.append(match)
    return sorted(entities + added, key=lambda span: span.start)


def without_list_number(ent: Span) -> Span:
    """An entity that runs into the number of the next list entry ("2. Right wrist sprain 3. Cervical
    strain") ends before it."""
    doc, last = ent.doc, ent[-1]
    entry = doc[ent.start - 2].text if ent.start >= 2 and doc[ent.start - 1].text == "." else ""
    if len(ent) > 1 and last.i + 1 < len(doc) and doc[last.i + 1].text == "." and entry.isdigit() \
            and last.text == str(int(entry) + 1):
        return Span(doc, ent.start, ent.end - 1, label=ent.label_, span_id=ent.id_)
    return ent


def _relabelled(ent: Span, labels: Set[str]) -> Span:
    if len(labels) != 1 or ent.label_ in labels:
        return ent
    return Span(ent.doc, ent.start, ent.end, label=next(iter(labels)), span_id=ent.id_)


@registry.misc("spacy_imr.entity_modifiers.v1")
def create_entity_modifiers() -> Dict:
    return srsly.read_json(DATA_DIR / MODIFIERS_FILE)


@Language.factory(
    "imr_entity_modifiers",
    assigns=["doc.ents"],
    requires=["doc.ents"],
    default_config={"labels": ["DIAGNOSIS", "ANATOMY", "TREATMENT", "GUIDELINE", "EXAM_FINDING"],
                    "ruler_spans_key": "ruler", "ner_left_labels": ["DIAGNOSIS"], "gap_labels": ALL_LABELS},
    default_score_weights={},
)
def make_entity_modifiers(nlp: Language, name: str, labels: List[str], ruler_spans_key: Optional[str],
                          ner_left_labels: List[str], gap_labels: List[str]):
    return EntityModifiers(nlp, name, labels=labels, ruler_spans_key=ruler_spans_key, ner_left_labels=ner_left_labels,
                           gap_labels=gap_labels)


class EntityModifiers:
    def __init__(self, nlp: Language, name: str = "imr_entity_modifiers", *,
                 labels: Iterable[str] = ("DIAGNOSIS", "ANATOMY", "TREATMENT", "GUIDELINE", "EXAM_FINDING"),
                 ruler_spans_key: Optional[str] = "ruler", ner_left_labels: Iterable[str] = ("DIAGNOSIS",),
                 gap_labels: Iterable[str] = ALL_LABELS):
        self.name = name
        self.labels = set(labels)
        self.gap_labels = set(gap_labels)
        self.ruler_spans_key = ruler_spans_key
        self.ner_left_labels = set(ner_left_labels)
        self.modifiers: Optional[Dict] = None

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Example]]] = None, *,
                   nlp: Optional[Language] = None, modifiers: Optional[Dict] = None) -> None:
        self.set_modifiers(modifiers if modifiers is not None else create_entity_modifiers())

    def set_modifiers(self, modifiers: Dict) -> None:
        self.modifiers = modifiers
        self.site_words = set(modifiers["site_words"])
        self.level = re.compile(modifiers["level_pattern"])
        self.right = modifiers["right"]
        self.boundaries = SpanBoundaries(modifiers["boundaries"])

    def __call__(self, doc: Doc) -> Doc:
        if self.modifiers is None:
            raise ValueError(Errors.E011.format(name=self.name))
        # doc.ents is rebuilt from every token on each read and write, so it is read and set once
        ents = [without_list_number(ent) for ent in doc.ents]
        if self.ruler_spans_key in doc.spans:
            ents = fill_gaps(ents, doc.spans[self.ruler_spans_key], self.gap_labels)
        kept: List[Span] = []
        index = 0
        while index < len(ents):
            ent = ents[index]
            index += 1
            if ent.label_ not in self.labels or (not ent.id_ and ent.label_ not in self.ner_left_labels):
                kept.append(ent)  # other labels, and the NER's other entities, stay as they are
                continue
            start = self._left(doc, ent, kept) if ent.label_ in ABSORBS else ent.start
            while kept and kept[-1].end > start:
                kept.pop()  # absorbed modifiers
            # a site written after a procedure may itself be an ANATOMY entity: "MRI of the lumbar spine"
            following = index
            while following < len(ents) and ents[following].label_ == "ANATOMY":
                following += 1
            limit = ents[following].start if following < len(ents) else len(doc)
            end = self._right(doc, ent, limit)
            while index < len(ents) and ents[index].start < end:
                index += 1  # entities inside the extension
            end = max(end, ents[index - 1].end) if index > 0 and ents[index - 1].start < end else end
            if (start, end) == (ent.start, ent.end):
                kept.append(ent)
            else:
                kept.append(Span(doc, start, end, label=ent.label_, span_id=ent.id_))
        doc.ents = self.boundaries(doc, kept, doc.spans.get(self.ruler_spans_key, ()) if self.ruler_spans_key else ())
        return doc

    def _left(self, doc: Doc, ent: Span, kept: List[Span]) -> int:
        start, stack = ent.start, len(kept)
        while True:
            previous = kept[stack - 1] if stack else None
            floor = previous.end if previous else 0
            if previous is not None and previous.end == start and previous.label_ in ABSORBS.get(ent.label_, ()):
                start, stack = previous.start, stack - 1
            elif ent.label_ != "GUIDELINE" and start > floor and self._is_left_modifier(doc, start - 1):
                start -= 1
            else:
                return start

    def _is_left_modifier(self, doc: Doc, i: int) -> bool:
        token = doc[i]
        if token.lower_ in self.site_words or self.level.match(token.text):
            return True
        return token.text in ("-", "to", "through", "/", "–") and i > 0 and bool(self.level.match(doc[i - 1].text)) \
            and i + 1 < len(doc) and bool(self.level.match(doc[i + 1].text))

    def _right(self, doc: Doc, ent: Span, limit: int) -> int:
        kind = self.right.get(ent.id_)
        end = ent.end
        if kind is None or end >= limit:
            return end
        if kind in ("muscle_word", "test_word", "year"):
            words = {"muscle_word": {"muscle", "muscles", "musculature", "region", "area"},
                     "test_word": {"test", "tests", "sign", "signs", "maneuver"}}.get(kind)
            token = doc[end]
            return end + 1 if (words and token.lower_ in words) or (kind == "year" and YEAR.match(token.text)) else end
        if kind == "strength":
            return self._extend(doc, end, limit, lambda t: bool(NUMBER.match(t.text)) or t.lower_ in STRENGTH_WORDS
                                or (t.lower_ in {"with", "refill", "refills"}))
        if kind == "frequency":
            return self._extend(doc, end, limit, lambda t: bool(NUMBER.match(t.text)) or t.lower_ in FREQUENCY_WORDS
                                or t.like_num)
        return self._site_or_level(doc, end, limit)

    def _extend(self, doc: Doc, end: int, limit: int, accepts: Callable) -> int:
        stop = end
        while stop < limit and accepts(doc[stop]):
            stop += 1
        if not any(NUMBER.match(doc[i].text) or doc[i].like_num for i in range(end, stop)):
            return end  # modifiers without a number are words of the sentence, not a quantity
        while stop > end and (doc[stop - 1].lower_ in DANGLING or doc[stop - 1].lower_ == "with"):
            stop -= 1
        return stop

    def _site_or_level(self, doc: Doc, end: int, limit: int) -> int:
        i = end
        if i < limit and doc[i].lower_ in ("of", "to", "for", "at"):
            i += 1
            if i < limit and doc[i].lower_ in ("the", "both", "bilateral", "left", "right"):
                i += 1
            start_sites = i
            while i < limit and (doc[i].lower_ in self.site_words or self.level.match(doc[i].text)
                                 or (doc[i].lower_ in LEVEL_JOINS and i + 1 < limit
                                     and (self.level.match(doc[i + 1].text) or doc[i + 1].lower_ in self.site_words))):
                i += 1
            if i > start_sites:
                return i
        return end

    def to_bytes(self, *, exclude=SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps(self.modifiers)

    def from_bytes(self, data: bytes, *, exclude=SimpleFrozenList()) -> "EntityModifiers":
        self.set_modifiers(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path, *, exclude=SimpleFrozenList()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / MODIFIERS_FILE, self.modifiers)

    def from_disk(self, path, *, exclude=SimpleFrozenList()) -> "EntityModifiers":
        self.set_modifiers(srsly.read_json(ensure_path(path) / MODIFIERS_FILE))
        return self
