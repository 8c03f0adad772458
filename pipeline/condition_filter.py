"""Keeps only the patient's conditions and findings as DIAGNOSIS and EXAM_FINDING entities (docs/annotation.md,
rule 11).

A letter's rationale names many conditions that are not the patient's: the topics of the guideline
it quotes or paraphrases ("MTUS recommends antidepressants for neuropathic pain"), and conditions
ruled out or denied. The ruler and the NER find them all; this step drops the DIAGNOSIS entities of
a decisions-section sentence that speaks of a guideline, and those right after a negation. Measured
on the train split with the trained pipeline, the guideline rule removed 224 entities the
annotators had not marked against 6 they had, the negation rule 31 against none.
Two more forms, read off the train split's remaining errors: the physical medicine guideline's visit
table quoted in a rationale ("Neuralgia, neuritis, and radiculitis, unspecified (ICD9 729.2) 8-10
visits over 4 weeks"), and every member of a denied list ("denied tinnitus, ear discharge, nausea,
vomiting, dizziness"). With the trained pipeline they removed 22 unannotated entities and no
annotated one on train, and 8 and none on dev. Hedged conditions ("suspected", "to evaluate for",
"did not show") then removed 9 and none on train, 4 and none on dev.
Signs named as a guideline's criteria are not the patient's findings either (rule 11): an
EXAM_FINDING goes where its decisions-section sentence speaks of a guideline and not of the patient
("The ODG supports acromioplasty ... when there is pain with active arc motion"). With the trained
pipeline this removed 24 entities on train, 22 of them unannotated, and 11 on dev, none annotated.
Nor is a sign named as what a treatment is for ("beneficial for restoring flexibility, strength, range
of motion", "important in reducing swelling"): with the trained pipeline this removed 9 entities on
train and 5 on dev, none annotated.
"""
import re
from bisect import bisect_right
from typing import Iterable, List, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .entity_filter import EntityFilter
from .text_alignment import SENTENCE_BREAK, doc_text

GUIDELINE_TALK = re.compile(
    r"\bguidelines?\b|\bMTUS\b|\bODG\b|\bACOEM\b|\brecommended\b|\bindicated\b|\bcriteria\b|\bevidence\b"
    r"|\bvisits\s+over\s+\d+\s+weeks\b|\bICD-?9\b", re.I)
# a sentence about the patient's own record: "the injured worker had tenderness, and the MTUS ..."
PATIENT_TALK = re.compile(
    r"\b(?:patient|claimant|injured\s+worker|worker|applicant|employee|she|he|her|his|this\s+case|documented"
    r"|documentation|records?|exam(?:ination)?|noted|reported|findings?|presents?)\b", re.I)
NEGATION_BEFORE = re.compile(
    r"\b(?:rule\s+out|r/o|ruled\s+out|no\s+evidence\s+of|negative\s+for|possible|denies|without|no)\s+(?:\w+\s+){0,2}$",
    re.I)
NEGATION_WINDOW = 40
# suspected, to be evaluated for, or not shown: "to evaluate for a medial meniscal tear", "did not show
# subluxation", "no electroneurographic indicators of ulnar neuropathy"
HEDGED_BEFORE = re.compile(
    r"\b(?:suspect(?:ed|s)?|(?:evaluate|evaluation|assess)\s+for|ruling\s+out|diagnosing)\s+(?:\w+\s+){0,2}$"
    r"|\bno\s+(?:\w+\s+){0,3}(?:documentation|indicators?|signs?|findings?)\s+of\s+(?:\w+\s+){0,3}$"
    r"|\b(?:did|does)\s+not\s+(?:show|reveal|demonstrate|indicate)\s+(?:\w+\s+){0,3}$", re.I)
HEDGE_WINDOW = 60
# the patient's denial, not UR's ("was denied"), runs to the clause's end unless a contrast turns it
DENIED_LIST = re.compile(
    r"(?<!was )(?<!were )(?<!been )\b(?:denie[sd]|negative\s+for|no\s+complaints\s+of)\b"
    r"(?:(?!\b(?:but|however|although|reports?|reported|complain\w*|except|and\s+(?:has|had|was|is|reported))\b)"
    r"[^.;:()])*$", re.I)
DENIED_LIST_REACH = 120
# a sign as the aim of a treatment, through a list: "for restoring flexibility, strength, ... range of motion"
THERAPY_AIM = re.compile(
    r"\b(?:for|in|to|at)\s+(?:restor|improv|reduc|decreas|increas|alleviat|maintain|regain)(?:e|es|ing)?\s+"
    r"(?:(?:the|in)\s+)?(?:[\w-]+,?\s+(?:and\s+|or\s+)?){0,6}$", re.I)
THERAPY_AIM_REACH = 80


def patient_conditions(doc: Doc, ents: Sequence[Span], sections: Iterable[str]) -> List[Span]:
    """The entities without the DIAGNOSIS and EXAM_FINDING entities that are not the patient's."""
    text = doc_text(doc)
    sentence_starts = [0] + [match.end() for match in SENTENCE_BREAK.finditer(text)]
    regions = [(s.start_char, s.end_char) for s in doc.spans.get("sections", []) if s.label_ in set(sections)]

    def sentence_bounds(offset: int) -> Tuple[int, int]:
        index = bisect_right(sentence_starts, offset) - 1
        return sentence_starts[index], sentence_starts[index + 1] if index + 1 < len(sentence_starts) else len(text)

    def guideline_sentence(offset: int) -> bool:
        if not any(start <= offset < end for start, end in regions):
            return False
        return bool(GUIDELINE_TALK.search(text, *sentence_bounds(offset)))

    def guideline_criterion(offset: int) -> bool:
        return guideline_sentence(offset) and not PATIENT_TALK.search(text, *sentence_bounds(offset))

    def not_asserted(offset: int) -> bool:
        sentence_start = sentence_bounds(offset)[0]
        return bool(NEGATION_BEFORE.search(text[max(0, offset - NEGATION_WINDOW):offset])
                    or HEDGED_BEFORE.search(text[max(0, offset - HEDGE_WINDOW):offset])
                    or DENIED_LIST.search(text[max(sentence_start, offset - DENIED_LIST_REACH):offset]))

    def therapy_aim(offset: int) -> bool:
        sentence_start = sentence_bounds(offset)[0]
        return bool(THERAPY_AIM.search(text[max(sentence_start, offset - THERAPY_AIM_REACH):offset]))

    def kept(ent: Span) -> bool:
        if ent.label_ == "DIAGNOSIS":
            return not (guideline_sentence(ent.start_char) or not_asserted(ent.start_char))
        return ent.label_ != "EXAM_FINDING" or not (guideline_criterion(ent.start_char) or therapy_aim(ent.start_char))

    return [ent for ent in ents if kept(ent)]


@Language.factory(
    "imr_condition_filter",
    assigns=["doc.ents"],
    requires=["doc.ents", "doc.spans"],
    default_config={"sections": ["decisions", "rationale", "rationales"]},
    default_score_weights={},
)
def make_condition_filter(nlp: Language, name: str, sections: List[str]):
    return ConditionFilter(nlp, name, sections=sections)


class ConditionFilter(EntityFilter):
    def __init__(self, nlp: Language, name: str = "imr_condition_filter", *,
                 sections: Iterable[str] = ("decisions", "rationale", "rationales")):
        self.name = name
        self.sections = list(sections)

    def kept(self, doc: Doc, ents: Sequence[Span]) -> List[Span]:
        return patient_conditions(doc, ents, self.sections)
