"""Keeps only the reviewer's concluding decision phrases as DECISION entities (docs/annotation.md, rule 3).

A rationale often rests one item's decision on another's: "As the requested surgical intervention is
not medically necessary per the documentation, the requested ancillary service is not medically
necessary." Only the phrase after the comma decides the item of the block; the one in the opening
"As/Since/Because ..." clause is a premise about another item, and the annotation guide does not mark
it. The ruler and the NER find both; this step drops the premise. Measured with the trained pipeline
before the step existed: 7 such entities on dev, none of them gold, and none at all on train.
"""
import re
from bisect import bisect_right
from typing import List, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from .entity_filter import EntityFilter
from .text_alignment import doc_text

SENTENCE_BREAK = re.compile(r"[.!?][\"')\]]?\s+(?=[A-Z0-9])|\n\n")
# the sentence may open with a block label: "Decision rationale: As the requested ..."
PREMISE_OPENER = re.compile(r"(?:[A-Za-z ]{0,30}:)?\W*(?:as|since|because|given(?: that)?)\b", re.I)


def concluding_decisions(doc: Doc, ents: Sequence[Span]) -> List[Span]:
    """The entities without the DECISION entities of a sentence's opening premise clause: those that a
    comma and then another DECISION follow in a sentence opened by "As", "Since", "Because" or "Given"."""
    text = doc_text(doc)
    sentence_starts = [0] + [match.end() for match in SENTENCE_BREAK.finditer(text)]
    decisions = [ent for ent in ents if ent.label_ == "DECISION"]

    def premise(index: int) -> bool:
        decision = decisions[index]
        if index + 1 == len(decisions):
            return False
        sentence = bisect_right(sentence_starts, decision.start_char) - 1
        end = sentence_starts[sentence + 1] if sentence + 1 < len(sentence_starts) else len(text)
        following = decisions[index + 1]
        return (following.start_char < end and "," in text[decision.end_char:following.start_char]
                and PREMISE_OPENER.match(text, sentence_starts[sentence]) is not None)

    premises = {decisions[index].start for index in range(len(decisions)) if premise(index)}
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
