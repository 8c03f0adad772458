"""Synthetic IMR determination letters with gold spans and relations, for training augmentation only.

    python scripts/generate_letters.py corpus/vocab /tmp/generated.jsonl --n 300 --seed 0

Each letter is a corpus record (the shape of corpus/annotations/written/written.jsonl, with its text;
meta.source "generated", meta.split "train", ids "GEN<seed>-<n>", not in the manifest). Entity
strings come from the term lists in corpus/vocab/*.txt (every entity span contains a term of its
label's list, or of extra_terms in generator_templates.json); phrasing, case tables and layout
pieces from corpus/vocab/generator_templates.json. Letters vary the layout (A, B, C, 0 of the domain
brief), phrasing, section order, number of items and narrative length, and the PDF artifacts: hard
line wraps, trailing spaces, double spacing, page headers/footers with form feeds, redaction gaps.
Relations follow docs/annotation.md: HAS_DECISION (item -> heading word and concluding phrase),
HAS_RATIONALE, CITES with the party, LOCATED_AT. The same seed gives the same file.

Measured on dev (metrics/generator_dev.json): adding 100 or 300 of these letters to the train split
lowered the NER layer's dev F1 at the project's step budget, so the workflow does not use them.
"""
import random
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import srsly
import typer

from spacy_imr.corpus import text_sha256

LABEL_FILES = {
    "ANATOMY": ["anatomy.txt"], "DIAGNOSIS": ["diagnosis_heads.txt"], "EXAM_FINDING": ["exam_signs.txt", "exam_tests.txt"],
    "GUIDELINE": ["guidelines.txt"], "DECISION": ["decision_phrases.txt"],
    "TREATMENT": ["drugs.txt", "procedures.txt", "diagnostics.txt", "dme.txt", "therapies.txt", "programs.txt", "consults.txt"],
}
TEMPLATES = "generator_templates.json"
LAYOUT_WEIGHTS = {"A": 0.55, "B": 0.2, "C": 0.125, "0": 0.125}


def read_sections(path: Path) -> Dict[str, List[str]]:
    """A term list by its '# --- section ---' comments."""
    sections: Dict[str, List[str]] = {"": []}
    current = ""
    for line in path.read_text(encoding="utf8").splitlines():
        match = re.match(r"#\s*---\s*(.+?)\s*---", line)
        if match:
            current = match.group(1)
            sections.setdefault(current, [])
        elif line.strip() and not line.startswith("#"):
            sections[current].append(line.strip())
    return sections


def label_vocabulary(vocab_dir: Path) -> Dict[str, List[str]]:
    """Label -> every term a span of that label may be built around (the ruler lists + extra_terms)."""
    extra = srsly.read_json(vocab_dir / TEMPLATES)["extra_terms"]
    return {label: sorted({t for name in files for terms in read_sections(vocab_dir / name).values() for t in terms}
                          | set(extra.get(label, [])))
            for label, files in LABEL_FILES.items()}


_PATTERNS: Dict[Tuple[str, ...], "re.Pattern"] = {}


def names_vocabulary_term(text: str, terms: List[str]) -> bool:
    """Whether the text (whitespace folded, any case) contains one of the terms as whole words."""
    key = tuple(terms)
    if key not in _PATTERNS:
        alternatives = "|".join(re.escape(term) for term in sorted(set(terms), key=len, reverse=True))
        _PATTERNS[key] = re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)
    return _PATTERNS[key].search(" ".join(text.split())) is not None


class _Letter:
    """Text written left to right, with spans (label) and relations over span indices."""

    def __init__(self):
        self.parts: List[str] = []
        self.size = 0
        self.spans: List[Dict] = []
        self.relations: List[Dict] = []

    def add(self, text: str, label: Optional[str] = None) -> Optional[int]:
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        if label is None:
            return None
        self.spans.append({"start": start, "end": self.size, "label": label})
        return len(self.spans) - 1

    def say(self, template: str, **slots) -> Dict[str, int]:
        """Write a template; a slot given as (text, label) becomes a span, its index returned by name."""
        found = {}
        for piece in re.split(r"(\{\w+\})", template):
            name = piece[1:-1] if re.fullmatch(r"\{\w+\}", piece) else None
            if name is None:
                self.add(piece)
            elif isinstance(slots[name], tuple):
                found[name] = self.add(*slots[name])
            elif callable(slots[name]):
                found.update(slots[name]() or {})
            else:
                self.add(str(slots[name]))
        return found

    def relate(self, head: Optional[int], child: Optional[int], label: str, party: Optional[str] = None):
        if head is None or child is None:
            return
        relation = {"head": head, "child": child, "label": label}
        if party:
            relation["party"] = party
        self.relations.append(relation)

    def mark(self, start: int, label: str) -> int:
        """A span from start to the end of what was written so far (a rationale)."""
        self.spans.append({"start": start, "end": self.size, "label": label})
        return len(self.spans) - 1


def _edit(text: str, spans: List[Dict], edits: List[Tuple[int, int, str]]) -> str:
    """Apply (position, deleted length, inserted text) edits that never cut a span's first or last
    character; an insertion at a span's start goes before the span, at its end after it."""
    edits = sorted(edits)
    out, last = [], 0
    for pos, deleted, inserted in edits:
        out.append(text[last:pos])
        out.append(inserted)
        last = pos + deleted
    out.append(text[last:])
    for span in spans:
        span["start"] += sum(len(i) - d for p, d, i in edits if p < span["start"] or (p == span["start"] and d == 0))
        span["end"] += sum(len(i) - d for p, d, i in edits if p < span["end"])
    return "".join(out)


def _inside(spans: List[Dict], pos: int) -> bool:
    return any(s["start"] < pos < s["end"] for s in spans)


def generate_letters(vocab_dir: Path, n: int, seed: int = 0) -> List[Dict]:
    """n synthetic letters as corpus records; deterministic for a seed."""
    t = srsly.read_json(vocab_dir / TEMPLATES)
    vocabulary = label_vocabulary(vocab_dir)
    lists = {name: read_sections(vocab_dir / name) for files in LABEL_FILES.values() for name in files}
    decision_phrases = lists["decision_phrases.txt"]
    rng = random.Random(seed)
    pick = rng.choice

    def check(text: str, label: str) -> Tuple[str, str]:
        if not names_vocabulary_term(text, vocabulary[label]):
            raise ValueError(f"{text!r} names no {label} term of corpus/vocab")
        return text, label

    def date(year_from: int, year_to: int) -> str:
        return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(year_from, year_to)}"

    def drug_item() -> Tuple[str, str, str, Tuple[str, ...]]:
        section = pick([s for s in t["drug_strengths"] if lists["drugs.txt"].get(s)])
        name = pick(lists["drugs.txt"][section])
        strength = pick(t["drug_strengths"][section])
        quantity = pick(t["drug_quantities"])
        item = f"{name} {strength} {quantity}" if rng.random() < 0.85 else f"{name} {strength}"
        return item, name, t["kinds_by_section"].get(section, "drug"), (name, strength, quantity)

    def letter_items(region: Dict, region_name: str, count: int) -> List[Dict]:
        items = []
        for _ in range(count):
            kind = rng.choices(["drug", "therapy", "imaging", "injection", "surgery", "dme", "program", "consult"],
                               [0.38, 0.16, 0.13, 0.09, 0.06, 0.09, 0.04, 0.05])[0]
            entry = {"kind": kind, "decision": "Overturned" if rng.random() < 0.14 else "Upheld", "partial": None}
            if kind == "drug":
                entry["item"], entry["short"], entry["kind"], parts = drug_item()
                if rng.random() < 0.08 and parts[2].startswith("#"):
                    total, authorized, rest = pick(t["partial_drug_splits"])
                    stem = f"{parts[0]} {parts[1]}"
                    entry["partial"] = (f"{stem} #{total}", f"{stem} #{authorized}")
                    entry["item"] = f"{stem} #{rest}"
            elif kind == "therapy":
                name = pick(t["therapies_by_region"]["any"] + t["therapies_by_region"].get(region_name, []) * 2)
                frequency = pick(t["therapy_frequencies"])
                sep = pick([" ", ", ", " "])
                entry["item"], entry["short"] = f"{name[0].upper() + name[1:] if rng.random() < 0.5 else name}{sep}{frequency}", name
                if rng.random() < 0.1:
                    total, authorized, rest = pick(t["partial_visit_splits"])
                    entry["partial"] = (f"{name} {total} sessions", f"{name} {authorized} sessions")
                    entry["item"] = f"{name} {rest} sessions"
            elif kind == "imaging":
                entry["item"] = pick(region["imaging"])
                entry["short"] = entry["item"].split(" of the ")[0]
            elif kind == "injection":
                entry["item"] = pick(region["injections"]).replace("{level}", pick(region["levels"] or ["L4-5"]))
                entry["short"] = entry["item"].split(" at ")[0].split(" to ")[0]
            elif kind == "surgery":
                entry["item"] = pick(region["surgeries"]).replace("{level}", pick(region["levels"] or ["L5-S1"]))
                entry["short"] = entry["item"].split(" at ")[0]
            elif kind == "dme":
                entry["item"] = pick(region["dme"] + lists["dme.txt"][pick(list(k for k in lists["dme.txt"] if lists["dme.txt"][k]))])
                entry["short"] = entry["item"]
                if rng.random() < 0.3:
                    entry["item"] += pick([" purchase", " 30 day rental", " (rental)", " for home use"])
            elif kind == "program":
                entry["item"] = pick(lists["programs.txt"][""] or ["functional restoration program"])
                entry["short"] = entry["item"]
                if rng.random() < 0.4:
                    entry["item"] += pick([", 80 hours", " x 10 days", " 160 hours", " 4 hours a day, 3 days a week"])
            else:
                entry["item"] = pick(lists["consults.txt"][""])
                entry["short"] = entry["item"]
            entry["mention"] = entry["item"] if entry["kind"] in ("drug", "opioid", "nsaid") or not entry["item"][1:2].islower() \
                else entry["item"][0].lower() + entry["item"][1:]
            entry["item"] = entry["item"][0].upper() + entry["item"][1:] if rng.random() < 0.85 else entry["item"]
            items.append(entry)
            if kind == "surgery" and rng.random() < 0.7:
                for name in rng.sample(t["ancillaries"], rng.randint(1, 3)):
                    items.append({"kind": "ancillary", "decision": entry["decision"], "item": name, "mention": name.split(": ")[-1],
                                  "short": name.split(": ")[-1], "partial": None})
        return items

    def guideline_clause(b: _Letter, region: Dict, head_word: str) -> List[int]:
        """One party's guideline statement (Layout A/B); returns the cited GUIDELINE spans."""
        cited = []
        kind = rng.choices(["mtus", "non_mtus", "none", "outside", "both"], [0.42, 0.2, 0.1, 0.13, 0.15])[0]
        if kind == "none":
            b.add(f"The {head_word} did not cite any medical evidence for its decision.")
            return cited
        if kind == "outside":
            b.say(pick(["The {who} based their decision on recommendation(s) outside of the {m}. ",
                        "The {who} did not base their decision on the {m}. "]),
                  who=head_word, m=check(pick(["MTUS Guidelines", "MTUS"]), "GUIDELINE"))
        if kind in ("mtus", "both"):
            found = b.say("Decision based on {g}" + pick([", Section(s): ", ", Section(s):\n", ", Section(s): "]) + pick(region["mtus_sections"]) + ".",
                          g=check(pick(region["mtus"]), "GUIDELINE"))
            cited.append(found["g"])
        if kind in ("non_mtus", "outside", "both"):
            if kind == "both":
                b.add(" ")
            found = b.say("Decision based on Non-MTUS Citation {g}, " + pick(region["odg_topics"]) + ".",
                          g=check(pick(region["odg"]), "GUIDELINE"))
            cited.append(found["g"])
        return cited

    def rationale(b: _Letter, region: Dict, entry: Dict, prose_decision: str) -> Tuple[List[int], List[int], Optional[int]]:
        """The reviewer's argument; returns (cited guideline spans, decision spans, the conclusion's item span)."""
        cited, decisions, item_mention = [], [], None
        if entry["kind"] == "ancillary":
            template = pick(t["ancillary_rationale"])
            if entry["decision"] == "Overturned":
                template = t["ancillary_rationale"][-1]
            if "{dec}" in template:
                found = b.say(template, dec=check(prose_decision, "DECISION"))
                decisions.append(found["dec"])
            else:
                b.add(template)
            return cited, decisions, None
        if rng.random() < 0.5:
            b.say(pick(["The request is for {t}. ", "This is a request for {t}. ", "The treating provider requested {t}. "]),
                  t=check(entry["mention"], "TREATMENT"))
        kind = entry["kind"] if entry["kind"] in t["rationale_guideline"] else "drug"
        sentence = pick(t["rationale_guideline"][kind])
        if rng.random() < 0.3:  # an ACOEM chapter and page lead the guideline's statement
            found = b.say("{a}, " + pick(["page ", "pages ", "Table 8-8, page ", "pg. "]) + str(rng.randint(40, 330)) + ", states: ",
                          a=check(pick(region["acoem"]), "GUIDELINE"))
            cited.append(found["a"])
            sentence = sentence.replace("the {g}", "the guidelines").replace("{g}", "the guidelines")
            sentence = sentence[0].upper() + sentence[1:]
        g = check(pick(["Chronic Pain Medical Treatment Guidelines", "CA MTUS Chronic Pain Medical Treatment Guidelines",
                        "MTUS guidelines", "California MTUS guidelines", "ODG", "Official Disability Guidelines"]), "GUIDELINE")
        found = b.say(sentence, g=g, t=check(entry["short"], "TREATMENT"))
        if "g" in found:
            cited.append(found["g"])
        for _ in range(rng.randint(0, 2)):
            b.add(" ")
            _finding_sentence(b, region)
        b.add(" ")
        if rng.random() < 0.25:
            b.add(pick(["Utilization review non-certified the request. ", "The guidelines state that this treatment is not recommended for chronic use. ",
                        "The prior reviewer modified the request. ", "A portion of the request was authorized by the Claims Administrator. "]))
        good = entry["decision"] == "Overturned"
        b.add(" ".join(rng.sample(t["evidence_for"] if good else t["evidence_against"], 2 if rng.random() < 0.4 else 1)))
        b.add(" ")
        if rng.random() < 0.08 and not good:
            found = b.say("{dec}.", dec=check("Recommendation is for denial", "DECISION"))
            decisions.append(found["dec"])
        else:
            conclusion = pick(t["conclusions"])
            mention = entry["mention"] if rng.random() < 0.8 else entry["short"]
            if conclusion.startswith("Given") or conclusion.startswith("Therefore, {"):
                mention = mention[0].upper() + mention[1:] if conclusion.startswith("Given") else mention
            found = b.say(conclusion, item=check(mention, "TREATMENT"), dec=check(prose_decision, "DECISION"))
            decisions.append(found["dec"])
            item_mention = found["item"]
        return cited, decisions, item_mention

    def _finding_sentence(b: _Letter, region: Dict):
        choice = rng.random()
        if choice < 0.3:
            found = b.say(pick(["There was {f} over the {s}.", "Examination revealed {f} over the {s}.",
                                "{F} was noted in the {s}.", "There is {f} of the {s}."]),
                          f=check(pick(["tenderness", "spasm", "muscle spasm", "guarding", "tightness"]), "EXAM_FINDING"),
                          F=check(pick(["Tenderness", "Spasm", "Muscle spasm", "Guarding"]), "EXAM_FINDING"),
                          s=check(pick(region["sites"]), "ANATOMY"))
            b.relate(found.get("f", found.get("F")), found["s"], "LOCATED_AT")
        elif choice < 0.55:
            found = b.say(pick(["{S} {m} was {d} degrees.", "{S} {m} was limited to {d} degrees.", "On examination, {m} of the {s} measured {d}\u00b0.",
                                "Range of motion of the {s} was decreased, with {m} to {d} degrees."]),
                          S=check(pick(region["rom_site"]).capitalize(), "ANATOMY"), s=check(pick(region["rom_site"]), "ANATOMY"),
                          m=check(pick(region["motions"]), "EXAM_FINDING"), d=rng.choice([10, 15, 20, 30, 40, 45, 60, 90, 120, 150, 160]))
            b.relate(found["m"], found.get("S", found.get("s")), "LOCATED_AT")
        elif choice < 0.75:
            test = pick(region["tests"])
            found = b.say(pick(["{x} was positive on the {side}.", "There was a positive {x} on the {side}.",
                                "{x} was negative bilaterally.", "A {pos} {x} was noted."]),
                          x=check(test if rng.random() < 0.6 else test + " test", "EXAM_FINDING"), side=pick(["left", "right"]),
                          pos=pick(["positive", "negative"]))
        elif choice < 0.88:
            found = b.say(pick(["{M} of the {s} was {g}.", "{M} was {g} in the {s}.", "{s} {m} was {g}."]),
                          M=check(pick(["Strength", "Motor strength"]), "EXAM_FINDING"), m=check("strength", "EXAM_FINDING"),
                          s=check(pick(region["strength_sites"] or ["bilateral lower extremities"]), "ANATOMY"),
                          g=pick(["4/5", "5/5", "4+/5", "4 out of 5", "4+ over 5", "5-/5"]))
            b.relate(found.get("M", found.get("m")), found["s"], "LOCATED_AT")
        else:
            found = b.say(pick(["Sensation was decreased in the {s}.", "There was diminished {x} in the {s}.", "{X} was intact in the {s}."]),
                          x=check("sensation", "EXAM_FINDING"), X=check("Sensation", "EXAM_FINDING"),
                          s=check(pick(region["sensation_sites"]), "ANATOMY"))
            if "x" in found or "X" in found:
                b.relate(found.get("x", found.get("X")), found["s"], "LOCATED_AT")

    def summary(b: _Letter, region: Dict, region_name: str, items: List[Dict], sentences: int):
        age, sex = rng.randint(24, 66), pick(["male", "female"])
        pt = pick(t["patient_words"])
        b.add(pick(t["summary_openings"]).format(age=age, sex=sex, doi=date(2009, 2015), occupation=pick(t["occupations"]),
                                                 mechanism=pick(t["mechanisms"])))
        b.add(" ")
        diagnoses = rng.sample(region["diagnoses"], min(len(region["diagnoses"]), rng.randint(1, 4)))
        if region_name != "chronic" and rng.random() < 0.35:
            diagnoses.append(pick(t["regions"]["chronic"]["diagnoses"]))
        numbered = rng.random() < 0.2

        def diagnosis_list():
            found = {}
            for index, diagnosis in enumerate(diagnoses):
                if numbered:
                    b.add(f"{' ' if index else ''}{index + 1}. ")
                elif index:
                    b.add(", " if index < len(diagnoses) - 1 else (", and " if len(diagnoses) > 2 else " and "))
                found[f"d{index}"] = b.add(*check(diagnosis, "DIAGNOSIS"))
            return found

        cue = pick(t["dx_cues"])
        b.say(cue, dx=diagnosis_list, Pt=pt.capitalize().replace("The iw", "The IW"), pt=pt)
        b.add(" ")
        if rng.random() < 0.4 and region["dx_apart"]:
            head, site = pick(region["dx_apart"])
            found = b.say(pick(["Imaging showed a {h} at {s}. ", "An MRI documented {h} of the {s}. ", "There is a {h} involving the {s}. "]),
                          h=check(head, "DIAGNOSIS"), s=check(site, "ANATOMY"))
            b.relate(found["h"], found["s"], "LOCATED_AT")

        def treatments():
            found = {}
            names = [drug_item()[0] if rng.random() < 0.4 else pick(lists["drugs.txt"][pick([k for k in lists["drugs.txt"] if lists["drugs.txt"][k]])])
                     for _ in range(rng.randint(1, 3))] + rng.sample(t["therapies_by_region"]["any"], rng.randint(1, 2))
            if rng.random() < 0.5:
                names.append(pick(region["injections"] + region["imaging"]).replace("{level}", pick(region["levels"] or ["L4-5"])))
            rng.shuffle(names)
            for index, name in enumerate(names):
                if index:
                    b.add(", " if index < len(names) - 1 else ", and ")
                found[f"t{index}"] = b.add(*check(name, "TREATMENT"))
            return found

        b.say(pick(t["treatment_cues"]), tx=treatments, Pt=pt.capitalize(), pt=pt)
        for _ in range(sentences):
            b.add(" ")
            if rng.random() < 0.35:
                b.say(pick(t["visit_cues"]), date=date(2015, 2016), pt=pt, pain_dx=check(pick(region["pain_dx"]), "DIAGNOSIS"),
                      score=pick(t["pain_scores"]))
            else:
                _finding_sentence(b, region)
        b.add("\n\n")

        def requests():
            found = {}
            chosen = [e for e in items if e["kind"] != "ancillary"][:3]
            for index, entry in enumerate(chosen):
                if index:
                    b.add(", " if index < len(chosen) - 1 else " and ")
                found[f"r{index}"] = b.add(*check(entry["mention"], "TREATMENT"))
            return found

        b.say(pick(t["request_cues"]), req=requests)
        if rng.random() < 0.6:
            b.add(" " + pick(t["ur_cues"]).format(date=date(2016, 2016)))

    def item_heading(b: _Letter, entry: Dict, own_line: bool) -> Tuple[int, int]:
        if entry["partial"]:
            x, y = entry["partial"]
            b.say("{x} was the original request. {y} was authorized by the Claims Administrator. The remaining IMR eligible portion of the original request, ",
                  x=check(x, "TREATMENT"), y=check(y, "TREATMENT"))
            item = b.add(*check(entry["item"], "TREATMENT"))
            b.add(" is: ")
        else:
            item = b.add(*check(entry["item"], "TREATMENT"))
            b.add(":\n" if own_line else ": ")
        decision = b.add(*check(entry["decision"], "DECISION"))
        return item, decision

    def prose_phrase(entry: Dict, style: str) -> str:
        good = entry["decision"] == "Overturned"
        section = "Prose: necessary" if good else "Prose: not necessary"
        if style == "0":
            return "is medically necessary and appropriate" if good else "is not medically necessary and appropriate"
        candidates = [p for p in decision_phrases[section] if p.startswith("is ")]
        return pick(candidates[:3] * 4 + candidates)

    def make_letter(index: int) -> Dict:
        layout = rng.choices(list(LAYOUT_WEIGHTS), list(LAYOUT_WEIGHTS.values()))[0]
        region_name = rng.choices(list(t["regions"]), [0.3, 0.18, 0.15, 0.1, 0.1, 0.17])[0]
        region = t["regions"][region_name]
        count = rng.choices([1, 2, 3, 4, 5, 6], [0.48, 0.2, 0.12, 0.09, 0.07, 0.04])[0]
        items = letter_items(region, region_name, count)
        year = {"A": rng.choice([16, 17]), "B": rng.choice([14, 15, 16]), "C": rng.choice([13, 14]), "0": 13}[layout]
        case = f"CM{year}-{rng.randint(0, 9999999):07d}"
        b = _Letter()
        sentences = rng.randint(2, 8)
        phenomena = []
        colon = lambda: pick([" ", "  ", "   "])  # noqa: E731

        if layout in ("A", "B"):
            if layout == "A":
                b.add(f"Case Number: {case}\nDate Assigned: {date(2000 + year, 2000 + year)} Date of Injury:{colon()}{date(2009, 2015)}\n"
                      f"Decision Date: {date(2000 + year, 2000 + year)} UR Denial Date:{colon()}{date(2000 + year - 1, 2000 + year)}\n"
                      f"Priority:{colon()}Standard Application\nReceived:\n{date(2000 + year, 2000 + year)}\n\n")
            else:
                b.add("MAXIMUS FEDERAL SERVICES, INC.\nIndependent Medical Review\nFinal Determination Letter\n\nEmployee:\nClaim Number:\n"
                      f"Date of Injury:{colon()}{date(2009, 2014)}\nUR Denial Date:{colon()}{date(2000 + year, 2000 + year)}\n"
                      f"Application Received:{colon()}{date(2000 + year, 2000 + year)}\nIMR Case Number:{colon()}{case}\nPriority:{colon()}Standard\n\n")
            how = "HOW THE IMR FINAL DETERMINATION WAS MADE\n" + pick(t["how_made"]).format(specialty=pick(t["specialties"]), state=pick(t["licensure"]))
            if layout == "A" or rng.random() < 0.5:
                how += f"\n\nState(s) of Licensure: {pick(t['licensure'])}\nCertification(s)/Specialty: {pick(t['specialties'])}"
            sections = ["how", "summary", "documents"] if layout == "B" else ["how", "summary"]
            if layout == "B" and rng.random() < 0.5:
                sections = ["how", "documents", "summary"]
                phenomena.append("section_order")
            for section in sections:
                if section == "how":
                    b.add(how + "\n\n")
                elif section == "documents":
                    b.add("DOCUMENTS REVIEWED\n\n")
                    for number, line in enumerate(rng.sample(t["documents_reviewed"], rng.randint(2, 5)), start=1):
                        b.add(f"{number}. " + line.format(date=date(2015, 2016), date2=date(2016, 2016)) + "\n")
                    b.add("\n")
                else:
                    b.add("CLINICAL CASE SUMMARY\n" + pick(t["summary_stock"]) + "\n\n")
                    summary(b, region, region_name, items, sentences)
                    b.add("\n\n")
            b.add(("IMR ISSUES, DECISIONS AND RATIONALES" if layout == "A" else pick(["IMR DECISION(S) AND RATIONALE(S)", "IMR ISSUES, DECISIONS AND RATIONALES"])) + "\n")
            b.add(pick(t["lead_in"]) + "\n\n")
            for entry in items:
                own_line = rng.random() < 0.07
                if own_line:
                    phenomena.append("decision_own_line")
                item, decision = item_heading(b, entry, own_line)
                b.relate(item, decision, "HAS_DECISION")
                b.add("\n\nClaims Administrator guideline: ")
                for g in guideline_clause(b, region, "Claims Administrator"):
                    b.relate(item, g, "CITES", "claims_administrator")
                b.add("\n\n" + pick(["MAXIMUS guideline: ", "MAXIMUS guideline: ", "Expert Reviewer guideline: "]))
                for g in guideline_clause(b, region, pick(["expert reviewer", "Expert Reviewer"])):
                    b.relate(item, g, "CITES", "reviewer")
                b.add("\n\nDecision rationale: ")
                start = b.size
                cited, decisions, _ = rationale(b, region, entry, prose_phrase(entry, layout))
                b.relate(item, b.mark(start, "RATIONALE"), "HAS_RATIONALE")
                for g in cited:
                    b.relate(item, g, "CITES", "reviewer")
                for d in decisions:
                    b.relate(item, d, "HAS_DECISION")
                b.add("\n\n")
        elif layout == "C":
            b.add(f"MEDICAL PROFESSIONAL REVIEW\n\nIMR Case Number:{colon()}{case}\nDate of Injury:{colon()}{date(2008, 2012)}\n"
                  f"UR Denial Date:{colon()}{date(2000 + year, 2000 + year)}\nApplication Received:{colon()}{date(2000 + year, 2000 + year)}\n"
                  f"Priority:{colon()}Standard\n\nISSUE AT DISPUTE:\n")
            for entry in items:
                b.add(*check(entry["item"], "TREATMENT"))
                b.add("\n")
            blocks = ["summary", "documents", "guidelines", "rationale"]
            if rng.random() < 0.4:
                blocks = ["documents", "summary", "guidelines", "rationale"]
                phenomena.append("section_order")
            qualifications_first = rng.random() < 0.25
            if qualifications_first:
                blocks = ["qualifications"] + blocks
            else:
                blocks.append("qualifications")
            heads: Dict[int, int] = {}
            pending: Dict[int, List[Tuple[int, str]]] = {}
            for block in blocks:
                b.add("\n")
                if block == "summary":
                    b.add("CASE SUMMARY:\n")
                    summary(b, region, region_name, items, sentences)
                    b.add("\n")
                elif block == "documents":
                    b.add(pick(["DOCUMENTS REVIEWED FOR DETERMINATION:\n", "DOCUMENTS REVIEWED FOR\nDETERMINATION:\n"]))
                    for line in rng.sample(t["documents_reviewed"], rng.randint(2, 5)):
                        b.add(line.format(date=date(2012, 2013), date2=date(2013, 2013)) + "\n")
                elif block == "guidelines":
                    b.add(pick(["MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY\nPROFESSIONAL REVIEWER AND WHY:\n",
                                "MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL\nREVIEWER AND WHY:\n"]))
                    for number, entry in enumerate(items):
                        if len(items) > 1:
                            b.add(f"For the {entry['short']}, ")
                        found = b.say(pick(["the Claims Administrator based its decision on the {c}, which is not part of the MTUS. ",
                                            "the Claims Administrator based its decision on the {c}. "]) if len(items) > 1 else
                                      pick(["The Claims Administrator based its decision on the {c}, which is not part of the MTUS. ",
                                            "The Claims Administrator based its decision on the {c}. "]),
                                      c=check(pick(region["odg"] + region["mtus"]), "GUIDELINE"))
                        pending.setdefault(number, []).append((found["c"], "claims_administrator"))
                        found = b.say("The professional reviewer relied on the {r}, " + pick(["pages ", "page "]) + str(rng.randint(20, 120))
                                      + ", which " + pick(["is part of the {m}.", "are part of the {m} and therefore come first in the evidence hierarchy."]),
                                      r=check(pick(["Chronic Pain Medical Treatment Guidelines", pick(region["acoem"])]), "GUIDELINE"),
                                      m=check("MTUS", "GUIDELINE"))
                        pending[number].append((found["r"], "reviewer"))
                        b.add("\n")
                elif block == "rationale":
                    b.add(pick(["RATIONALE FOR WHY THE REQUESTED\nTREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:\n",
                                "RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE\nIS/WAS NOT MEDICALLY NECESSARY:\n"]))
                    for number, entry in enumerate(items):
                        start = b.size
                        cited, decisions, mention = rationale(b, region, entry, prose_phrase(entry, "C"))
                        rat = b.mark(start, "RATIONALE")
                        if mention is None:  # the ancillary rationale names no item: add a closing sentence that does
                            b.add(" ")
                            found = b.say("The requested {item} {dec}.", item=check(entry["short"], "TREATMENT"),
                                          dec=check(prose_phrase(entry, "C"), "DECISION"))
                            b.spans[rat]["end"] = b.size
                            mention = found["item"]
                            decisions.append(found["dec"])
                        heads[number] = mention
                        b.relate(mention, rat, "HAS_RATIONALE")
                        for d in decisions:
                            b.relate(mention, d, "HAS_DECISION")
                        for g in cited:
                            b.relate(mention, g, "CITES", "reviewer")
                        b.add("\n\n")
                else:
                    b.add("MEDICAL REVIEWER QUALIFICATIONS:\n" + pick([
                        "The professional reviewer is Board Certified in {s}, is licensed in {st}, and has no affiliation with any party.",
                        "The reviewer is licensed in {st} and is Board Certified in {s}. He/she has been in active practice for more than five years."
                    ]).format(s=pick(t["specialties"]), st=pick(t["licensure"])) + "\n")
            for number, pairs in pending.items():
                for g, party in pairs:
                    b.relate(heads.get(number), g, "CITES", party)
            phenomena.append("prose_decisions")
        else:
            b.add(f"Notice of Independent Medical Review Determination\n\nDated: {date(2013, 2013)}\n\nIMR Case Number:{colon()}{case}\n"
                  f"Employee:\nClaim Number:\nDate of UR Decision:{colon()}{date(2013, 2013)}\nDate of Injury:{colon()}{date(2008, 2012)}\n"
                  f"IMR Application Received:{colon()}{date(2013, 2013)}\n\nDear ,\n\n"
                  "MAXIMUS Federal Services, Inc. has completed the Independent Medical Review (IMR) of the\nabove workers' compensation case. "
                  "This letter provides the IMR Final Determination.\n\nFinal Determination: The determination for each of the disputed items/services in this case\nis set forth below.\n\n")
            heads = []
            for repeat in range(2):
                for number, entry in enumerate(items, start=1):
                    b.add(f"{number}) MAXIMUS Federal Services, Inc. has determined the request for ")
                    item = b.add(*check(entry["mention"], "TREATMENT"))
                    b.add(" ")
                    phrase = prose_phrase(entry, "0")
                    if rng.random() < 0.05 and "not medically" in phrase:
                        phrase = phrase.replace("not medically", "notmedically")
                        phenomena.append("notmedically")
                    decision = b.add(*check(phrase, "DECISION"))
                    b.add(".\n\n")
                    if repeat == 0:
                        heads.append(item)
                    b.relate(heads[number - 1], decision, "HAS_DECISION")
                if repeat == 0:
                    b.add("This determination is final and binding and may be appealed only by filing a verified appeal\nwith the Workers' "
                          "Compensation Appeals Board within 30 days of the date of mailing.\n\nSincerely,\n\nMedical Director\n\n"
                          "INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE\n\n"
                          f"The Claims Administrator's utilization review determination is dated {date(2013, 2013)}. The Division of Workers' "
                          f"Compensation received the Application for Independent Medical Review on {date(2013, 2013)}.\n\n")
            qualifications = ("Medical Qualifications of the Expert Reviewer:\n"
                              f"The independent Physician Reviewer is Board Certified in {pick(t['specialties'])}, is licensed to practice in "
                              f"{pick(t['licensure'])}, and has been in active clinical practice for more than five years.\n\n")
            after = rng.random() < 0.3
            if not after:
                b.add(qualifications)
            b.add("Case Summary:\nThe expert Physician Reviewer did not write this summary. It was copied from the Claims Administrator's "
                  "utilization review letter for background; the reviewer considered the entire case file.\n\n")
            summary(b, region, region_name, items, sentences)
            b.add("\n\n")
            if after:
                b.add(qualifications)
                phenomena.append("section_order")
            for number, entry in enumerate(items, start=1):
                b.add(f"{number}) Regarding the request for ")
                b.add(*check(entry["mention"], "TREATMENT"))
                b.add(":\nMedical Treatment Guideline(s) Relied Upon by the Expert Reviewer:\n")
                if rng.random() < 0.3:
                    b.add("The Claims Administrator did not cite any evidence-based guidelines for its decision. ")
                else:
                    found = b.say("The Claims Administrator based its decision on the {c}, " + pick(["Opioids, pages 76-80", "Physical Medicine, pages 98-99", "Chapter 12", "pages 46-47"]) + ", which is part of the {m}. ",
                                  c=check(pick(["Chronic Pain Medical Treatment Guidelines (2009)", pick(region["acoem"]), pick(region["odg"])]), "GUIDELINE"),
                                  m=check("MTUS", "GUIDELINE"))
                    b.relate(heads[number - 1], found["c"], "CITES", "claims_administrator")
                if rng.random() < 0.5:
                    b.say("The Expert Reviewer found the section of the {m} used by the Claims Administrator relevant and appropriate for the issue at dispute.",
                          m=check("MTUS", "GUIDELINE"))
                else:
                    found = b.say("The Expert Reviewer based his/her decision on the {r}, which is part of the {m}.",
                                  r=check(pick(["Chronic Pain Medical Treatment Guidelines (2009)", pick(region["acoem"])]), "GUIDELINE"),
                                  m=check("MTUS", "GUIDELINE"))
                    b.relate(heads[number - 1], found["r"], "CITES", "reviewer")
                b.add("\nRationale for the Decision:\n")
                start = b.size
                cited, decisions, _ = rationale(b, region, entry, prose_phrase(entry, "0"))
                b.relate(heads[number - 1], b.mark(start, "RATIONALE"), "HAS_RATIONALE")
                for g in cited:
                    b.relate(heads[number - 1], g, "CITES", "reviewer")
                for d in decisions:
                    b.relate(heads[number - 1], d, "HAS_DECISION")
                b.add("\n\n")
            phenomena.append("prose_decisions")
        text = "".join(b.parts).rstrip() + "\n"
        spans = b.spans
        text = _artifacts(text, spans, case, phenomena)
        order = sorted(range(len(spans)), key=lambda i: (spans[i]["start"], -spans[i]["end"]))
        position = {old: new for new, old in enumerate(order)}
        relations = sorted(({**r, "head": position[r["head"]], "child": position[r["child"]]} for r in b.relations),
                           key=lambda r: (r["head"], r["child"], r["label"]))
        decisions_set = {e["decision"] for e in items}
        phenomena += ["mixed"] if len(decisions_set) > 1 else ["overturned"] if decisions_set == {"Overturned"} else ["all_upheld"]
        phenomena += ["partial"] if any(e["partial"] for e in items) else []
        phenomena += ["ancillary_items"] if any(e["kind"] == "ancillary" for e in items) else []
        return {"id": f"GEN{seed}-{index:05d}", "text": text, "text_sha256": text_sha256(text),
                "spans": [spans[i] for i in order], "relations": relations,
                "meta": {"layout": layout, "split": "train", "source": "generated", "region": region_name,
                         "phenomena": sorted(set(phenomena)), "generator": {"seed": seed, "index": index}}}

    def _artifacts(text: str, spans: List[Dict], case: str, phenomena: List[str]) -> str:
        width = rng.randint(78, 100)
        trailing = rng.random() < 0.45
        edits = []
        line_start = 0
        for line in text.split("\n"):
            last_space, begin = None, line_start
            for offset, char in enumerate(line):
                here = line_start + offset
                if char == " ":
                    last_space = here
                if here - begin >= width and last_space is not None and last_space > begin:
                    edits.append((last_space, 1, " \n" if trailing else "\n"))
                    begin, last_space = last_space + 1, None
            if trailing and line.strip() and not line.endswith(" "):
                edits.append((line_start + len(line), 0, " "))
            line_start += len(line) + 1
        edits = [e for e in edits if not (e[1] == 0 and any(s["start"] < e[0] < s["end"] for s in spans))]
        text = _edit(text, spans, edits)
        phenomena.append("hard_wraps")
        if trailing:
            phenomena.append("trailing_spaces")
        if rng.random() < 0.15:  # double spacing: a blank line after each line outside the spans
            positions = [m.start() for m in re.finditer("\n", text) if not any(s["start"] <= m.start() < s["end"] for s in spans)]
            text = _edit(text, spans, [(p, 1, "\n\n") for p in positions if text[p - 1:p] != "\n" and text[p + 1:p + 2] != "\n"])
            phenomena.append("double_spaced")
        if rng.random() < 0.2:  # two spaces after sentences, outside the spans
            positions = [m.start() + 1 for m in re.finditer(r"\. (?=[A-Z])", text)
                         if not any(s["start"] <= m.start() + 1 < s["end"] for s in spans if s["label"] != "RATIONALE")]
            text = _edit(text, spans, [(p, 0, " ") for p in positions])
        if rng.random() < 0.35:  # page breaks with a header or footer, at line ends outside every span
            lines = [m.start() + 1 for m in re.finditer("\n", text) if not _inside(spans, m.start() + 1)]
            every = rng.randint(35, 60)
            breaks = lines[every::every]
            pages = len(breaks) + 1
            style = pick(t["page_headers"])
            footer = rng.random() < 0.5
            inserts = []
            for number, pos in enumerate(breaks, start=1):
                label = style.format(n=number + (0 if footer else 1), m=pages, case=case)
                inserts.append((pos, 0, f"{label}\n\f" if footer else f"\f{label}\n"))
            text = _edit(text, spans, inserts)
            if breaks:
                phenomena += ["page_artifacts", "form_feed"]
        if "\u00b0" in text:
            phenomena.append("non_ascii")
        return text

    return [make_letter(index) for index in range(1, n + 1)]


def main(vocab_dir: Path, output: Path, n: int = typer.Option(300, "--n", help="How many letters"),
         seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same letters")):
    records = generate_letters(vocab_dir, n, seed)
    output.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(output, records)
    layouts: Dict[str, int] = {}
    for record in records:
        layouts[record["meta"]["layout"]] = layouts.get(record["meta"]["layout"], 0) + 1
    typer.echo(f"{len(records)} letters, {sum(len(r['spans']) for r in records)} spans, layouts {dict(sorted(layouts.items()))} -> {output}")


if __name__ == "__main__":
    typer.run(main)
