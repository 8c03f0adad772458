"""Treatment category of a disputed item, for counting outcomes by kind of request.

The record carries no category, so it is derived from the item text: the longest term of the entity
ruler's vocabulary lists (package data compiled from corpus/vocab) found in it decides, with a few
keywords that split the procedures list into injections and surgery and catch what the lists miss.
"""
import re
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from .ruler_patterns import RULER_PATTERNS_FILE
from .rules import read_rules

CATEGORIES = ("medication", "therapy", "injection", "imaging", "DME", "surgery", "program", "other")
# vocabulary list (the ruler pattern's id) -> category; "procedures" is split by INJECTION below
VOCAB_CATEGORIES = {
    "drugs": "medication",
    "therapies": "therapy",
    "dme": "DME",
    "diagnostics": "imaging",  # studies: imaging, and also electrodiagnostics and labs
    "programs": "program",
    "procedures": "surgery",
    "consults": "other",
}
INJECTION = re.compile(r"inject|epidural|\besis?\b|block|radiofrequency|ablation|rhizotomy|botox|trigger point|"
                       r"platelet|\bprp\b|viscosupplement|synvisc|hyaluron", re.I)
# the procedures list also holds post-operative therapy
THERAPY_TERM = re.compile(r"\btherapy\b|\bpt\b")
# when no vocabulary term is in the item text
FALLBACK = (
    ("medication", re.compile(r"\d\s*mg\b|\bmcg\b|tablet|capsule|\btabs?\b|cream|ointment|lotion|\bgel\b|"
                              r"compound|topical|medication|#\s*\d+", re.I)),
    ("injection", INJECTION),
    ("surgery", re.compile(r"surgery|surgical|ectomy|otomy|plasty|arthroscop|fusion|repair|release|fixation", re.I)),
    ("imaging", re.compile(r"\bmri\b|\bct\b|x-?ray|radiograph|ultrasound|scan|imaging|\bemg\b|\bncv\b", re.I)),
    ("DME", re.compile(r"brace|\bunit\b|cane|walker|wheelchair|cushion|pillow|mattress|orthotic|splint|\bkit\b", re.I)),
    ("therapy", re.compile(r"therapy|chiropract|acupunct|massage|physiotherap|sessions?\b|visits?\b", re.I)),
    ("program", re.compile(r"program|detox|membership", re.I)),
)
WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _vocabulary() -> Tuple[Dict[Tuple[str, ...], str], int]:
    """Phrase (lowercase words) -> vocabulary list, and the longest phrase's length in words."""
    phrases: Dict[Tuple[str, ...], str] = {}
    for rule in read_rules(RULER_PATTERNS_FILE):
        if rule.get("id") in VOCAB_CATEGORIES and isinstance(rule["pattern"], str):
            words = tuple(WORD.findall(rule["pattern"].lower()))
            if words:
                phrases.setdefault(words, rule["id"])
    return phrases, max((len(p) for p in phrases), default=0)


def _longest_term(words: List[str]) -> Tuple[Optional[str], str]:
    """The vocabulary list of the longest term in `words` (the first of equally long ones), and the term."""
    phrases, longest = _vocabulary()
    best: Tuple[int, Optional[str], str] = (0, None, "")
    for start in range(len(words)):
        for size in range(min(longest, len(words) - start), best[0], -1):
            term = tuple(words[start:start + size])
            if term in phrases:
                best = (size, phrases[term], " ".join(term))
                break
    return best[1], best[2]


@lru_cache(maxsize=65536)  # batches repeat item names ("Norco 10/325mg #60"): look each up once
def treatment_category(item: str) -> str:
    """One of CATEGORIES for a disputed item's text."""
    vocab, term = _longest_term(WORD.findall(item.lower()))
    if vocab == "procedures":
        return "injection" if INJECTION.search(item) else "therapy" if THERAPY_TERM.search(term) else "surgery"
    if vocab:
        return VOCAB_CATEGORIES[vocab]
    return next((category for category, keywords in FALLBACK if keywords.search(item)), "other")
