"""Drops the ruler's entities from the parties' guideline statements (docs/annotation.md, rule 2).

"Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Lidoderm (lidocaine patch)"
names a guideline section, whose topic is no treatment of the patient's, and the annotation guide
does not mark it. The ruler's terms match such topics wherever they stand; the NER, trained on the
guide's annotations, tells the topics from the rarer prose statement that names the items ("the
Official Disability Guidelines for the arthroplasty and the hospital stay"). So in a statement only
the NER's entities and the item headings stay. Measured with the trained pipeline before this step
existed: the ruler's entities in statements were 267 on train and 47 on dev, none of them gold.
The reviewer's citation line of the 2016 letters ("Decision based on ..., Section(s): ...", up to its
line's end) names no item at all: there no treatment stays, the NER's neither (none of the 768 such
lines of train holds a gold treatment; on dev the NER tagged 7 topics there).
"""
import re
from typing import Iterable, List, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from .entity_filter import EntityFilter
from .intervals import Intervals
from .letter_sections import ITEM_SPAN_ID
from .text_alignment import doc_text

TOPIC_LABELS = ["TREATMENT", "ANATOMY", "DIAGNOSIS", "EXAM_FINDING"]
# up to the line's end, a sentence's end or the rationale's label
CITATION_LINE = re.compile(r"Decision\s+based\s+on\b(?:(?!Decision\s+rationale|\.\s)[^\n])*")


def without_statement_topics(doc: Doc, ents: Sequence[Span], labels: Iterable[str]) -> List[Span]:
    """The entities without the ruler's entities (those with a pattern id) of `labels` inside a guideline
    statement, and without any treatment in a citation line; item headings stay."""
    statements = doc.spans.get("guideline_statements", [])
    inside = Intervals((s.start_char, s.end_char, True) for s in statements)
    citation_lines = Intervals((m.start(), m.end(), True) for m in CITATION_LINE.finditer(doc_text(doc)))
    labels = set(labels)
    return [ent for ent in ents
            if ent.label_ not in labels or ent.id_ == ITEM_SPAN_ID
            or not (ent.id_ and inside.containing(ent.start_char)
                    or ent.label_ == "TREATMENT" and citation_lines.containing(ent.start_char))]


@Language.factory(
    "imr_topic_filter",
    assigns=["doc.ents"],
    requires=["doc.ents", "doc.spans"],
    default_config={"labels": TOPIC_LABELS},
    default_score_weights={},
)
def make_topic_filter(nlp: Language, name: str, labels: List[str]):
    return TopicFilter(nlp, name, labels=labels)


class TopicFilter(EntityFilter):
    def __init__(self, nlp: Language, name: str = "imr_topic_filter", *, labels: Iterable[str] = TOPIC_LABELS):
        self.name = name
        self.labels = list(labels)

    def kept(self, doc: Doc, ents: Sequence[Span]) -> List[Span]:
        return without_statement_topics(doc, ents, self.labels)
