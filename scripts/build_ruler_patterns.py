"""Compile the vocabulary lists in corpus/vocab/ into the entity ruler's JSONL patterns.

    python scripts/build_ruler_patterns.py corpus/vocab pipeline/data/ruler_patterns.jsonl

Each list becomes token patterns for one label, with the modifiers letters attach after the term:
spinal levels after a procedure ("ESI at L4-5"); strength,
unit and quantity after a drug ("Norco 10/325mg #60"); frequency after a therapy ("x 12
sessions"); the site after an imaging study ("MRI of the lumbar spine"); the edition year after
a guideline title. Short all-capital terms (PT, CT, L) match case-sensitively. The words that
modify a term from the left (side, site words, spinal levels) go to entity_modifiers.json for the
imr_entity_modifiers component.
"""
from pathlib import Path
from typing import Dict, Iterator, List

import spacy
import srsly
import typer

LEVEL = r"^(?:[CTLS]\d{1,2}(?:-\d{1,2})?|[CTLS]\d{1,2}[-/][CTLS]\d{1,2})$"
MODIFIERS_FILE = "entity_modifiers.json"
LEVEL_JOIN = ["-", "to", "through", "/", "–"]
NUMBER = r"^\d+(?:[.,/-]\d+)*(?:%|mg|mcg|g|gm|ml)?$"
STRENGTH_UNITS = ["mg", "mcg", "g", "gm", "ml", "%", "mg/ml", "units", "cc"]
FREQUENCY_WORDS = ["x", "times", "visits", "sessions", "session", "visit", "weeks", "week", "a",
                   "per", "for", "twice", "once", "days", "day", "months", "month", "over"]
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


def read_terms(path: Path) -> List[str]:
    lines = path.read_text(encoding="utf8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def build_ruler_patterns(vocab_dir: Path, output: Path) -> int:
    """Write the patterns; returns how many."""
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
            tokens = [_token(token.text) for token in nlp(term)]
            for pattern in _variants(name, tokens, site_words):
                key = (label, srsly.json_dumps(pattern))
                if key not in seen:
                    seen.add(key)
                    patterns.append({"label": label, "pattern": pattern, "id": Path(name).stem})
    patterns.extend(_level_patterns())
    patterns.extend(_regulation_patterns())
    output.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(output, patterns)
    srsly.write_json(output.parent / MODIFIERS_FILE, {"site_words": site_words, "level_pattern": LEVEL})
    return len(patterns)


def _token(text: str) -> Dict:
    if text.isupper() and len(text) <= 3 or text in {"L", "R"}:
        return {"ORTH": text}
    return {"LOWER": text.lower()}


def _variants(name: str, tokens: List[Dict], site_words: List[str]) -> Iterator[List[Dict]]:
    """The term and its right-hand modifiers. Left-hand modifiers (side, site words, levels) are
    added by the imr_entity_modifiers component: patterns that start with a common word make the
    matcher try every pattern at every token."""
    sites = {"LOWER": {"IN": site_words}, "OP": "+"}
    level = {"TEXT": {"REGEX": LEVEL}}
    if name == "anatomy.txt":
        yield tokens + [{"LOWER": {"IN": ["muscle", "muscles", "musculature", "region", "area"]}, "OP": "?"}]
        return
    yield tokens
    if name in ("procedures.txt", "diagnostics.txt"):
        yield tokens + [{"LOWER": {"IN": ["of", "to", "for"]}}, {"LOWER": "the", "OP": "?"}, sites]
        yield tokens + [{"LOWER": {"IN": ["at", "of"]}}, {"LOWER": {"IN": ["the", "bilateral", "left", "right"]}, "OP": "?"},
                        level, {"LOWER": {"IN": [",", "and", "to", "-", "through"]}, "OP": "?"},
                        {"TEXT": {"REGEX": LEVEL}, "OP": "?"}]
    elif name == "drugs.txt":
        yield tokens + [{"TEXT": {"REGEX": NUMBER}}, {"LOWER": {"IN": STRENGTH_UNITS}, "OP": "?"},
                        {"LOWER": {"IN": ["tablet", "tablets", "tab", "tabs", "capsule", "capsules", "cap", "caps",
                                          "patch", "patches", "cream", "gel", "er", "xr", "sr", "cr", "odt"]}, "OP": "?"},
                        {"ORTH": "#", "OP": "?"}, {"TEXT": {"REGEX": r"^\d+$"}, "OP": "?"}]
    elif name in ("therapies.txt", "programs.txt"):
        yield tokens + [{"LOWER": {"IN": ["x", "times", "for"]}}, {"TEXT": {"REGEX": r"^\d+$"}},
                        {"LOWER": {"IN": FREQUENCY_WORDS}, "OP": "*"}]
        yield tokens + [{"TEXT": {"REGEX": r"^\d+(?:-\d+)?$"}}, {"LOWER": {"IN": ["times", "x"]}},
                        {"LOWER": {"IN": FREQUENCY_WORDS}, "OP": "*"}, {"TEXT": {"REGEX": r"^\d+$"}, "OP": "?"},
                        {"LOWER": {"IN": ["weeks", "week", "visits", "sessions"]}, "OP": "?"}]
    elif name == "exam_tests.txt":
        yield tokens + [{"LOWER": {"IN": ["test", "tests", "sign", "signs", "maneuver"]}}]
    elif name == "guidelines.txt":
        yield tokens + [{"TEXT": {"REGEX": r"^(?:19|20)\d\d$"}}]
        yield [{"ORTH": "MTUS"}] + tokens + [{"TEXT": {"REGEX": r"^(?:19|20)\d\d$"}, "OP": "?"}]


def _level_patterns() -> List[Dict]:
    level = {"TEXT": {"REGEX": LEVEL}}
    return [
        {"label": "ANATOMY", "pattern": [level], "id": "spinal_levels"},
        {"label": "ANATOMY", "pattern": [level, {"ORTH": {"IN": LEVEL_JOIN}}, level], "id": "spinal_levels"},
    ]


def _regulation_patterns() -> List[Dict]:
    section = {"TEXT": {"REGEX": r"^97\d\d(?:\.\d+)*(?:\([a-z0-9]+\))*$"}}
    ccr = {"LOWER": {"IN": ["c.c.r.", "ccr", "c.c.r", "cal.", "§"]}, "OP": "+"}
    return [
        {"label": "GUIDELINE", "pattern": [{"ORTH": "8", "OP": "?"}, ccr, {"ORTH": "§", "OP": "?"}, section], "id": "regulations"},
        {"label": "GUIDELINE", "pattern": [{"LOWER": {"IN": ["section", "sections", "§"]}}, section], "id": "regulations"},
        {"label": "GUIDELINE", "pattern": [{"LOWER": "labor"}, {"LOWER": "code"}, {"ORTH": {"IN": ["§", "section"]}, "OP": "?"},
                                           {"TEXT": {"REGEX": r"^46\d\d(?:\.\d+)?(?:\([a-z0-9]+\))*$"}}], "id": "regulations"},
    ]


def main(vocab_dir: Path = typer.Argument(Path("corpus/vocab")),
         output: Path = typer.Argument(Path("pipeline/data/ruler_patterns.jsonl"))):
    count = build_ruler_patterns(vocab_dir, output)
    typer.echo(f"{count} patterns -> {output}")


if __name__ == "__main__":
    typer.run(main)
