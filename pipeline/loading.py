"""Getting a pipeline: a trained package or path when there is one, else the rule pipeline."""
from typing import Dict, Optional, Union
from pathlib import Path

import spacy
from spacy.language import Language

# The ruler runs its phrase patterns through the components before it when it loads: keep it first.
RULE_PIPES = ("ruler", "ruler_case", "imr_entity_modifiers", "imr_letter_sections", "imr_condition_filter",
              "imr_decision_filter", "imr_topic_filter", "imr_case_facts", "imr_exam_findings", "imr_guideline_citations")
TOKENIZER = {"@tokenizers": "spacy_imr.letter_tokenizer.v1"}
# Letters per nlp.pipe batch. The NER takes a third less time a word at 64 letters than at 16 (the
# windowed tok2vec embeds any batch a window at a time, so it costs the same); spaCy's default of
# 1,000 letters held them all in memory (measured with scripts/benchmark.py's test letters).
BATCH_SIZE = 64
# spaCy's span_ruler writes its matches to doc.spans["ruler"]; imr_entity_modifiers makes them
# entities where the NER (when there is one) has none. Phrase patterns match on LOWER; the
# case-sensitive terms go to a second span_ruler matching on ORTH that adds to the same group.
RULER_CONFIG = {"spans_key": "ruler", "annotate_ents": False, "phrase_matcher_attr": "LOWER", "validate": False}
CASE_RULER_CONFIG = {**RULER_CONFIG, "phrase_matcher_attr": "ORTH", "overwrite": False}
RULERS = {"ruler": (RULER_CONFIG, False), "ruler_case": (CASE_RULER_CONFIG, True)}


def build_rule_pipeline(configs: Optional[Dict[str, Dict]] = None) -> Language:
    """The rule-based pipeline on spacy.blank('en'), initialized with the packaged rules; `configs`
    maps a component's name to its config where it differs from the default."""
    configs = configs or {}
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": TOKENIZER, "batch_size": BATCH_SIZE}})
    config_overrides = {}
    for name in RULE_PIPES:
        if name in RULERS:
            ruler_config, case_sensitive = RULERS[name]
            nlp.add_pipe("span_ruler", name=name, config=ruler_config)
            config_overrides[name] = {"patterns": {"@misc": "spacy_imr.ruler_patterns.v2", "case_sensitive": case_sensitive}}
        else:
            nlp.add_pipe(name, config=configs.get(name, {}))
    config = nlp.config
    config["initialize"]["components"].update(config_overrides)
    nlp.config = config
    nlp.initialize()
    return nlp


PACKAGED_PIPELINE = "en_imr_letters"


def load(model: Optional[Union[str, Path]] = None) -> Language:
    """`model` names an installed pipeline package or a directory. Without one: the packaged trained
    pipeline when it is installed, else the rule pipeline."""
    if model:
        return spacy.load(model)
    if spacy.util.is_package(PACKAGED_PIPELINE):
        return spacy.load(PACKAGED_PIPELINE)
    return build_rule_pipeline()
