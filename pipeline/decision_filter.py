"""Keeps only the reviewer's concluding decision phrases as DECISION entities (docs/annotation.md, rule 3).

A rationale often rests one item's decision on another's: "As the requested surgical intervention is
not medically necessary per the documentation, the requested ancillary service is not medically
necessary." Only the phrase after the comma decides the item of the block; the one in the opening
"As/Since/Because ..." clause is a premise about another item, and the annotation guide does not mark
it. The ruler and the NER find both; this step drops the premise. Measured with the trained pipeline
before the step existed: 7 such entities on dev, none of them gold, and none at all on train.

The NER sometimes runs a premise on into the next clause ("is not medically necessary per the
documentation, the requested ancillary service"), so a DECISION entity is first cut before a comma or
semicolon inside it: none of the 674 annotated decision phrases of train holds one.

A decision phrase in reported speech is someone else's view, not the reviewer's determination: "the
treating physician stated that a repeat study was medically necessary", "Utilization review stated
that the study was not medically necessary". Such a phrase is dropped when a reporting verb stands
before it in its clause (no comma or semicolon between). Measured with the trained pipeline: 2 such
entities on train and 2 on dev, none of them gold; none of the 902 gold decision phrases of train and
dev stands so.
"""
import re
from typing import List, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .entity_filter import EntityFilter
from .text_alignment import SENTENCE_BREAK, doc_text

# the sentence may open with a block label: "Decision rationale: As the requested ..."
PREMISE_OPENER = re.compile(r"(?:[A-Za-z ]{0,30}:)?\W*(?:as|since|because|given(?: that)?)\b", re.I)
# how far before its decision phrase a premise's sentence may start ("As the requested ... is not")
PREMISE_REACH = 300
CLAUSE_BREAKS = {",", ";"}
# a verb that reports another party's words or view, in the clause of a decision phrase
REPORTING_VERB = re.compile(r"\b(?:stated|states|argued|argues|asserted|asserts|contended|contends|opined|opines|"
                            r"believes|believed|maintained|maintains|claimed|claims|wrote|writes)\b", re.I)


def clause_cut(ent: Span) -> Span:
    """A DECISION entity that ends before the first comma or semicolon inside it."""
    doc = ent.doc
    for token in ent[1:]:
        if token.text in CLAUSE_BREAKS:
            end = token.i
            while end > ent.start + 1 and doc[end - 1].is_space:
                end -= 1
            return Span(doc, ent.start, end, label=ent.label_, span_id=ent.id_)
    return ent


def concluding_decisions(doc: Doc, ents: Sequence[Span]) -> List[Span]:
    """The entities, DECISION entities cut at a clause break inside them, without those of a sentence's
    opening premise clause (those that a comma and then another DECISION follow in a sentence opened by
    "As", "Since", "Because" or "Given") and those in reported speech."""
    ents = [clause_cut(ent) if ent.label_ == "DECISION" else ent for ent in ents]
    text = doc_text(doc)
    decisions = [ent for ent in ents if ent.label_ == "DECISION"]

    def sentence_start(decision: Span) -> Tuple[int, bool]:
        """Where the decision's sentence starts, looked for only within PREMISE_REACH (letters are long),
        and whether it was found (else the reach's start). Each search ends a character late, so that a
        break's lookahead sees the next sentence's start."""
        reach = max(0, decision.start_char - PREMISE_REACH)
        breaks = [match.end() for match in SENTENCE_BREAK.finditer(text, reach, decision.start_char + 1)]
        return (breaks[-1], True) if breaks else (reach, reach == 0)

    def premise(decision: Span, following: Span) -> bool:
        if "," not in text[decision.end_char:following.start_char] \
                or SENTENCE_BREAK.search(text, decision.end_char, following.start_char + 1):
            return False
        start, found = sentence_start(decision)
        return found and PREMISE_OPENER.match(text, start) is not None

    def reported(decision: Span) -> bool:
        start, _ = sentence_start(decision)
        clause = max([start] + [text.rfind(mark, start, decision.start_char) + 1 for mark in CLAUSE_BREAKS])
        return REPORTING_VERB.search(text, clause, decision.start_char) is not None

    premises = {decision.start for decision, following in zip(decisions, decisions[1:]) if premise(decision, following)}
    premises.update(decision.start for decision in decisions if reported(decision))
    return [ent for ent in ents if ent.label_ != "DECISION" or ent.start not in premises]


@Language.factory(
    "imr_decision_filter",
    assigns=["doc.ents"],
    requires=["doc.ents"],
    default_config={},
    default_score_weights={},
)
def make_decision_filter(nlp: Language, name: str):
    return DecisionFilter(nlp, name)


class DecisionFilter(EntityFilter):
    def __init__(self, nlp: Language, name: str = "imr_decision_filter"):
        self.name = name

    def kept(self, doc: Doc, ents: Sequence[Span]) -> List[Span]:
        return concluding_decisions(doc, ents)
