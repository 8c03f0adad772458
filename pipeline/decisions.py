"""Decision wording: what an IMR item heading or a concluding sentence says was decided."""
import re
from typing import Optional

UPHELD, OVERTURNED, PARTIAL, UNKNOWN = "upheld", "overturned", "partial", "unknown"

_NOT_CERTIFIED = r"(?:non|not)[\s-]*(?:certif(?:ied|y|ication)|approved|authori[sz]ed)"
# the words that may stand between "not" and "medically necessary": "not found to be", "not been shown to be"
_NOT_LINKED = r"\bnot[\s-]*(?:(?:be|been|considered|deemed|found|shown|established|determined|to|as|appears?)\s+){0,4}"
_RULES = [
    # partial outcomes first: "partially overturned", "certified in part", "modified to 6 visits"
    (re.compile(r"\bpartial(?:ly)?\b|\b(?:certified|approved|authori[sz]ed|overturned)\s+in\s+part\b"
                r"|\bmodified\s+to\b", re.I), PARTIAL),
    # a denial that stands, or one that is overturned ("the IRO upheld the denial", "the prior denial is
    # overturned"), before the bare words, so that "denial ... overturned" is not read as upheld
    (re.compile(r"\bupheld\b|\buphold", re.I), UPHELD),
    (re.compile(r"\boverturn|\brevers(?:e|ed|es|al)\b", re.I), OVERTURNED),
    # "is not medically necessary", "would not be medically necessary", "is not considered medically
    # necessary", "was not found to be medically necessary", "has not been shown to be ..."
    (re.compile(_NOT_LINKED + r"medically\s+(?:reasonable\s+(?:and|or)\s+)?(?:necessary|reasonable|appropriate)", re.I),
     UPHELD),
    (re.compile(r"\bmedically\s+(?:reasonable\s+(?:and|or)\s+)?(?:necessary|reasonable|appropriate)", re.I),
     OVERTURNED),
    (re.compile(r"recommendation\s+is\s+for\s+(?:denial|non-?certification)", re.I), UPHELD),
    (re.compile(r"recommendation\s+is\s+for\s+(?:authorization|certification|approval)", re.I), OVERTURNED),
    # "non-certified", "not certified", "is not approved"; then "certified", "approved"
    (re.compile(rf"\b{_NOT_CERTIFIED}\b|\bdenied\b|\bdenial\s+(?:is|was)\s+(?:maintained|affirmed|sustained)", re.I),
     UPHELD),
    (re.compile(r"\b(?:certified|certification|approved|authori[sz]ed)\b", re.I), OVERTURNED),
]

# A concluding statement of the IMR decision in prose (not UR's wording, not guideline wording).
PROSE_DECISION = re.compile(
    # "is (therefore) not medically necessary", "would not be ...", "is determined to be ...", "was not found
    # to be ...", "has not been shown to be ...", "is not considered ...", "is deemed ..."
    r"\b(?:(?:is|was|are|were)\s+(?:(?:therefore|also|thus)\s+)?(?:not\s*)?|(?:would|will|(?:(?:is|was|are|were)"
    r"(?:\s+not)?|(?:has|have)(?:\s+not)?\s+been)\s+(?:determined|found|shown)\s+(?:not\s+)?to)\s+(?:not\s+)?be\s+"
    r"|(?:is|are)\s+(?:not\s+)?(?:considered|deemed)\s+)medically\s+(?:reasonable\s+(?:and|or)\s+)?necessary"
    r"(?:\s+(?:and|and/or)\s+appropriate)?(?:\s+(?:per|based\s+on)\s+the\s+documentation)?"
    r"|\bRecommendation\s+is\s+for\s+(?:denial|non-?certification|authorization|certification|approval)"
    # the reviewer's partial decision, in the present tense: UR's history is told in the past ("the
    # request was modified to 6 sessions")
    r"|\b(?:is|are)\s+(?:certified|approved|authori[sz]ed)\s+in\s+part\b|\b(?:is|are)\s+modified\s+to\b"
    r"|\b(?:is|was|are|were)\s+(?:(?:not|non)[\s-]*)?certified\b(?!\s+by)"
    r"|\b(?:is|was|are|were)\s+partially\s+overturned\b"
    r"|\b(?:prior\s+)?denial\s+(?:is|was)\s+(?:upheld|overturned|reversed)\b",
    re.I,
)


def normalize_decision(text: Optional[str]) -> str:
    if not text:
        return UNKNOWN
    for pattern, value in _RULES:
        if pattern.search(text):
            return value
    return UNKNOWN


_PARTIAL_BEFORE = re.compile(r"\b(?:partially|partly)\s*$", re.I)
# "not | medically necessary", "not found to be | medically necessary"
_NOT_BEFORE = re.compile(_NOT_LINKED + "$", re.I)
# what makes a certification partial when it follows the phrase: "is medically necessary and appropriate
# as modified to Norco 10/325mg #60" (the 2013 notices), "... in part: 6 sessions are ...", "... for an
# initial course of 6 sessions, and not medically necessary for the remaining 12 sessions"
_PARTIAL_AFTER = re.compile(
    r"\s*,?\s*(?:as\s+modified\s+to\b|in\s+part\b"
    r"|[^.;:]{0,80}?,\s*(?:but|and)\s+(?:is\s+|are\s+)?not\s+(?:medically\s+necessary|certified)[^.;]{0,60}?\bremaining\b)",
    re.I)


def normalize_decision_at(text: str, start: int, end: int) -> str:
    """The decision of the phrase text[start:end], read with the words right around it: a DECISION span
    that left out "partially" ("partially | overturned"), "not" ("not | medically necessary") or the
    modification after it ("medically necessary and appropriate | as modified to ...", "| in part", "| for
    the first 6 sessions, and not medically necessary for the remaining 12")."""
    decision = normalize_decision(text[start:end])
    before = text[max(0, start - 40):start]
    if decision in (OVERTURNED, UPHELD) and _PARTIAL_BEFORE.search(before):
        return PARTIAL
    if decision == OVERTURNED and _PARTIAL_AFTER.match(text, end):
        return PARTIAL
    if decision == OVERTURNED and _NOT_BEFORE.search(before):
        return UPHELD
    return decision
