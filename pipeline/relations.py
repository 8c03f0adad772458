"""The relation step: links each disputed item to its decision, its rationale and the guidelines
each party cites, and findings, diagnoses and treatments to their sites.

Candidates are typed pairs that stand in the same item region (the item's heading, guideline lines
and rationale, from doc._.item_blocks) or within a window of sentences; for HAS_DECISION also an item
heading and a decision said of a mention that names it, wherever that stands. Each relation label has
a classifier over pair features (distance, order, sentences and regions, intervening
entities, the words between, whether the head is the item and the child the nearest of its kind;
for decisions, which TREATMENT mentions the phrase is said of and whether they name the head, by
layout; for sites, the words at the ends of the pair, the finding's last word, whether the site is
written onto another finding ("lumbar flexion") and, for the movements of a range of motion, whether
the site opens the sentence, is the nearest one or is written onto a "range of motion"; for rationales and guidelines, whether a
decision is said of the head; for guidelines, whether imr_guideline_citations made a citation of the
mention, in doc.spans["citations"]): a logistic regression, or gradient-boosted trees where these
score better on dev.
Its fitted parameters (weights or tree nodes, threshold and sentence window chosen on dev) are plain
JSON, saved with the pipeline; nothing is pickled.
Predictions go to doc._.relations.
"""
import bisect
import math
import re
from collections import defaultdict
from functools import lru_cache
from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy
import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import SimpleFrozenList, ensure_path

from .errors import Errors
from .intervals import Intervals
from .item_names import item_name, name_stems, named_item
from .text_alignment import SENTENCE_BREAK, doc_text
from .values import Relation

# tuples, not sets: the order of the output must not depend on the process's string hashing
RELATION_TYPES = {
    "HAS_DECISION": (("TREATMENT",), ("DECISION",)),
    "HAS_RATIONALE": (("TREATMENT",), ("RATIONALE",)),
    "CITES": (("TREATMENT",), ("GUIDELINE",)),
    "LOCATED_AT": (("EXAM_FINDING", "DIAGNOSIS", "TREATMENT"), ("ANATOMY",)),
}
CHILD_LABELS = tuple(label for _, children in RELATION_TYPES.values() for label in children)
PARAMETERS_FILE = "relation_model.json"
WORD = re.compile(r"[a-z]+")
_RECOMMENDATION = re.compile(r"recommendation\b", re.I)
# a decision whose subject follows it: "the prior denial is overturned for X", "upheld the denial of the requested X"
_SUBJECT_FOLLOWS = re.compile(r"\s+(?:for|of)\s+(?:the\s+)?(?:requested\b|request\s+for\b)?", re.I)
# where the subject that follows a decision ends: the clause's end, or a clause giving the reason ("upheld
# the denial of the requested lumbar fusion, as the criteria for fusion have not been met")
_CLAUSE_AFTER_SUBJECT = re.compile(r";|,\s*(?:as(?!\s+well\b)|because|since|given|which|who|while|although|though|but)\b"
                                   r"|\s(?:because|since)\s", re.I)
# where a determination's subject starts: "the request for X is ..." ("Now that the decompression is
# supported, the request for 12 visits is certified" decides the visits only)
_REQUEST_FOR = re.compile(r"\brequests?\s+for\b", re.I)
# the words right before a guideline mention: "which is part of the MTUS" cites nothing
_LEAD_WORDS = re.compile(r"((?:[A-Za-z]+\W{1,3}){1,3})$")
# "for the epidural injection", "to the surgical request", up to the phrase's end
_PURPOSE = re.compile(r"\b(?:for|to)\s+(?P<items>(?!the\s+(?:MTUS|use|treatment\s+of)\b)[^,;.]{3,80}?)(?=,|;|\.(?:\s|$)|\s+and\s+(?:on|the|for)\b|$)",
                      re.IGNORECASE)
# "the MTUS", "CA-MTUS guidelines": the MTUS as a whole
_WHOLE_MTUS = re.compile(r"(?:the\s+)?(?:CA[- ]?|California\s+)?(?:MTUS|Medical\s+Treatment\s+Utilization\s+Schedule)(?:\s+guidelines?)?",
                         re.IGNORECASE)
_EVERY = re.compile(r"(?:all|both|each|every)\b", re.IGNORECASE)
_COORDINATION = re.compile(r"\s*(?:,\s*(?:(?:and|or)\s+)?|(?:and|or|&|/)\s*)", re.I)


class Mention:
    """A span as the pair features read it. A letter's few hundred spans stand in thousands of
    candidate pairs, so what a feature needs of a span (its bounds, sentence, item regions, whether
    it is an item heading, its party) is read once here, not once per pair."""

    __slots__ = ("span", "label", "start", "end", "start_char", "end_char", "sentence", "regions", "is_item",
                 "party_feature", "shape", "stems", "whole_mtus")

    def __init__(self, span: Span, context: "PairContext"):
        self.span = span
        self.label = span.label_
        self.start, self.end = span.start, span.end
        self.start_char, self.end_char = span.start_char, span.end_char
        self.sentence = context.sentence(self.start_char)
        self.regions = context.regions_of(self.start_char)
        # an item heading, give or take a character at either end
        self.is_item = (self.start_char, self.end_char) in context.item_bounds
        if self.label in CHILD_LABELS:
            self.party_feature = _party_feature(context.party(self.start_char))
            self.shape = f"child_text={_shape(span, context)}"
        self.stems = name_stems(span.text) if self.label == "TREATMENT" else frozenset()
        # a mention of the MTUS as a whole, not of one of its guidelines
        self.whole_mtus = self.label == "GUIDELINE" and _WHOLE_MTUS.fullmatch(span.text) is not None

    @property
    def text(self) -> str:
        return self.span.text


class PairContext:
    """What the features need to know about one doc: its entities, sentences and item regions."""

    def __init__(self, doc: Doc, rationales: Sequence[Span]):
        self.text = doc_text(doc)
        self.sentence_starts = [0] + [m.end() for m in SENTENCE_BREAK.finditer(self.text)]
        blocks = doc._.item_blocks or []
        # an item named only in its determination sentence is a mention the decision is said of, as in
        # the professional reviews (layout C), not a heading
        self.items = {block.item for block in blocks if block.origin != "prose"}
        self.item_bounds = {(start + ds, end + de) for start, end in self.items for ds in (0, -1, 1) for de in (0, -1, 1)}
        self.regions = Intervals((part[0], part[1], index) for index, block in enumerate(blocks)
                                 for part in (block.item, block.block, block.rationale, block.claims_administrator,
                                              block.reviewer, block.decision_text) if part)
        self._regions_of: Dict[int, set] = {}
        self.statements = Intervals((s.start_char, s.end_char, (order, s.label_))
                                    for order, s in enumerate(doc.spans.get("guideline_statements", [])))
        self.rationale_bounds = Intervals((s.start_char, s.end_char, True) for s in rationales)
        self.citations = Intervals((s.start_char, s.end_char, True) for s in doc.spans.get("citations", []))
        self._party: Dict[int, Optional[str]] = {}
        self.spans: Dict[str, List[Mention]] = defaultdict(list)
        for ent in doc.ents:
            self.spans[ent.label_].append(Mention(ent, self))
        self.spans["RATIONALE"] = [Mention(span, self) for span in rationales]
        self.ent_token_starts = {label: [m.start for m in mentions] for label, mentions in self.spans.items()
                                 if label != "RATIONALE"}
        self._starts: Dict[str, List[int]] = {}
        self._starts_char: Dict[str, List[int]] = {}
        self.layout = decision_layout(doc._.layout, blocks)
        self.item_names = {item_name(self.text[start:end]): (start, end) for start, end in self.items}
        self.items_by_stem: Dict[str, set] = defaultdict(set)
        for start, end in self.items:
            for stem in name_stems(self.text[start:end]):
                self.items_by_stem[stem].add((start, end))
        self._clauses: Dict[int, Tuple[FrozenSet[str], FrozenSet[str]]] = {}
        self._purposes: Dict[int, Tuple[str, FrozenSet[str]]] = {}
        self._items_named: Dict[FrozenSet[str], FrozenSet[Tuple[int, int]]] = {}
        self._groups: Dict[Tuple[str, int], Tuple[int, int]] = {}
        self._attached: Dict[int, Optional[int]] = {}
        self._subjects: Dict[int, Tuple[int, ...]] = {}
        self._subject_items: Dict[int, set] = {}
        self._named: Dict[int, Optional[Tuple[int, int]]] = {}
        self._decided: Optional[set] = None
        self._nearest: Dict[Tuple[str, int], Optional[int]] = {}
        self._words_before: Dict[int, str] = {}
        self._words_after: Dict[int, str] = {}
        self._lead_words: Dict[int, str] = {}
        self._sentence_counts: Dict[Tuple[str, int], int] = {}

    def subjects(self, decision: Mention) -> Tuple[int, ...]:
        """Starts (char) of the TREATMENT mentions a DECISION phrase is said of: those between the
        phrase and the last of the sentence's start, its previous decision, a ';' and "request(s) for"
        ("the requests for X and Y are not medically necessary"); or, for "Recommendation is for
        non-certification of X" and a phrase that "for" or "of" follows ("the prior denial is overturned
        for X", "upheld the denial of the requested X"), those after it up to the sentence's next
        decision, ';', a clause giving a reason (", as ...", ", because ...") or end."""
        key = decision.start_char
        if key not in self._subjects:
            start, end = self.sentence_bounds(self.sentence(decision.start_char))
            decisions = [d for d in self._in_chars("DECISION", start, end) if d.start_char != key]
            treatments = self._in_chars("TREATMENT", start, end)
            recommendation = _RECOMMENDATION.match(decision.text) is not None
            found = []
            if recommendation or _SUBJECT_FOLLOWS.match(self.text, decision.end_char):
                clause_end = _CLAUSE_AFTER_SUBJECT.search(self.text, decision.end_char, end)
                stop = min([d.start_char for d in decisions if d.start_char > key]
                           + [end if clause_end is None else clause_end.start()])
                found = [t.start_char for t in treatments if decision.end_char <= t.start_char < stop]
            if not found and not recommendation:
                requests = [m.start() for m in _REQUEST_FOR.finditer(self.text, start, decision.start_char)]
                floor = max([d.end_char for d in decisions if d.end_char <= key]
                            + [start, self.text.rfind(";", start, decision.start_char) + 1] + requests[-1:])
                found = [t.start_char for t in treatments if floor <= t.start_char and t.end_char <= key]
            self._subjects[key] = tuple(found)
        return self._subjects[key]

    def clause_stems(self, guideline: Mention) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """The item words of a guideline mention's clause (between ';' and sentence ends) before the
        mention, and after it up to the next guideline: "the Postsurgical Treatment Guidelines for the
        therapy request; ACOEM, Chapter 9, for the arthrogram and the injection" ties each source to
        its items where one statement speaks for several."""
        key = guideline.start_char
        if key not in self._clauses:
            start, after_end = self._guideline_clause(guideline)
            self._clauses[key] = (name_stems(self.text[start:guideline.start_char]),
                                  name_stems(self.text[guideline.end_char:after_end]))
        return self._clauses[key]

    def purpose(self, guideline: Mention) -> Tuple[str, FrozenSet[str]]:
        """The first "for/to <items>" phrase after a guideline mention, before the clause's next
        guideline: "ACOEM, Chapter 12, page 300, for the epidural injection, on the ODG ..." gives ACOEM
        the injection alone where the clause names more items. ("all", stems) where the phrase speaks
        of every request ("for all three requests", "for both studies")."""
        key = guideline.start_char
        if key not in self._purposes:
            match = _PURPOSE.search(self.text, guideline.end_char, self._guideline_clause(guideline)[1])
            if match is None:
                self._purposes[key] = ("none", frozenset())
            else:
                phrase = match.group("items")
                self._purposes[key] = ("all" if _EVERY.match(phrase) else "items", name_stems(phrase))
        return self._purposes[key]

    def _guideline_clause(self, guideline: Mention) -> Tuple[int, int]:
        """Where a guideline mention's clause starts (the sentence's start or its last ';' before the
        mention), and where the words after the mention that are its own end: the next guideline
        mention, ';' or the sentence's end."""
        start, end = self.sentence_bounds(guideline.sentence)
        start = max(start, self.text.rfind(";", start, guideline.start_char) + 1)
        stop = self.text.find(";", guideline.end_char, end)
        end = stop if stop >= 0 else end
        following = self._in_chars("GUIDELINE", guideline.end_char, end)
        return start, (following[0].start_char if following else end)

    def items_named(self, stems: FrozenSet[str]) -> FrozenSet[Tuple[int, int]]:
        """The item headings that share a word with `stems`, kept per set of words: the pairs of one
        guideline clause ask with the same words, and a letter of 21 items has thousands of pairs."""
        if stems not in self._items_named:
            self._items_named[stems] = frozenset(item for stem in stems for item in self.items_by_stem.get(stem, ()))
        return self._items_named[stems]

    def decided_mentions(self) -> set:
        """Starts of the TREATMENT mentions some DECISION phrase is said of."""
        if self._decided is None:
            self._decided = {start for decision in self.spans.get("DECISION", []) for start in self.subjects(decision)}
        return self._decided

    def _in_chars(self, label: str, start: int, end: int) -> List[Mention]:
        spans = self.spans.get(label, [])
        starts = self._starts_char.get(label)
        if starts is None:
            starts = self._starts_char[label] = [span.start_char for span in spans]
        return spans[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)]

    def named_item(self, span: Mention) -> Optional[Tuple[int, int]]:
        """The item heading that a mention names (see `named_item`)."""
        if span.start_char not in self._named:
            self._named[span.start_char] = named_item(item_name(self.text[span.start_char:span.end_char]),
                                                      self.item_names)
        return self._named[span.start_char]

    def subject_items(self, decision: Mention) -> set:
        """The item headings that the mentions a DECISION phrase is said of name (None for one that
        names none)."""
        if decision.start_char not in self._subject_items:
            self._subject_items[decision.start_char] = {self.named_item(self.spans_at(start))
                                                        for start in self.subjects(decision)}
        return self._subject_items[decision.start_char]

    def count_between(self, label: str, start: int, end: int) -> int:
        """How many entities of `label` lie wholly inside tokens [start, end), counted without a walk
        over them: entities do not overlap, so only the last one starting before `end` can cross it."""
        ents = self.spans.get(label, []) if label in self.ent_token_starts else []
        starts = self.ent_token_starts.get(label, [])
        first, last = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        return max(0, last - first - (1 if last > first and ents[last - 1].end > end else 0))

    def sentence_bounds(self, sentence: int) -> Tuple[int, int]:
        """Character start and end of a sentence, by its number."""
        starts = self.sentence_starts
        return starts[sentence], starts[sentence + 1] if sentence + 1 < len(starts) else len(self.text)

    def sentence(self, offset: int) -> int:
        return bisect.bisect_right(self.sentence_starts, offset) - 1

    def sentence_count(self, label: str, sentence: int) -> int:
        """How many entities of `label` start in the sentence."""
        key = (label, sentence)
        if key not in self._sentence_counts:
            self._sentence_counts[key] = len(self._in_chars(label, *self.sentence_bounds(sentence)))
        return self._sentence_counts[key]

    def nearest(self, label: str, token: int) -> Optional[int]:
        """Start of the span of `label` nearest to the token (the earlier one on a tie)."""
        key = (label, token)
        if key not in self._nearest:
            self._nearest[key] = self._find_nearest(label, token)
        return self._nearest[key]

    def _token_starts(self, label: str) -> List[int]:
        starts = self._starts.get(label)
        if starts is None:
            starts = self._starts[label] = [span.start for span in self.spans.get(label, [])]
        return starts

    def group(self, mention: Mention) -> Tuple[int, int]:
        """Token bounds of the coordination a mention stands in: the mentions of its label joined to it
        by ',', 'and', 'or' or '/' ("burning, numbness, and pain down both legs"; "the wrist and
        fingers"), whose members share what the coordination is said of."""
        key = (mention.label, mention.start)
        if key not in self._groups:
            mentions = self.spans[mention.label]
            first = last = bisect.bisect_left(self._token_starts(mention.label), mention.start)
            while first > 0 and self._coordinated(mentions[first - 1], mentions[first]):
                first -= 1
            while last + 1 < len(mentions) and self._coordinated(mentions[last], mentions[last + 1]):
                last += 1
            self._groups[key] = (mentions[first].start, mentions[last].end)
        return self._groups[key]

    def _coordinated(self, left: Mention, right: Mention) -> bool:
        gap = self.text[left.end_char:right.start_char]
        return 0 < len(gap) <= 8 and _COORDINATION.fullmatch(gap) is not None

    def attached_to(self, site: Mention) -> Optional[int]:
        """Character start of the finding, diagnosis or treatment a site is written onto, right after
        it: "lumbar" in "lumbar flexion", "left knee" in "left knee range of motion"."""
        if site.start_char not in self._attached:
            heads = RELATION_TYPES["LOCATED_AT"][0]
            after = [m for label in heads for m in self._in_chars(label, site.end_char, site.end_char + 3)]
            attached = after[0].start_char if after and not self.text[site.end_char:after[0].start_char].strip() else None
            self._attached[site.start_char] = attached
        return self._attached[site.start_char]

    def _find_nearest(self, label: str, token: int) -> Optional[int]:
        starts = self._token_starts(label)
        index = bisect.bisect_left(starts, token)
        before = starts[index - 1] if index > 0 else None
        after = starts[index] if index < len(starts) else None
        if before is None or (after is not None and after - token < token - before):
            return after
        return before

    def spans_at(self, start_char: int) -> Mention:
        """The TREATMENT entity starting at the character."""
        return self._in_chars("TREATMENT", start_char, start_char + 1)[0]

    def regions_of(self, offset: int) -> set:
        """The items whose region (heading, block, statements, rationale) holds the offset."""
        if offset not in self._regions_of:
            self._regions_of[offset] = set(self.regions.containing(offset))
        return self._regions_of[offset]

    def word_before(self, offset: int) -> str:
        if offset not in self._words_before:
            self._words_before[offset] = _last_word(self.text, offset)
        return self._words_before[offset]

    def lead_words(self, offset: int) -> str:
        """Up to three words right before the offset (within 32 characters), joined by '_'."""
        if offset not in self._lead_words:
            match = _LEAD_WORDS.search(self.text, max(0, offset - 32), offset)
            self._lead_words[offset] = "_".join(WORD.findall(match.group(1).lower())) if match else ""
        return self._lead_words[offset]

    def word_after(self, offset: int) -> str:
        if offset not in self._words_after:
            self._words_after[offset] = _first_word(self.text, offset)
        return self._words_after[offset]

    def party(self, offset: int) -> Optional[str]:
        if offset not in self._party:
            self._party[offset] = self._find_party(offset)
        return self._party[offset]

    def _find_party(self, offset: int) -> Optional[str]:
        statements = self.statements.containing(offset)
        if statements:
            return min(statements)[1]  # the first statement in the group's order
        if self.rationale_bounds.containing(offset):
            return "reviewer"
        return None


def decision_layout(layout: Optional[str], blocks: Sequence) -> str:
    """The layout as the pair features read it: a letter of any layout whose decisions stand only in
    prose sentences (no item headings, issue list or numbered determinations) reads as a professional
    review ("C"), whose items the relation step also finds in the sentences that decide them."""
    if layout not in ("C", "0") and all(block.origin == "prose" for block in blocks):
        return "C"
    return layout or "unknown"


def candidates(context: PairContext, label: str, window: int) -> Iterator[Tuple[Mention, Mention]]:
    """Typed pairs in the same item region (not for LOCATED_AT) or within `window` sentences; the heads of
    HAS_DECISION, HAS_RATIONALE and CITES are item headings and the mentions decisions are said of."""
    heads, children = RELATION_TYPES[label]
    by_region: Dict[int, List[Mention]] = defaultdict(list)
    by_sentence: Dict[int, List[Mention]] = defaultdict(list)
    for child_label in children:
        for child in context.spans.get(child_label, []):
            by_sentence[child.sentence].append(child)
            for region in child.regions:
                by_region[region].append(child)
    named: Dict[Tuple[int, int], List[Mention]] = defaultdict(list)
    if label == "HAS_DECISION":
        # a decision said of a mention that names an item heading, wherever it stands ("The MRI of the
        # left ankle is not medically necessary" in the block before the MRI's own)
        for child in context.spans.get("DECISION", []):
            for start in context.subjects(child):
                item = context.named_item(context.spans_at(start))
                if item is not None:
                    named[item].append(child)
    # an item's decision, rationale and citations hang on its heading, or in prose on the mention a
    # decision is said of: all 3,190 such gold relations of train and dev do, and other heads made 71%
    # of these labels' candidates
    item_heads = label != "LOCATED_AT"
    for head_label in heads:
        for head in context.spans.get(head_label, []):
            if item_heads and not (head.is_item or head.start_char in context.decided_mentions()):
                continue
            sentence = head.sentence
            near = [c for s in range(sentence - window, sentence + window + 1) for c in by_sentence.get(s, [])]
            regional = [] if label == "LOCATED_AT" else [c for r in head.regions for c in by_region[r]]
            seen = set()
            for child in near + regional + named.get((head.start_char, head.end_char), []):
                key = (child.start_char, child.end_char)
                if key in seen or key == (head.start_char, head.end_char):
                    continue
                seen.add(key)
                yield head, child


def pair_features(context: PairContext, head: Mention, child: Mention) -> Dict[str, float]:
    head_label, child_label = head.label, child.label
    before = head.start <= child.start
    gap_start, gap_end = (head.end, child.start) if before else (child.end, head.start)
    gap = max(0, gap_end - gap_start)
    sentence_distance = abs(child.sentence - head.sentence)
    features = {
        f"pair={head_label}>{child_label}": 1.0,
        _ORDER[before]: 1.0,
        _token_gap_feature(gap): 1.0,
        _SENTENCES[min(sentence_distance, 6)]: 1.0,
        "same_sentence": float(sentence_distance == 0),
        "same_region": float(bool(head.regions & child.regions)),
        "head_is_item": float(head.is_item),
        child.party_feature: 1.0,
        child.shape: 1.0,
        "log_chars": math.log1p(abs(child.start_char - head.start_char)) / 10,
    }
    features[_BETWEEN_HEAD[min(context.count_between(head_label, gap_start, gap_end), 3)]] = 1.0
    features[_BETWEEN_CHILD[min(context.count_between(child_label, gap_start, gap_end), 3)]] = 1.0
    if gap <= 8:
        gap_chars = (head.end_char, child.start_char) if before else (child.end_char, head.start_char)
        for word in WORD.findall(context.text[gap_chars[0]:gap_chars[1]].lower()):
            features[f"between_word={word}"] = 1.0
    if gap == 0:
        features["adjacent"] = 1.0
    features["nearest_child"] = float(context.nearest(child_label, head.start) == child.start)
    features["nearest_head"] = float(context.nearest(head_label, child.start) == head.start)
    if child_label == "DECISION":
        _decision_features(context, head, child, features)
    elif child_label == "ANATOMY":
        _site_features(context, head, child, before, features)
    elif child_label == "GUIDELINE":
        _clause_features(context, head, child, features)
    if child_label in ("RATIONALE", "GUIDELINE"):
        # the item as the determination names it: in prose layouts the rationale and the citations
        # belong to the mention a decision is said of
        features[f"head_decided={head.start_char in context.decided_mentions()}&layout={context.layout}"] = 1.0
    return features


# feature names built once: a letter asks for thousands of pairs
_ORDER = {True: "order=head_first", False: "order=child_first"}
_SENTENCES = [f"sentences={distance}" for distance in range(7)]
_BETWEEN_HEAD = [f"between_same_head={count}" for count in range(4)]
_BETWEEN_CHILD = [f"between_same_child={count}" for count in range(4)]


@lru_cache(maxsize=None)
def _token_gap_feature(gap: int) -> str:
    return f"tokens={_bin(gap)}"


@lru_cache(maxsize=None)
def _party_feature(party: Optional[str]) -> str:
    return f"child_party={party}"


def _site_features(context: PairContext, head: Mention, child: Mention, before: bool, features: Dict[str, float]) -> None:
    """The words that tie a site to a finding: "tenderness *over* the trapezius", "the right knee *has*
    an effusion", "*left* elbow pain"; and whether the two stand in one clause (no ';' or '.' between)."""
    text = context.text
    order = "head_first" if before else "child_first"
    features[f"word_before_child={context.word_before(child.start_char)}&{order}"] = 1.0
    features[f"word_after_child={context.word_after(child.end_char)}&{order}"] = 1.0
    features[f"word_after_head={context.word_after(head.end_char)}&{order}"] = 1.0
    gap = text[head.end_char:child.start_char] if before else text[child.end_char:head.start_char]
    features[f"clause_break={';' in gap or '. ' in gap or ':' in gap}"] = 1.0
    # how many sites and findings share the sentence, and a site that opens it, which the sentence's
    # findings often all belong to ("Lumbar range of motion was flexion 40 degrees, extension 10 degrees")
    features[f"sentence_sites={min(context.sentence_count('ANATOMY', head.sentence), 3)}"] = 1.0
    features[f"sentence_heads={min(context.sentence_count(head.label, head.sentence), 4)}"] = 1.0
    opens = child.start_char - context.sentence_bounds(child.sentence)[0] < 40
    features[f"site_opens_sentence={opens}&{order}"] = 1.0
    head_word = head.span[-1].lower_
    features[f"head_word={head_word}&{order}"] = 1.0
    if head_word in _MOTIONS:
        features[f"motion&site_opens_sentence={opens}&{order}"] = 1.0
        features[f"motion&nearest_child={context.nearest('ANATOMY', head.start) == child.start}&{order}"] = 1.0
        features[f"motion&sentence_sites={min(context.sentence_count('ANATOMY', head.sentence), 3)}&same_sentence={child.sentence == head.sentence}"] = 1.0
    attached = context.attached_to(child)
    features["site_attached=" + ("none" if attached is None else "head" if attached == head.start_char else "other")] = 1.0
    if head_word in _MOTIONS and attached is not None and attached != head.start_char:
        # "right shoulder range of motion included flexion to 130 degrees, abduction to 90 degrees"
        features[f"motion&site_on_range_of_motion={_RANGE_OF_MOTION.match(context.text, attached) is not None}"] = 1.0
    # a coordination of findings or of sites counts as one mention: "burning and numbness in the feet"
    head_group, child_group = context.group(head), context.group(child)
    if head_group != (head.start, head.end) or child_group != (child.start, child.end):
        group_gap = child_group[0] - head_group[1] if before else head_group[0] - child_group[1]
        features[f"group_tokens={_bin(max(0, group_gap))}&{order}"] = 1.0
        between = (head_group[1], child_group[0]) if before else (child_group[1], head_group[0])
        features[f"group_sites_between={min(context.count_between('ANATOMY', *between), 2)}"] = 1.0


# the movements a range of motion is measured in: their site is often the one the sentence opens with
# ("Left ankle dorsiflexion was 5 degrees with the knee extended, plantarflexion 35 degrees")
_MOTIONS = {"flexion", "extension", "rotation", "abduction", "adduction", "bending", "dorsiflexion", "plantarflexion",
            "inversion", "eversion", "pronation", "supination", "deviation", "elevation", "flexion/extension"}
_RANGE_OF_MOTION = re.compile(r"range\s+of\s+motion|ROM\b", re.I)
_EDGE_WORD = re.compile(r"([A-Za-z]+)\W{0,3}$")
_NEXT_WORD = re.compile(r"^\W{0,3}([A-Za-z]+)")


def _last_word(text: str, offset: int) -> str:
    match = _EDGE_WORD.search(text, max(0, offset - 24), offset)
    return match.group(1).lower() if match else ""


def _first_word(text: str, offset: int) -> str:
    match = _NEXT_WORD.match(text[offset:offset + 24])
    return match.group(1).lower() if match else ""


def _clause_features(context: PairContext, head: Mention, child: Mention, features: Dict[str, float]) -> None:
    """Whether the guideline's clause names the head's item, before or after the mention, or only others;
    and the words before the mention ("which is part of the MTUS" cites nothing, "the same section of
    the MTUS" does)."""
    lead = context.lead_words(child.start_char)
    features[f"guideline_after={lead}"] = 1.0
    # "which is part of the MTUS" cites nothing, "which are part of the Chronic Pain Medical Treatment
    # Guidelines" cites that guideline
    features[f"guideline_after={lead}&whole_mtus={child.whole_mtus}"] = 1.0
    kind, stems = context.purpose(child)
    if kind == "all":
        features["purpose=all"] = 1.0
    elif stems:
        named_other = bool(context.items_named(stems) - {context.named_item(head)})
        features["purpose=" + ("head" if head.stems & stems else "other" if named_other else "unnamed")] = 1.0
    for side, stems in zip(("before", "after"), context.clause_stems(child)):
        if head.stems & stems:
            features[f"clause_names_{side}=head"] = 1.0
        elif context.items_named(stems) - {context.named_item(head)}:
            features[f"clause_names_{side}=other"] = 1.0


def _decision_features(context: PairContext, head: Mention, child: Mention, features: Dict[str, float]) -> None:
    """Whether the decision phrase is said of the head, of a mention naming the head, or of another item."""
    subjects = context.subjects(child)
    layout = context.layout
    if head.start_char in subjects:
        kind = "head"
    elif not subjects:
        kind = "none"
    else:
        items = context.subject_items(child)
        kind = "names_head" if (head.start_char, head.end_char) in items else "names_other" if items - {None} else "other"
    if kind == "head":
        # the subject is itself a mention of an item heading: in block layouts the heading is the head
        names_item = context.named_item(head)
        features[f"head_names_item={names_item is not None and names_item != (head.start_char, head.end_char)}"
                 f"&layout={layout}"] = 1.0
    features[f"subject={kind}&layout={layout}"] = 1.0
    features[f"head_is_item&layout={layout}"] = features["head_is_item"]
    features[f"subject={kind}&head_is_item={features['head_is_item'] > 0}"] = 1.0
    if kind == "head":
        features[f"subject_count={min(len(subjects), 3)}"] = 1.0


def _bin(value: int) -> str:
    return str(value) if value < 4 else str(2 ** int(math.log2(value)))


def _shape(span: Span, context: PairContext) -> str:
    if span.label_ == "DECISION":
        text = span.text.lower()
        return "heading" if text in ("upheld", "overturned") else "not" if "not" in text else "prose"
    if span.label_ == "GUIDELINE" and not context.citations.containing(span.start_char):
        # a mention imr_guideline_citations cites nothing by: "outside of the MTUS", "Non-MTUS Citation"
        return "GUIDELINE_not_cited"
    return span.label_


class RelationModel:
    """Per label, a fitted classifier over named features and its threshold: a logistic regression
    (`weights`, `intercept`) or gradient-boosted trees (`trees` over `features`, from `baseline`), as
    scripts/train_relations.py exports scikit-learn's fitted models."""

    def __init__(self, labels: Dict[str, Dict]):
        self.labels = labels
        self._forests = {label: _Forest(params) for label, params in labels.items() if "trees" in params}

    def probabilities(self, label: str, rows: Sequence[Dict[str, float]]) -> List[float]:
        if label in self._forests:
            scores = self._forests[label].scores(rows)
        else:
            params = self.labels[label]
            weight = params["weights"].get
            scores = [params["intercept"] + sum([weight(name, 0.0) * value for name, value in features.items()])
                      for features in rows]
        return [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score)))) for score in scores]

    def to_dict(self) -> Dict:
        return {"labels": self.labels}

    @classmethod
    def from_dict(cls, data: Dict) -> "RelationModel":
        return cls(data["labels"])


class _Forest:
    """Boosted trees as flat node arrays, walked a level at a time for all pairs and trees at once
    (a pair at a time, tree by tree, in Python took the relation step three times as long). A value
    at most a node's threshold goes left, as in scikit-learn's HistGradientBoosting; a leaf leads to
    itself."""

    def __init__(self, params: Dict):
        self.index = {name: i for i, name in enumerate(params["features"])}
        self.baseline = params["baseline"]
        # node i's left child at children[2 * i], its right child at children[2 * i + 1]
        feature, threshold, children, value, roots = [], [], [], [], []
        self.depth = 0
        for tree in params["trees"]:
            offset = len(feature)
            roots.append(offset)
            for node, split in enumerate(tree["feature"]):
                leaf = split < 0
                feature.append(0 if leaf else split)
                threshold.append(math.inf if leaf else tree["threshold"][node])
                children += [offset + node] * 2 if leaf else [offset + tree["left"][node], offset + tree["right"][node]]
                value.append(tree["value"][node])
            self.depth = max(self.depth, _tree_depth(tree))
        self.feature, self.threshold = numpy.array(feature, dtype="int64"), numpy.array(threshold)
        self.children = numpy.array(children, dtype="int64")
        self.value, self.roots = numpy.array(value), numpy.array(roots, dtype="int64")

    def scores(self, rows: Sequence[Dict[str, float]]) -> List[float]:
        values = numpy.zeros((len(rows), max(1, len(self.index))))
        for i, features in enumerate(rows):
            for name, value in features.items():
                column = self.index.get(name)
                if column is not None:
                    values[i, column] = value
        cells = values.ravel()
        row_starts = numpy.repeat(numpy.arange(len(rows)) * values.shape[1], len(self.roots))
        nodes = numpy.tile(self.roots, len(rows))
        walking = numpy.arange(len(nodes))  # the (pair, tree) walks not yet at a leaf
        for _ in range(self.depth):
            at = nodes[walking]
            goes_right = cells[row_starts[walking] + self.feature[at]] > self.threshold[at]
            following = self.children[2 * at + goes_right]
            nodes[walking] = following
            walking = walking[following != at]
            if not len(walking):
                break
        nodes = nodes.reshape(len(rows), len(self.roots))
        return (self.baseline + self.value[nodes].sum(axis=1)).tolist()


def _tree_depth(tree: Dict[str, List]) -> int:
    depth, level = 0, [0]
    while True:
        level = [child for node in level if tree["feature"][node] >= 0
                 for child in (tree["left"][node], tree["right"][node])]
        if not level:
            return depth
        depth += 1


def predict_relations(doc: Doc, model: RelationModel, rationales: Sequence[Span], window: int) -> List[Relation]:
    context = PairContext(doc, rationales)
    found = []
    for label in RELATION_TYPES:
        if label not in model.labels:
            continue
        threshold = model.labels[label]["threshold"]
        pairs = list(candidates(context, label, model.labels[label].get("window", window)))
        probabilities = model.probabilities(label, [pair_features(context, head, child) for head, child in pairs])
        for (head, child), probability in zip(pairs, probabilities):
            if probability >= threshold:
                found.append(Relation(
                    head=(head.start_char, head.end_char), child=(child.start_char, child.end_char), label=label,
                    probability=round(probability, 4),
                    party=context.party(child.start_char) if label == "CITES" else None))
    return found


@Language.factory(
    "imr_relations",
    assigns=["doc._.relations"],
    requires=["doc.ents", "doc._.item_blocks"],
    default_config={"window": 1},
    default_score_weights={},
)
def make_relations(nlp: Language, name: str, window: int):
    return RelationExtractor(nlp, name, window=window)


class RelationExtractor:
    def __init__(self, nlp: Language, name: str = "imr_relations", *, window: int = 1):
        self.name = name
        self.window = window
        self.model: Optional[RelationModel] = None

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Example]]] = None, *,
                   nlp: Optional[Language] = None, parameters: Optional[Dict] = None) -> None:
        """`parameters` are those scripts/train_relations.py fits (read_relation_model)."""
        if parameters is not None:
            self.model = RelationModel.from_dict(parameters)

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            raise ValueError(Errors.E011.format(name=self.name))
        doc._.relations = predict_relations(doc, self.model, list(doc.spans.get("rationales", [])), self.window)
        return doc

    def to_bytes(self, *, exclude=SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps({"window": self.window, "model": self.model.to_dict() if self.model else None})

    def from_bytes(self, data: bytes, *, exclude=SimpleFrozenList()) -> "RelationExtractor":
        state = srsly.msgpack_loads(data)
        self.window = state["window"]
        self.model = RelationModel.from_dict(state["model"]) if state["model"] else None
        return self

    def to_disk(self, path, *, exclude=SimpleFrozenList()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / PARAMETERS_FILE, {"window": self.window,
                                                  "model": self.model.to_dict() if self.model else None})

    def from_disk(self, path, *, exclude=SimpleFrozenList()) -> "RelationExtractor":
        state = srsly.read_json(ensure_path(path) / PARAMETERS_FILE)
        self.window = state["window"]
        self.model = RelationModel.from_dict(state["model"]) if state["model"] else None
        return self
