"""Examination findings with their values: tenderness sites with spinal levels, named tests with
result and side, range of motion, grip dynamometry per hand, motor grades, sensation, reflexes and
pain scores. Each finding is a span in doc.spans["findings"] (label = kind) with a typed value in
span._.finding. Findings are read from the clinical summary (the whole letter when it has none).
"""
import re
from bisect import bisect_left, bisect_right
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from .anchored_search import AnchoredWindows
from .spinal_levels import expand_levels
from .scoring import score_span_group
from .text_alignment import doc_text
from .values import ExamTest, GripStrength, MotorGrade, PainScore, RangeOfMotion, Reflex, Sensation, Tenderness

FINDINGS_KEY = "findings"
# how far a motor grade or a range of motion in degrees reaches from its "4/5" or "30 degrees"
FINDING_REACH = 200
RULER_SPANS_KEY = "ruler"
TEST_TERMS = "exam_tests"  # the id of the ruler's named-test patterns (corpus/vocab/exam_tests.txt)
SIDE = r"(?:bilaterally|bilateral|on\s+the\s+(?:left|right)|(?:left|right)(?:\s+side)?|on\s+both\s+sides)"
SITE_END = r"(?=\s*(?:[.;]|,\s*(?:with|and\s+(?:there|she|he|the\s+patient))|\s+(?:with|without|which|that|where|but|bilaterally|on\s+the\s+(?:left|right)|is|are|was|were)\b)|$)"
TENDERNESS = re.compile(
    r"\b(?:tenderness|tender|TTP)(?:\s+(?:to|on|with)\s+(?:deep\s+)?palpation)?\s+(?:is\s+noted\s+|was\s+noted\s+)?"
    r"(?:over|of|at|in|along|about|on|across|throughout)\s+(?:the\s+)?(?P<sites>[^.;]+?)" + SITE_END,
    re.I)
SITE_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?(?:the\s+)?|\s+and\s+(?:the\s+)?")
POLARITY = re.compile(r"\b(positive|negative)\b|(?<![\w/])([+-])(?=\s)", re.I)
LATERALITY = re.compile(SIDE, re.I)
TEST_SUFFIX = re.compile(r"\s+(?:tests?|signs?|maneuvers?)$", re.I)
DEGREES = re.compile(r"\bat\s+(\d{1,3})\s*(?:degrees|°)", re.I)
ROM_STATE = (r"(?P<result>decreased|limited|restricted|reduced|diminished|full|normal|painful|within\s+normal\s+limits)")
ROM_SITE_FIRST = re.compile(
    r"\b(?:range\s+of\s+motion|ROM)\s+(?:of|in|at|for)\s+(?:the\s+)?(?P<site>[^.,;]+?)\s+(?:is|was|are|were)\s+"
    r"(?:\w+\s+)?" + ROM_STATE, re.I)
ROM_STATE_FIRST = re.compile(
    r"\b" + ROM_STATE + r"\s+(?:and\s+painful\s+)?(?:range\s+of\s+motion|ROM)\s+(?:of|in|at|to)\s+(?:the\s+)?(?P<site>[^.,;]+?)"
    r"(?=\s*[.,;]|\s+(?:with|and|in|on|by)\b)", re.I)
MOTIONS = (r"forward\s+flexion|flexion|extension|abduction|adduction|internal\s+rotation|external\s+rotation|"
           r"(?:right\s+|left\s+)?lateral\s+(?:bending|flexion)|rotation|dorsiflexion|plantar\s*flexion|pronation|"
           r"supination|radial\s+deviation|ulnar\s+deviation")
ROM_DEGREES = re.compile(
    rf"\b(?:(?P<site>cervical|lumbar|thoracic|shoulder|knee|hip|wrist|elbow|ankle|trunk)\s+)?(?P<motion>{MOTIONS})"
    r"\s+(?:(?:is|was)\s+)?(?:(?:to|of|at|limited\s+to|measured\s+at|measured|by)\s+)?(?P<degrees>\d{1,3})"
    r"(?:\s*/\s*(?P<normal>\d{1,3}))?\s*(?:degrees|°)",
    re.I)
ROM_DEGREES_ANCHOR = re.compile(r"\d(?:\s*/\s*\d{1,3})?\s*(?:degrees|°)", re.I)
ROM_PERCENT = re.compile(r"\b(?:range\s+of\s+motion|ROM)\b[^.]{0,80}?\b(?:decreased|reduced|limited)\s+by\s+(?P<percent>\d{1,3})\s*%", re.I)
NUMBERS = r"\d+(?:\.\d+)?(?:\s*(?:,\s*(?:and\s+)?|/|and)\s*\d+(?:\.\d+)?)*"
UNIT = r"(?P<unit>kg|kgs|kilograms?|lbs?|pounds?)"
GRIP_WORD = re.compile(r"\b(?:grip|Jamar|dynamometer|dynamometry)\b", re.I)
GRIP_NUMBERS_THEN_SIDE = re.compile(
    rf"(?P<numbers>{NUMBERS})\s*(?:{UNIT})?\s+(?:for|on|in|with)\s+the\s+(?P<side>left|right)\b", re.I)
GRIP_SIDE_THEN_NUMBERS = re.compile(
    rf"\b(?P<side>left|right|R|L)(?:\s+hand)?\s*(?::|=|was|were|is|of|at)?\s*(?:was\s+|were\s+)?(?P<numbers>{NUMBERS})\s*(?:{UNIT})?",
    re.I)
MOTOR_GRADE = r"[0-5][+-]?(?=\s*/\s*5\b|\s+(?:over|out\s+of)\s+5\b)"
MOTOR_SCALE = r"\s*(?:/\s*5|\s+(?:over|out\s+of)\s+5)\b"
MOTOR_ANCHOR = re.compile(rf"[0-5][+-]?{MOTOR_SCALE}", re.I)
MOTOR = re.compile(
    rf"(?:(?P<site_before>\b(?:(?:left|right|bilateral)\s+)?[a-z]+(?:\s+[a-z]+){{0,2}})\s+(?:motor\s+|muscle\s+)?strength\s+"
    rf"(?:is\s+|was\s+|of\s+|at\s+|rated\s+(?:at\s+)?)?(?P<grade_after_site>{MOTOR_GRADE}){MOTOR_SCALE}"
    rf"|(?P<grade>{MOTOR_GRADE}){MOTOR_SCALE}(?:\s+(?:motor\s+|muscle\s+)?strength)?(?:\s+(?:in|of|at|with|for)\s+(?:the\s+)?"
    rf"(?P<site_after>(?:(?:left|right|bilateral)\s+)?[a-z]+(?:\s+[a-z]+){{0,3}}?)(?=\s*[.,;]|\s+(?:and|with|on|bilaterally)\b|$))?)",
    re.I)
SENSATION = re.compile(
    r"\b(?P<result>decreased|diminished|reduced|intact|normal|absent|altered|impaired)\s+(?:sensation|sensory|light\s+touch\s+sensation)"
    r"(?:\s+to\s+(?:light\s+touch|pinprick|pin\s*prick)(?:\s+and\s+(?:light\s+touch|pinprick))?)?"
    r"(?:\s+(?:in|over|along|at|of|to|throughout)\s+(?:the\s+)?(?P<site>[^.,;]+?))?(?=\s*[.,;]|\s+(?:and|with|but)\b|$)"
    r"|\bsensation\s+(?:to\s+(?:light\s+touch|pinprick)\s+)?(?:is|was)\s+(?P<result2>intact|decreased|diminished|reduced|normal|absent)"
    r"(?:\s+(?:in|over|along|at|throughout)\s+(?:the\s+)?(?P<site2>[^.,;]+?))?(?=\s*[.,;]|\s+(?:and|with|but)\b|$)",
    re.I)
REFLEX_GRADE = r"(?P<grade>[0-4]\+?(?:/4)?|absent|symmetric(?:al)?|normal|hypoactive|hyperactive|diminished|decreased|brisk|intact)"
REFLEX = re.compile(
    r"\b(?:(?P<site>patellar|achilles|biceps|triceps|brachioradialis|knee|ankle)\s+)?(?:deep\s+tendon\s+reflex(?:es)?|DTRs?|reflex(?:es)?)"
    rf"\s+(?:(?:are|were|is|was)\s+)?{REFLEX_GRADE}", re.I)
PAIN = re.compile(
    r"\b(?P<score>\d{1,2}(?:\.\d)?)(?:\s*(?:-|to)\s*(?P<high>\d{1,2}(?:\.\d)?))?\s*(?:/\s*10\b|out\s+of\s+10\b|"
    r"on\s+a\s+(?:scale\s+of\s+(?:0|1|zero|one)\s*(?:-|to)\s*(?:10|ten)|10-point\s+scale))"
    r"(?P<context>\s+(?:with|without|w/o|w/)\s+(?:pain\s+)?(?:medications?|meds))?",
    re.I)
TEST_WORDS = re.compile(r"\b(?:test|sign|raise|SLR|maneuver)\b|'s\b|\b(?:Tinel|Phalen|Spurling|Hawkins|Neer|McMurray|Kemp|"
                        r"Finkelstein|FABER|Patrick|Gaenslen|Speed|Yergason|O'Brien|Lachman|drawer|apprehension|"
                        r"compression|distraction|decompression|Hoffmann|Babinski|Romberg|Adson|Durkan|Froment|Lasegue|"
                        r"Waddell|empty\s+can|drop\s+arm|valgus|varus|Apley|Thomas|Ober|pivot)", re.I)
SIGN_WORDS = re.compile(r"^(?:tender|tenderness|spasm|guarding|trigger|antalgic|limp|crepitus|swelling|effusion|atrophy|"
                        r"decreased|limited|painful|weakness|paresthesia|hypoesthesia|allodynia|hyperalgesia)", re.I)


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _numbers(text: str) -> List[float]:
    return [_number(part) for part in re.findall(r"\d+(?:\.\d+)?", text)]


def _side(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    text = text.lower()
    if "bilateral" in text or "both" in text:
        return "bilateral"
    if re.search(r"\bleft\b", text):
        return "left"
    if re.search(r"\bright\b", text):
        return "right"
    return None


def _unit(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    return "kg" if text.lower().startswith("k") else "lb"


def _clean_site(text: str) -> str:
    return " ".join(text.split()).strip(" ,")


def tenderness_findings(text: str, start: int, end: int) -> Iterator[Tuple[int, int, Tenderness]]:
    for match in TENDERNESS.finditer(text, start, end):
        sites_start = match.start("sites")
        laterality = _side(text[match.end("sites"):match.end("sites") + 20].split(".")[0][:16])
        position = 0
        sites = match.group("sites")
        for separator in list(SITE_SPLIT.finditer(sites)) + [None]:
            stop = separator.start() if separator else len(sites)
            site = sites[position:stop]
            if site.strip():
                site_start = sites_start + position + (len(site) - len(site.lstrip()))
                site_text = _clean_site(site)
                yield site_start, site_start + len(site.strip()), Tenderness(
                    site=site_text, levels=expand_levels(site_text), laterality=_side(site_text) or laterality)
            position = separator.end() if separator else len(sites)


def test_findings(doc: Doc, start: int, end: int) -> Iterator[Tuple[int, int, ExamTest]]:
    text = doc_text(doc)
    tests = [ent for ent in doc.ents if ent.label_ == "EXAM_FINDING" and start <= ent.start_char < end
             and TEST_WORDS.search(ent.text) and not SIGN_WORDS.match(ent.text)]
    test_names = full_test_names(doc, tests)
    for ent in tests:
        sentence_start = max(text.rfind(". ", start, ent.start_char) + 2, start)
        sentence_end = text.find(". ", ent.end_char, end)
        sentence_end = end if sentence_end < 0 else sentence_end + 1
        before = text[max(sentence_start, ent.start_char - 24):ent.start_char]
        polarity = list(POLARITY.finditer(before))
        if polarity:
            result_match, after_result = polarity[-1], ent.end_char
        else:
            result_match = POLARITY.search(text, ent.end_char, sentence_end)
            after_result = result_match.end() if result_match else ent.end_char
        if not result_match:
            continue
        word = (result_match.group(1) or result_match.group(2)).lower()
        tail = text[after_result:sentence_end]
        tail = re.split(r"[,;]|\band\s+(?:negative|positive)\b", tail)[0]
        side = LATERALITY.search(tail) or LATERALITY.search(text[sentence_start:ent.start_char][-30:])
        degrees = DEGREES.search(tail)
        yield ent.start_char, ent.end_char, ExamTest(
            test=TEST_SUFFIX.sub("", test_names.get((ent.start, ent.end), ent.text)),
            result="positive" if word in ("positive", "+") else "negative",
            laterality=_side(side.group()) if side else None,
            degrees=int(degrees.group(1)) if degrees else None,
        )


def full_test_names(doc: Doc, tests: List[Span]) -> Dict[Tuple[int, int], str]:
    """A test's name is the ruler's whole term when the entity holds only part of it: the NER may
    find "compression" in "Cervical compression"."""
    terms = sorted((span for span in doc.spans.get(RULER_SPANS_KEY, []) if span.id_ == TEST_TERMS),
                   key=lambda span: span.start)
    starts = [span.start for span in terms]
    longest = max((len(term) for term in terms), default=0)
    names = {}
    for ent in tests:
        for term in terms[bisect_left(starts, ent.start - longest):bisect_right(starts, ent.start)]:
            if term.end >= ent.end and len(term) > len(ent) and len(term.text) > len(names.get((ent.start, ent.end), "")):
                names[(ent.start, ent.end)] = term.text
    return names


def range_of_motion_findings(text: str, start: int, end: int) -> Iterator[Tuple[int, int, RangeOfMotion]]:
    for pattern in (ROM_SITE_FIRST, ROM_STATE_FIRST):
        for match in pattern.finditer(text, start, end):
            result = match.group("result").lower()
            yield match.start(), match.end(), RangeOfMotion(
                site=_clean_site(match.group("site")),
                result="normal" if result.startswith(("within", "full")) else result)
    for match in AnchoredWindows(ROM_DEGREES_ANCHOR, text, FINDING_REACH, start, end).finditer(ROM_DEGREES):
        degrees, normal = int(match.group("degrees")), match.group("normal")
        yield match.start(), match.end(), RangeOfMotion(
            site=match.group("site").lower() if match.group("site") else None,
            result="measured", motion=" ".join(match.group("motion").lower().split()),
            degrees=degrees, normal_degrees=int(normal) if normal else None)
    for match in ROM_PERCENT.finditer(text, start, end):
        yield match.start(), match.end(), RangeOfMotion(
            site=None, result="decreased", percent_decreased=int(match.group("percent")))


def grip_sentences(text: str, start: int, end: int) -> Iterator[Tuple[int, int]]:
    """(start, end) of each sentence naming grip or a dynamometer; a period before a digit is a
    decimal point, not a sentence end. Found from the keyword outwards: a regex that scans for the
    sentence first backtracks over every sentence without the keyword."""
    position = start
    while True:
        keyword = GRIP_WORD.search(text, position, end)
        if not keyword:
            return
        sentence_start = text.rfind(".", position, keyword.start()) + 1 or position
        sentence_end = keyword.end()
        while True:
            period = text.find(".", sentence_end, end)
            if period < 0:
                sentence_end = end
                break
            sentence_end = period
            if not (period + 1 < end and text[period + 1].isdigit()):
                break
            sentence_end = period + 1
        yield sentence_start, sentence_end
        position = sentence_end


def grip_findings(text: str, start: int, end: int) -> Iterator[Tuple[int, int, GripStrength]]:
    for body_start, body_end in grip_sentences(text, start, end):
        body = text[body_start:body_end]
        readings: Dict[str, List[float]] = {}
        unit = re.search(r"\b(kg|kgs|kilograms?|lbs?|pounds?)\b", body, re.I)
        for pattern in (GRIP_NUMBERS_THEN_SIDE, GRIP_SIDE_THEN_NUMBERS):
            for match in pattern.finditer(body):
                side = {"r": "right", "l": "left"}.get(match.group("side").lower(), match.group("side").lower())
                values = _numbers(match.group("numbers"))
                if side not in readings and values and not re.match(r"[CTLS]\d", body[match.start():match.start() + 3]):
                    readings[side] = values
            if readings:
                break
        if not readings:
            continue
        instrument = "Jamar" if re.search(r"jamar", body, re.I) else ("dynamometer" if re.search(r"dynamomet", body, re.I) else None)
        sentence_start, sentence_end = body_start + len(body) - len(body.lstrip()), body_end
        yield sentence_start, sentence_end, GripStrength(
            instrument=instrument, unit=_unit(unit.group(1)) if unit else None,
            left=readings.get("left", []), right=readings.get("right", []))


def motor_findings(text: str, start: int, end: int) -> Iterator[Tuple[int, int, MotorGrade]]:
    for match in AnchoredWindows(MOTOR_ANCHOR, text, FINDING_REACH, start, end).finditer(MOTOR):
        grade = match.group("grade") or match.group("grade_after_site")
        site = match.group("site_before") or match.group("site_after")
        if site and re.fullmatch(r"(?:motor|muscle|and|with|the|normal|full|good)", site.strip(), re.I):
            site = None
        site = _clean_site(site) if site else None
        yield match.start(), match.end(), MotorGrade(grade=f"{grade}/5", site=site, laterality=_side(site))


def sensation_findings(text: str, start: int, end: int) -> Iterator[Tuple[int, int, Sensation]]:
    for match in SENSATION.finditer(text, start, end):
        result = (match.group("result") or match.group("result2")).lower()
        site = match.group("site") or match.group("site2")
        site = _clean_site(site) if site else None
        yield match.start(), match.end(), Sensation(
            result="normal" if result in ("intact", "normal") else "decreased" if result != "absent" else "absent",
            site=site, laterality=_side(site), levels=expand_levels(site) if site else [])


def reflex_findings(text: str, start: int, end: int) -> Iterator[Tuple[int, int, Reflex]]:
    for match in REFLEX.finditer(text, start, end):
        tail = text[match.end():match.end() + 30]
        yield match.start(), match.end(), Reflex(
            grade=match.group("grade").lower(), site=match.group("site").lower() if match.group("site") else None,
            laterality=_side(re.split(r"[.;,]", tail)[0]))


def pain_findings(text: str, start: int, end: int) -> Iterator[Tuple[int, int, PainScore]]:
    for match in PAIN.finditer(text, start, end):
        context = match.group("context")
        yield match.start(), match.end(), PainScore(
            score=_number(match.group("score")),
            score_high=_number(match.group("high")) if match.group("high") else None,
            context=("without medication" if re.search(r"without|w/o", context, re.I) else "with medication") if context else None)


def findings_region(doc: Doc) -> Tuple[int, int]:
    for span in doc.spans.get("sections", []):
        if span.label_ == "clinical_summary":
            return span.start_char, span.end_char
    return 0, len(doc_text(doc))


@registry.scorers("spacy_imr.exam_findings_scorer.v1")
def make_exam_findings_scorer():
    return exam_findings_score


def exam_findings_score(examples: Iterable[Example], **kwargs) -> Dict[str, object]:
    return score_span_group(examples, FINDINGS_KEY, **kwargs)


@Language.factory(
    "imr_exam_findings",
    assigns=["doc.spans", "span._.finding"],
    requires=["doc.ents"],
    default_config={"scorer": {"@scorers": "spacy_imr.exam_findings_scorer.v1"}},
    default_score_weights={f"spans_{FINDINGS_KEY}_f": 1.0},
)
def make_exam_findings(nlp: Language, name: str, scorer: Optional[Callable]):
    return ExamFindings(nlp, name, scorer=scorer)


class ExamFindings:
    """Parses finding values; named tests come from EXAM_FINDING entities (ruler or NER)."""

    def __init__(self, nlp: Language, name: str = "imr_exam_findings", *, scorer: Optional[Callable] = exam_findings_score):
        self.name = name
        self.scorer = scorer

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        start, end = findings_region(doc)
        found = [
            *tenderness_findings(text, start, end),
            *test_findings(doc, start, end),
            *range_of_motion_findings(text, start, end),
            *grip_findings(text, start, end),
            *motor_findings(text, start, end),
            *sensation_findings(text, start, end),
            *reflex_findings(text, start, end),
            *pain_findings(text, start, end),
        ]
        spans = []
        for span_start, span_end, value in sorted(found, key=lambda f: (f[0], f[1])):
            span = doc.char_span(span_start, span_end, label=value.kind, alignment_mode="expand")
            if span is not None:
                span._.finding = value
                spans.append(span)
        doc.spans[FINDINGS_KEY] = spans
        return doc

    def score(self, examples: Iterable[Example], **kwargs):
        return self.scorer(examples, **kwargs) if self.scorer else {}
