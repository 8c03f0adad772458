"""Compile the vocabulary lists in corpus/vocab/ into the entity ruler's patterns.

    python scripts/build_ruler_patterns.py corpus/vocab pipeline/data

Writes two package data files:
- ruler_patterns.jsonl: one phrase pattern per term, so spaCy's PhraseMatcher finds them by hash
  whatever their number. Most match on LOWER; the short capitalised terms that must match
  case-sensitively (PT, CT, L) are marked "case_sensitive" and go to a second ruler matching on
  ORTH (as token patterns they cost the Matcher ten times the rest of the ruler), as do the spinal
  levels, enumerated. Token patterns only for regulation sections. Each pattern's id names its
  list, which tells the modifiers step what may follow the term.
- entity_modifiers.json: the words that extend an entity, read by the imr_entity_modifiers
  component: site words and spinal levels to the left ("Left index finger fracture",
  "C4-C7 paraspinal muscles"), and per list what may follow on the right (strength and quantity
  after a drug, frequency after a therapy, site or level after a procedure, year after a guideline),
  and the words of the guide's boundaries for every entity (BOUNDARIES).
"""
from pathlib import Path
from typing import Dict, List

import spacy
import srsly
import typer

from spacy_imr.letter_tokenizer import SPINE_SEGMENTS

RULER_PATTERNS_FILE = "ruler_patterns.jsonl"
MODIFIERS_FILE = "entity_modifiers.json"
LEVEL = r"^(?:[CTLS]\d{1,2}(?:-\d{1,2})?|[CTLS]\d{1,2}[-/][CTLS]\d{1,2})$"
LEVEL_JOIN = ["-", "to", "through", "/", "–"]
# the tokenizer's segments and the lower sacral ones, which it need not keep whole
SEGMENTS = SPINE_SEGMENTS + ["S3", "S4", "S5"]
# Site words seen before a diagnosis head that are too generic to be anatomy entities on their own.
EXTRA_SITE_WORDS = ["eye", "face", "head", "back", "spine", "disc", "joint", "low", "upper", "lower",
                    "cervical", "thoracic", "lumbar", "lumbosacral", "sacral", "bilateral", "left",
                    "right", "multilevel", "multiple", "chronic", "acute", "internal", "derangement", "patellar"]
LABEL_FILES = {
    "anatomy.txt": "ANATOMY",
    "diagnosis_heads.txt": "DIAGNOSIS",
    "exam_signs.txt": "EXAM_FINDING",
    "exam_tests.txt": "EXAM_FINDING",
    "guidelines.txt": "GUIDELINE",
    "drugs.txt": "TREATMENT",
    "procedures.txt": "TREATMENT",
    "diagnostics.txt": "TREATMENT",
    "dme.txt": "TREATMENT",
    "therapies.txt": "TREATMENT",
    "programs.txt": "TREATMENT",
    "consults.txt": "TREATMENT",
    "decision_phrases.txt": "DECISION",
}
# What may follow a term of each list (see spacy_imr.entity_modifiers).
RIGHT_MODIFIERS = {
    "anatomy": "muscle_word",
    "drugs": "strength",
    "therapies": "frequency",
    "programs": "frequency",
    "procedures": "site_or_level",
    "diagnostics": "site_or_level",
    "exam_tests": "test_word",
    "guidelines": "year",
}
# The guide's boundaries for every entity (spacy_imr.entity_boundaries): words a span may not end on,
# severity words a diagnosis leaves out (regular expressions, the longer first), counts a therapy
# takes in, the words that make a site a diagnosis ("left elbow pain").
BOUNDARIES = {
    "trailing_words": ["with", "into", "and", "or", "of", "the", "for", "to", "at", "in", "on", "a", "an", "by", "from",
                       "as", "than", "that"],
    "severity_words": [r"mild[- ]to[- ]moderate", r"moderate[- ]to[- ]severe", "mild", "moderate", "severe", "minimal",
                       "minor", "small", "large", "marked", "significant", "unspecified", r"grade\s+(?:\d+|[IVX]+)"],
    "count_words": ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                    "fourteen", "sixteen", "eighteen", "twenty", "twenty-four"],
    "count_qualifiers": ["additional", "more", "further", "prior", "previous", "initial", "remaining", "supervised",
                         r"post-?operative"],
    "therapy_heads": ["physical therapy", "PT", "occupational therapy", "OT", "chiropractic", "acupuncture",
                      "aquatic therapy", "massage", "cognitive behavioral", "CBT", "psychotherapy", "sessions", "visits",
                      "treatments"],
    "therapy_units": ["sessions", "visits", "treatments"],
    # words before a treatment that the train and dev gold leave out of it (2 of 142 inside; no article of
    # 992): "a trial of", "continued", "prior", "additional" with no count before it (the count rule takes
    # that in)
    "treatment_lead_words": ["initiation of", "continuation of", "disposal of", "additional", "random", "official",
                             "prior", "previous", "continued", "ongoing", "further", "a trial of", "trial of",
                             "retrospective", "concurrent", "a", "an", "the"],
    # a parenthesis after a treatment that holds one of these, a count word or a therapy unit says how much,
    # and is no other name: "Deprizine (unknown quantity)", "physical therapy (six visits)" (16 train and dev
    # gold treatments keep it inside)
    "quantity_words": ["quantity", "unknown", "unspecified", "amount"],
    "pain_words": ["pain"],
    # guide rule 10, and the words the train gold never marks alone as a treatment
    "generic_treatments": ["surgery", "surgical intervention", "conservative care", "conservative treatment",
                           "conservative management", "medications", "medication", "medication management", "therapy",
                           "imaging", "advanced imaging", "diagnostic studies", "treatment", "treatments", "modalities",
                           "treatment modalities", "pain management", "operative treatment", "psychological treatment",
                           "physical examination", "physical examinations", "follow-up", "follow up", "modified duty",
                           "modified duties", "modified work", "work restrictions"],
}


def read_terms(path: Path) -> List[str]:
    lines = path.read_text(encoding="utf8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def is_case_sensitive(term: str) -> bool:
    return any(word.isupper() and len(word) <= 3 for word in term.split()) or term in {"L", "R"}


def build_ruler_patterns(vocab_dir: Path, output_dir: Path) -> int:
    """Write both files; returns the number of patterns."""
    from spacy_imr.letter_tokenizer import spinal_level_special_cases

    nlp = spacy.blank("en")
    for text, case in spinal_level_special_cases().items():
        nlp.tokenizer.add_special_case(text, case)
    vocab = {name: read_terms(vocab_dir / name) for name in LABEL_FILES}
    laterality = sorted({term.lower() for term in read_terms(vocab_dir / "laterality.txt") if len(term) > 2})
    site_words = sorted({
        token.lower_ for term in vocab["anatomy.txt"] for token in nlp(term) if token.is_alpha and len(token) > 2
    } | set(EXTRA_SITE_WORDS) | set(laterality))
    patterns: List[Dict] = []
    seen = set()
    for name, label in LABEL_FILES.items():
        for term in vocab[name]:
            case_sensitive = is_case_sensitive(term)
            pattern = term if case_sensitive else term.lower()
            key = (label, pattern, case_sensitive)
            if key not in seen:
                seen.add(key)
                entry = {"label": label, "pattern": pattern, "id": Path(name).stem}
                patterns.append({**entry, "case_sensitive": True} if case_sensitive else entry)
    patterns.extend(_level_patterns())
    patterns.extend(_regulation_patterns())
    output_dir.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(output_dir / RULER_PATTERNS_FILE, patterns)
    srsly.write_json(output_dir / MODIFIERS_FILE, {
        "site_words": site_words, "level_pattern": LEVEL, "right": RIGHT_MODIFIERS, "boundaries": BOUNDARIES})
    return len(patterns)


def _level_patterns() -> List[Dict]:
    """Every spinal segment and range as the letters write them ("C5", "L4-5", "L5-S1", "C4/C7",
    "C3 through C7"), as case-sensitive phrases. A token pattern with a REGEX predicate would have
    the Matcher call Python on every token of every letter."""
    texts = set(SEGMENTS)
    for index, upper in enumerate(SEGMENTS):
        for lower in SEGMENTS[index + 1:]:
            if lower[0] == upper[0]:
                texts.add(f"{upper}-{lower[1:]}")
            texts.update(f"{upper}{join}{lower}" for join in ("-", "/"))
            texts.update(f"{upper} {join} {lower}" for join in LEVEL_JOIN)
    return [{"label": "ANATOMY", "pattern": text, "id": "spinal_levels", "case_sensitive": True}
            for text in sorted(texts)]


def _regulation_patterns() -> List[Dict]:
    """CCR and Labor Code sections. Each pattern starts on an exact word, so the Matcher tries the
    section number's predicate only after one."""
    section = {"TEXT": {"REGEX": r"^97\d\d(?:\.\d+)*(?:\([a-z0-9]+\))*$"}}
    ccr_words = ["c.c.r.", "ccr", "c.c.r", "cal.", "§"]
    more_ccr = {"LOWER": {"IN": ccr_words}, "OP": "*"}
    section_sign = {"ORTH": "§", "OP": "?"}
    patterns = [[{"ORTH": "8"}, {"LOWER": {"IN": ccr_words}}, more_ccr, section_sign, section]]
    patterns += [[{"LOWER": word}, more_ccr, section_sign, section] for word in ccr_words]
    patterns += [[{"LOWER": word}, section] for word in ("section", "sections", "§")]
    patterns.append([{"LOWER": "labor"}, {"LOWER": "code"}, {"ORTH": {"IN": ["§", "section"]}, "OP": "?"},
                     {"TEXT": {"REGEX": r"^46\d\d(?:\.\d+)?(?:\([a-z0-9]+\))*$"}}])
    return [{"label": "GUIDELINE", "pattern": pattern, "id": "regulations"} for pattern in patterns]


def main(vocab_dir: Path = typer.Argument(Path("corpus/vocab")),
         output_dir: Path = typer.Argument(Path("pipeline/data"))):
    count = build_ruler_patterns(vocab_dir, output_dir)
    typer.echo(f"{count} patterns -> {output_dir / RULER_PATTERNS_FILE}")


if __name__ == "__main__":
    typer.run(main)
