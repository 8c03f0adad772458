"""Case facts: case number, the letter's dates, the patient's age and sex, the reviewer's credentials."""
import re
from typing import Callable, Dict, Iterable, List, Optional

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from .anchored_search import AnchoredWindows
from .dates import DATE, parse_date
from .text_alignment import doc_text
from .values import CaseFacts

CASE_NUMBER = re.compile(r"\bCM\d{2}-\d{7}\b")
# Labelled dates of the letter's top block; the label "Application Received" is often split by a
# column ("Priority: Standard Application / Received: date"), so "Received:" alone also counts.
FIELD_DATES = {
    "assigned": re.compile(rf"Date\s+Assigned\s*:\s*({DATE})", re.I),
    "injury": re.compile(rf"Date\s+of\s+Injury\s*:\s*({DATE})", re.I),
    "decision": re.compile(rf"Decision\s+Date\s*:\s*({DATE})", re.I),
    "ur_denial": re.compile(rf"(?:UR\s+Denial\s+Date|Date\s+of\s+UR\s+(?:Decision|Denial))\s*:\s*({DATE})", re.I),
    "application": re.compile(rf"(?:Application\s+)?Received\s*:\s*({DATE})", re.I),
}
PROSE_DATES = {
    "injury": re.compile(
        rf"\b(?:injury\s+date\s+(?:on|of)|date\s+of\s+injury\s+(?:on|of)?|(?:industrial|work(?:-related)?|occupational)\s+"
        rf"(?:injury|claim)\s+(?:on|from|of|dated)|injured\s+(?:at\s+work\s+)?on|sustained\s+an?\s+injury\s+on)\s*({DATE})",
        re.I),
    "ur_denial": re.compile(
        rf"utilization\s+review\s*(?:\(UR\)\s*)?(?:\(\s*({DATE})\s*\)|(?:denied|non-?certified|modified)[^.]{{0,120}}?"
        rf"\b(?:on|dated)\s+({DATE})|(?:letter\s+)?(?:dated|of|on)\s+({DATE}))",
        re.I),
    "assigned": re.compile(rf"assigned\s+to\s+MAXIMUS[^;]{{0,40}}?\bon\s+({DATE})", re.I),
    "application": re.compile(rf"application\s+for\s+independent\s+medical\s+review[^.]{{0,60}}?\b(?:on|dated)\s+({DATE})", re.I),
}
REPORT_DATE = re.compile(
    rf"\b({DATE})\s+(?:(?:progress|PR-?2|primary\s+treating\s+physician'?s?|initial|follow-?up|orthopedic|"
    rf"medical|office|consultation|evaluation|visit|clinic)\s+){{0,2}}(?:report|note|evaluation|visit|exam(?:ination)?)\b"
    rf"|\b(?:report|note|records?|visit|evaluation|exam(?:ination)?|PR-?2)\s+(?:dated|of|on)\s+({DATE})",
    re.I)
RECORDS_RANGE = re.compile(rf"\b(?:reports|records|notes)\s+from\s+({DATE})\s+(?:to|through|until|-)\s+({DATE})", re.I)
# the 2013 notices' decision date: "Dated:" opening a line of the letter (the normalised text may have
# joined that line to the one before it, as in double-spaced dumps)
DATED_LINE = re.compile(rf"Dated\s*:\s*({DATE})", re.I)
# Every date holds a day or month followed by more of the date, or a year: the date patterns above
# are scanned only near these, and none reaches further than DATE_REACH characters from its date.
DATE_ANCHOR = re.compile(r"\d(?:\s*[/-]\s*\d{1,2}\s*[/-]\s*\d\d|\d\d\d)")
DATE_REACH = 300
AGE_SEX = re.compile(
    r"\b(\d{1,3})[- ]year[- ]old\s+(?:(?:right|left)[- ]hand(?:ed|-dominant)\s+|(?:white|black|hispanic|asian)\s+)?"
    r"(male|female|man|woman|gentleman|lady|gentlemen)\b",
    re.I)
SEX_WORDS = {"male": "male", "man": "male", "gentleman": "male", "gentlemen": "male",
             "female": "female", "woman": "female", "lady": "female"}
US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "District of Columbia",
    "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma",
    "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont",
    "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
)
# A credential ends at punctuation or where the sentence goes on to another clause ("... Surgery with a
# subspecialty in", "... Rehabilitation and is licensed"); "Physical Medicine and Rehabilitation" stays whole.
_CREDENTIAL = r"(?P<value>[^,.;]+?)(?=\s*[,.;]|\s+(?:with|is|has|holds?)\b|\s+and\s+(?:is|has|holds?|in)\b)"
BOARD_CERTIFIED = re.compile(r"Board\s+Certified\s+in\s+" + _CREDENTIAL, re.I)
# a further certification said in the same sentence: "with a subspecialty in Spine Surgery", "has a
# subspecialty in", "with added qualification in", "with fellowship training in", "and in Pain Medicine"
FURTHER_CERTIFICATION = re.compile(
    r"(?:sub-?specialty(?:\s+certificate)?|added\s+(?:qualification|certification)|fellowship\s+training|(?<=\band)\s+(?=in\b))"
    r"\s*in\s+" + _CREDENTIAL, re.I)
# Board certifications whose own name holds "and" or "&" (ABMS specialties and subspecialties, orthopaedic
# fellowships); any other "X and Y" after "Board Certified in" names two certifications, as in
# "Anesthesiology and Pain Medicine".
CERTIFICATIONS_NAMED_WITH_AND = (
    "Allergy and Immunology", "Child and Adolescent Psychiatry", "Colon and Rectal Surgery",
    "Female Pelvic Medicine and Reconstructive Surgery", "Foot and Ankle Surgery", "Hand and Upper Extremity Surgery",
    "Head and Neck Surgery", "Hematology and Oncology", "Hospice and Palliative Medicine", "Maternal and Fetal Medicine",
    "Neuromuscular and Electrodiagnostic Medicine", "Obstetrics and Gynecology", "Oral and Maxillofacial Surgery",
    "Physical Medicine and Rehabilitation", "Plastic and Reconstructive Surgery", "Psychiatry and Neurology",
    "Pulmonary and Critical Care Medicine", "Reproductive Endocrinology and Infertility", "Shoulder and Elbow Surgery",
    "Undersea and Hyperbaric Medicine", "Vascular and Interventional Radiology",
)
_NAMED_WITH_AND = re.compile(
    "|".join(r"\s+".join(name.replace(" and ", " (?:and|&) ").split()) for name in CERTIFICATIONS_NAMED_WITH_AND), re.I)
_AND = re.compile(r"\s+(?:and|&)\s+", re.I)


def certifications(credential: str) -> List[str]:
    """The certifications a "Board Certified in" credential names: "Anesthesiology and Pain Medicine" gives two,
    "Physical Medicine and Rehabilitation" one, "Physical Medicine & Rehabilitation and Pain Medicine" two."""
    kept = [match.span() for match in _NAMED_WITH_AND.finditer(credential)]
    names, start = [], 0
    for match in _AND.finditer(credential):
        if not any(begin <= match.start() < end for begin, end in kept):
            names.append(credential[start:match.start()])
            start = match.end()
    names.append(credential[start:])
    return [" ".join(name.split()) for name in names if name.strip()]


_STATE = "|".join(r"\s+".join(state.split()) for state in US_STATES)
# "is licensed to practice in California", "is licensed in Ohio and Kentucky", "holds licenses in California and Nevada"
LICENSED_IN = re.compile(
    rf"(?:licensed\s+(?:to\s+practice\s+)?in|holds?\s+(?:a\s+)?licen[sc]es?\s+in)\s+"
    rf"(?P<value>(?:{_STATE})(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:{_STATE}))*)\b")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_STATE_NAME = re.compile(rf"\b(?:{_STATE})\b", re.I)
_CANONICAL_STATE = {state.lower(): state for state in US_STATES}


def licensed_states(licensed_in: Optional[str]) -> List[str]:
    """The US states a licensure as written names, in its order and spelled canonically:
    "California,North Carolina" and "California and North Carolina" both give ["California", "North Carolina"]."""
    states: List[str] = []
    for match in _STATE_NAME.finditer(licensed_in or ""):
        state = _CANONICAL_STATE[" ".join(match.group().split()).lower()]
        if state not in states:
            states.append(state)
    return states
LICENSURE = re.compile(r"^State\(s\)\s+of\s+Licensure\s*:\s*(?P<value>.+)$", re.I)
SPECIALTY = re.compile(r"^Certification\(s\)\s*/\s*Specialty\s*:\s*(?P<value>.+)$", re.I)


def _first(pattern: re.Pattern, dated: AnchoredWindows) -> Optional[str]:
    for match in dated.finditer(pattern):
        value = next((group for group in match.groups() if group), None)
        if value and parse_date(value):
            return parse_date(value)
    return None


def read_case_facts(doc: Doc) -> CaseFacts:
    text = doc_text(doc)
    facts = CaseFacts()
    number = CASE_NUMBER.search(text)
    facts.case_number = number.group() if number else None
    dated = AnchoredWindows(DATE_ANCHOR, text, DATE_REACH)
    for name, pattern in FIELD_DATES.items():
        facts.dates[name] = _first(pattern, dated)
    line_starts = {start for start, _ in doc._.letter_lines or []}
    facts.dates["decision"] = facts.dates["decision"] or next(
        (parse_date(match.group(1)) for match in dated.finditer(DATED_LINE) if match.start() in line_starts), None)
    for name, pattern in PROSE_DATES.items():
        facts.dates[name] = facts.dates.get(name) or _first(pattern, dated)
    reports: List[str] = []
    for match in dated.finditer(REPORT_DATE):
        value = parse_date(match.group(1) or match.group(2))
        if value and value not in reports:
            reports.append(value)
    facts.report_dates = reports
    records = dated.search(RECORDS_RANGE)
    if records:
        facts.records_range = {"from": parse_date(records.group(1)), "to": parse_date(records.group(2))}
    age_sex = AGE_SEX.search(text)
    if age_sex:
        facts.age = int(age_sex.group(1))
        facts.sex = SEX_WORDS[age_sex.group(2).lower()]
    _read_reviewer(doc, facts)
    return facts


def _read_reviewer(doc: Doc, facts: CaseFacts) -> None:
    text = doc_text(doc)
    for start, end in doc._.letter_lines or []:
        line = text[start:end]
        licensure, specialty = LICENSURE.match(line), SPECIALTY.match(line)
        if licensure:
            facts.licensed_in = licensure.group("value").strip()
        if specialty:
            first, _, rest = specialty.group("value").strip().partition(",")
            facts.specialty, facts.subspecialty = first.strip(), rest.strip() or None
    board = BOARD_CERTIFIED.search(text)
    if board and not facts.specialty:
        sentence_end = _SENTENCE_END.search(text, board.end())
        sentence = text[board.end():sentence_end.start() + 1 if sentence_end else len(text)]
        further, licensed = FURTHER_CERTIFICATION.search(sentence), LICENSED_IN.search(sentence)
        first, *others = certifications(board.group("value"))
        if further:
            others.append(" ".join(further.group("value").split()))
        facts.specialty, facts.subspecialty = first, ", ".join(others) or None
        facts.licensed_in = facts.licensed_in or (" ".join(licensed.group("value").split()) if licensed else None)


@registry.scorers("spacy_imr.case_facts_scorer.v1")
def make_case_facts_scorer():
    return case_facts_score


def case_facts_score(examples: Iterable[Example], **kwargs) -> Dict[str, Optional[float]]:
    """Share of the reference's known case facts that the prediction states identically."""
    right = total = 0
    for example in examples:
        gold, predicted = example.reference._.case_facts, example.predicted._.case_facts
        if gold is None:
            continue
        gold_fields, predicted_fields = _fields(gold), _fields(predicted) if predicted else {}
        for name, value in gold_fields.items():
            total += 1
            right += predicted_fields.get(name) == value
    return {"case_facts_acc": right / total if total else None}


def _fields(facts: CaseFacts) -> Dict[str, object]:
    flat = {f"dates.{name}": value for name, value in facts.dates.items()}
    flat.update({name: getattr(facts, name) for name in ("case_number", "age", "sex", "specialty", "subspecialty", "licensed_in")})
    return {name: value for name, value in flat.items() if value is not None}


@Language.factory(
    "imr_case_facts",
    assigns=["doc._.case_facts"],
    default_config={"scorer": {"@scorers": "spacy_imr.case_facts_scorer.v1"}},
    default_score_weights={"case_facts_acc": 1.0},
)
def make_case_facts(nlp: Language, name: str, scorer: Optional[Callable]):
    return CaseFactsReader(nlp, name, scorer=scorer)


class CaseFactsReader:
    """Sets doc._.case_facts. Its patterns are fixed letter wording, so it has no state to save."""

    def __init__(self, nlp: Language, name: str = "imr_case_facts", *, scorer: Optional[Callable] = case_facts_score):
        self.name = name
        self.scorer = scorer

    def __call__(self, doc: Doc) -> Doc:
        doc._.case_facts = read_case_facts(doc)
        return doc

    def score(self, examples: Iterable[Example], **kwargs):
        return self.scorer(examples, **kwargs) if self.scorer else {}
