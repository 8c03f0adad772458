"""Small typed values that components attach to docs and spans.

Each serializes to a plain dict; the msgpack encoder and decoder below (registered with srsly when
spacy_imr is imported, as every process running the pipeline does) let `Doc.to_bytes`, `DocBin(store_user_data=True)` and
`nlp.pipe(n_process>1)` carry them across processes.
"""
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Dict, List, Optional, Tuple

import srsly

from .errors import Errors
from .text_alignment import OffsetMap

TYPE_KEY = "__spacy_imr__"
VALUE_TYPES: Dict[str, type] = {}


class Value:
    kind: ClassVar[str]
    # fields holding (start, end) offsets; every other sequence is a list
    offset_fields: ClassVar[Tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        VALUE_TYPES[cls.kind] = cls

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Value":
        names = {f.name for f in fields(cls)}
        values = {key: _lists(value) for key, value in data.items() if key in names}
        for name in cls.offset_fields:
            if values.get(name) is not None:
                values[name] = tuple(values[name])
        return cls(**values)


def _lists(value):
    """msgpack may give tuples (use_list=False) where the classes keep lists."""
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


Offsets = Optional[Tuple[int, int]]


@dataclass
class ItemBlock(Value):
    """One disputed item of the decisions section; offsets are normalised-text offsets."""

    kind: ClassVar[str] = "item_block"
    offset_fields: ClassVar[Tuple[str, ...]] = (
        "item", "block", "decision_text", "claims_administrator", "reviewer", "rationale", "original_request", "authorized")
    index: int
    item: Tuple[int, int]
    block: Tuple[int, int]
    decision: str = "unknown"
    decision_text: Offsets = None
    claims_administrator: Offsets = None
    reviewer: Offsets = None
    rationale: Offsets = None
    original_request: Offsets = None
    authorized: Offsets = None
    # where the item was found: an item "heading", a letter's list of "issues", a 2013 "notice"'s
    # numbered determinations, or a determination sentence in "prose"
    origin: str = "heading"


@dataclass
class Tenderness(Value):
    kind: ClassVar[str] = "tenderness"
    site: str
    levels: List[str] = field(default_factory=list)
    laterality: Optional[str] = None


@dataclass
class ExamTest(Value):
    kind: ClassVar[str] = "exam_test"
    test: str
    result: str
    laterality: Optional[str] = None
    degrees: Optional[int] = None


@dataclass
class RangeOfMotion(Value):
    kind: ClassVar[str] = "range_of_motion"
    site: Optional[str]
    result: str
    motion: Optional[str] = None
    degrees: Optional[int] = None
    normal_degrees: Optional[int] = None
    percent_decreased: Optional[int] = None


@dataclass
class GripStrength(Value):
    kind: ClassVar[str] = "grip_strength"
    instrument: Optional[str]
    unit: Optional[str]
    left: List[float] = field(default_factory=list)
    right: List[float] = field(default_factory=list)


@dataclass
class MotorGrade(Value):
    kind: ClassVar[str] = "motor"
    grade: str
    site: Optional[str] = None
    laterality: Optional[str] = None


@dataclass
class Sensation(Value):
    kind: ClassVar[str] = "sensation"
    result: str
    site: Optional[str] = None
    laterality: Optional[str] = None
    levels: List[str] = field(default_factory=list)


@dataclass
class Reflex(Value):
    kind: ClassVar[str] = "reflex"
    grade: Optional[str]
    site: Optional[str] = None
    laterality: Optional[str] = None


@dataclass
class PainScore(Value):
    kind: ClassVar[str] = "pain_score"
    score: float
    scale: int = 10
    score_high: Optional[float] = None
    context: Optional[str] = None


@dataclass
class Citation(Value):
    """A guideline citation: which source, which part, who cited it."""

    kind: ClassVar[str] = "citation"
    source: str
    mtus: bool
    title: Optional[str] = None
    year: Optional[int] = None
    section: Optional[str] = None
    chapter: Optional[str] = None
    page: Optional[str] = None
    regulation: Optional[str] = None
    party: Optional[str] = None


@dataclass
class GuidelineBasis(Value):
    """What one party's guideline statement says about the basis of its decision."""

    kind: ClassVar[str] = "guideline_basis"
    party: str
    mtus_based: Optional[bool]
    cited_evidence: bool = True


@dataclass
class Relation(Value):
    """A predicted link between two spans (character offsets of doc.text)."""

    kind: ClassVar[str] = "relation"
    offset_fields: ClassVar[Tuple[str, ...]] = ("head", "child")
    head: Tuple[int, int]
    child: Tuple[int, int]
    label: str
    probability: float
    party: Optional[str] = None


@dataclass
class CaseFacts(Value):
    kind: ClassVar[str] = "case_facts"
    case_number: Optional[str] = None
    dates: Dict[str, Optional[str]] = field(default_factory=dict)
    report_dates: List[str] = field(default_factory=list)
    records_range: Optional[Dict[str, str]] = None
    age: Optional[int] = None
    sex: Optional[str] = None
    specialty: Optional[str] = None
    subspecialty: Optional[str] = None
    licensed_in: Optional[str] = None


@srsly.msgpack_encoders("spacy_imr")
def encode_value(obj, chain=None):
    if isinstance(obj, Value):
        return {TYPE_KEY: obj.kind, **obj.to_dict()}
    if isinstance(obj, OffsetMap):
        return {TYPE_KEY: "offset_map", "segments": obj.to_list()}
    return obj if chain is None else chain(obj)


@srsly.msgpack_decoders("spacy_imr")
def decode_value(obj, chain=None):
    if isinstance(obj, dict) and TYPE_KEY in obj:
        kind = obj[TYPE_KEY]
        if kind == "offset_map":
            return OffsetMap.from_list(obj["segments"])
        if kind not in VALUE_TYPES:
            raise ValueError(Errors.E012.format(kind=kind))
        return VALUE_TYPES[kind].from_dict(obj)
    return obj if chain is None else chain(obj)
