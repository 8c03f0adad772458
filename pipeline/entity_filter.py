"""What the components that drop entities share (imr_condition_filter, imr_decision_filter,
imr_topic_filter): doc.ents is rebuilt from every token on each read and setting it walks every token
again, so each reads it once and sets it only when it dropped or cut an entity."""
from typing import List, Sequence

from spacy.tokens import Doc, Span


class EntityFilter:
    """A component that keeps some of a doc's entities, as `kept` returns them."""

    def kept(self, doc: Doc, ents: Sequence[Span]) -> List[Span]:
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        ents = doc.ents
        kept = self.kept(doc, ents)
        if len(kept) < len(ents) or any(a.end != b.end for a, b in zip(kept, ents)):
            doc.ents = kept
        return doc
