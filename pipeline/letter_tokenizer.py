"""A tokenizer that normalises the letter first and remembers where every character came from.

`nlp(text)` on raw letter text gives a doc whose `doc.text` is the normalised text (lines of a
paragraph joined, page furniture dropped, spaces folded) and whose `doc._.source_text` and
`doc._.offsets` lead back to the original. The inner tokenizer is spaCy's English one with
special cases for spinal levels, which the default rules would split ("L5-S1" -> L5 - S1), and
without the emoticon exceptions.
"""
from typing import Callable, Iterable

from spacy.lang.tokenizer_exceptions import emoticons
from spacy.language import Language, create_tokenizer
from spacy.tokens import Doc
from spacy.util import registry

from .text_alignment import normalize_letter_text, remember_doc_text

SPINE_SEGMENTS = [f"C{n}" for n in range(1, 9)] + [f"T{n}" for n in range(1, 13)] + \
    [f"L{n}" for n in range(1, 6)] + ["S1", "S2"]


def spinal_level_special_cases() -> dict:
    """'L5-S1', 'C5-C6', 'T12-L1' as single tokens; 'L4-5' is already one token."""
    cases = {}
    for upper, lower in zip(SPINE_SEGMENTS, SPINE_SEGMENTS[1:]):
        for text in (f"{upper}-{lower}", f"{upper}/{lower}"):
            cases[text] = [{"ORTH": text}]
    return cases


class LetterTokenizer:
    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        # letters hold no emoticons, but "(DOS 08/09/2016):" does hold one of their strings
        self.tokenizer.rules = {text: case for text, case in tokenizer.rules.items() if text not in emoticons}
        for text, case in spinal_level_special_cases().items():
            self.tokenizer.add_special_case(text, case)

    @property
    def vocab(self):
        return self.tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        letter = normalize_letter_text(text)
        doc = self.tokenizer(letter.text)
        remember_doc_text(doc, letter.text)
        doc._.source_text = text
        doc._.offsets = letter.offsets
        doc._.letter_lines = [list(line) for line in letter.lines]
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    def to_bytes(self, **kwargs) -> bytes:
        return self.tokenizer.to_bytes(**kwargs)

    def from_bytes(self, data: bytes, **kwargs) -> "LetterTokenizer":
        self.tokenizer.from_bytes(data, **kwargs)
        return self

    def to_disk(self, path, **kwargs) -> None:
        self.tokenizer.to_disk(path, **kwargs)

    def from_disk(self, path, **kwargs) -> "LetterTokenizer":
        self.tokenizer.from_disk(path, **kwargs)
        return self


@registry.tokenizers("spacy_imr.letter_tokenizer.v1")
def create_letter_tokenizer() -> Callable[[Language], LetterTokenizer]:
    default_tokenizer = create_tokenizer()

    def letter_tokenizer_factory(nlp: Language) -> LetterTokenizer:
        return LetterTokenizer(default_tokenizer(nlp))

    return letter_tokenizer_factory
