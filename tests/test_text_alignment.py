import spacy

from spacy_imr.text_alignment import doc_text, normalize_letter_text

from conftest import FIXTURES, SEED, folded, needs_shared

DOUBLE_SPACED = (
    " HOW THE IMR FINAL DETERMINATION WAS MADE \n\nThe reviewer is licensed \n\nin California. \n\n \n\n"
    "Range of motion is decreased by 25%. Tinel's is \n\npositive. \n\nPage 2 of 3\n\n"
    "Use of non-\n\nsteroidal drugs was notmedically necessary. \n\n \n\n"
)


def test_text_alignment_joins_lines_and_paragraphs():
    letter = normalize_letter_text(DOUBLE_SPACED)
    assert letter.text == (
        "HOW THE IMR FINAL DETERMINATION WAS MADE\n\nThe reviewer is licensed in California.\n\n"
        "Range of motion is decreased by 25%. Tinel's is positive. Use of non-steroidal drugs was "
        "not medically necessary."
    )


def test_text_alignment_keeps_the_paragraphs_of_a_typed_letter():
    """A paragraph a line with one blank line between them, as a typed letter has them, is not a
    double-spaced dump: no PDF line holds hundreds of characters."""
    paragraphs = ["HOW THE IMR FINAL DETERMINATION WAS MADE",
                  "The reviewer is licensed in California and has no affiliation with the employer, the employee, "
                  "the providers or the claims administrator, and has been in active practice for more than five years.",
                  "The treating physician requested physical therapy for the lumbar spine after a flare in January, "
                  "when the pain rose to 7/10 and the straight leg raise on the left became positive at 45 degrees.",
                  "Utilization review non-certified the request on 03/02/2017, citing the number of visits already "
                  "completed, and the injured worker applied for independent medical review of that decision.",
                  "The request for physical therapy 2 times a week for 6 weeks for the lumbar spine is not medically "
                  "necessary, as the guideline allows 8-10 visits over 4 weeks for a flare of radiculitis."]
    letter = normalize_letter_text("\n\n".join(paragraphs) + "\n")
    assert letter.text == "\n\n".join(paragraphs)


def test_text_alignment_maps_every_word_back_to_the_original():
    letter = normalize_letter_text(DOUBLE_SPACED)
    for word in ("licensed in California", "is positive", "non-steroidal", "decreased by 25%"):
        start = letter.text.index(word)
        source_start, source_end = letter.offsets.original_span(start, start + len(word))
        assert folded(DOUBLE_SPACED[source_start:source_end]).replace("non- ", "non-") == word


def test_text_alignment_restores_glued_words_without_moving_offsets():
    letter = normalize_letter_text(DOUBLE_SPACED)
    start = letter.text.index("not medically")
    source_start, source_end = letter.offsets.original_span(start, start + len("not medically"))
    assert DOUBLE_SPACED[source_start:source_end] == "notmedically"


def test_text_alignment_drops_repeated_case_number_headers_and_footers():
    text = "Case Number: CM17-0000001\nfirst page line\nPage 1 of 2\n\fCase Number: CM17-0000001\nsecond page line\n"
    assert normalize_letter_text(text).text == "Case Number: CM17-0000001 first page line second page line"


@needs_shared(SEED)
def test_text_alignment_seed_lines_point_into_the_source():
    original = SEED.read_text()
    letter = normalize_letter_text(original)
    for start, end in letter.lines:
        source_start, source_end = letter.offsets.original_span(start, end)
        assert folded(original[source_start:source_end]) == letter.text[start:end]


def test_text_alignment_inverse_map_round_trips_words():
    letter = normalize_letter_text(DOUBLE_SPACED)
    for word in ("licensed in California", "Tinel's is positive", "non-steroidal"):
        start = letter.text.index(word)
        original = letter.offsets.original_span(start, start + len(word))
        assert letter.offsets.normalized_span(*original) == (start, start + len(word))


def test_text_alignment_doc_text_is_read_once_per_doc(nlp):
    first, second = nlp.make_doc("Tramadol ER 150mg #30\n\nUpheld"), nlp.make_doc("Physical therapy x 8")
    assert doc_text(first) == first.text and doc_text(second) == second.text
    assert doc_text(first) is doc_text(first)


def test_text_alignment_doc_text_comes_from_the_tokenizer(nlp):
    letter = (FIXTURES / "letters" / "a2017_page_artifacts.txt").read_text()
    doc = nlp.make_doc(letter)
    tokens = spacy.tokens.Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    assert doc_text(doc) == doc.text == tokens.text
    assert doc_text(tokens) == tokens.text
