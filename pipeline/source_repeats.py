"""A training augmenter that repeats the letters of chosen sources in every epoch.

The corpus mixes real DWC letters with letters written here for the layouts and phrasings the real
share lacks. Users run the pipeline on real letters, so training can weigh them more: a letter of
a source listed in `repeats` is seen that many times an epoch. `scripts/convert_corpus.py` stores
each letter's source in `doc.user_data["source"]`; a letter without one is seen once.
"""
from typing import Callable, Dict, Iterator

from spacy.language import Language
from spacy.training import Example
from spacy.util import registry


@registry.augmenters("spacy_imr.source_repeats.v1")
def create_source_repeats(repeats: Dict[str, int]) -> Callable[[Language, Example], Iterator[Example]]:
    """`repeats`: times a letter of each source is seen per epoch ({"dwc": 2}); other sources once."""

    def repeat_by_source(nlp: Language, example: Example) -> Iterator[Example]:
        yield example
        # copies, so that each keeps its own predicted doc for the annotating components
        for _ in range(repeats.get(example.reference.user_data.get("source"), 1) - 1):
            yield example.copy()

    return repeat_by_source
