"""The custom attributes the pipeline sets, registered once when `spacy_imr` is imported."""
from spacy.tokens import Doc, Span

DOC_EXTENSIONS = {
    # the text as read, before normalisation; every reported offset refers to it
    "source_text": None,
    "source_name": None,
    "offsets": None,  # OffsetMap from doc.text offsets to source_text offsets
    "letter_lines": None,  # (start, end) of each source line in doc.text
    # where the letter stands in a file holding several ({"number", "of", "start", "end"}), else None;
    # the record's offsets then refer to the whole file's text
    "letter_part": None,
    "layout": None,
    "item_blocks": None,  # List[ItemBlock]
    "case_facts": None,  # CaseFacts
    "imr_warnings": None,  # List[str]
    "relations": None,  # List[Relation], from imr_relations
}
SPAN_EXTENSIONS = {
    "finding": None,  # Tenderness, ExamTest, RangeOfMotion, GripStrength, ...
    "citation": None,  # Citation
    "guideline_basis": None,  # GuidelineBasis
}


def _imr_record(doc: Doc):
    from .record import build_record

    return build_record(doc)


def _source_offsets(span: Span):
    """(start, end) of the span in the original text the doc was made from."""
    offsets = span.doc._.offsets
    if offsets is None:
        return span.start_char, span.end_char
    return offsets.original_span(span.start_char, span.end_char)


def register_extensions() -> None:
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    if not Doc.has_extension("imr_record"):
        Doc.set_extension("imr_record", getter=_imr_record)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    if not Span.has_extension("source_offsets"):
        Span.set_extension("source_offsets", getter=_source_offsets)
