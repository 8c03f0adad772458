"""Bad input: every case gets a coded error naming the file."""
from itertools import cycle

import pytest

from spacy_imr.errors import LetterInputError
from spacy_imr.reading import letter_bounds, read_letter

from conftest import FIXTURE_LETTERS, REAL_LETTERS, SEED, needs_shared


def error_of(path, **kwargs):
    with pytest.raises(LetterInputError) as caught:
        read_letter(str(path), **kwargs)
    assert str(path) in str(caught.value)
    return caught.value.code


def test_reading_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    assert error_of(tmp_path / "empty.txt") == "E001"
    assert error_of(tmp_path / "blank.txt") == "E001"


def test_reading_binary_file(tmp_path):
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 8)
    assert error_of(tmp_path / "image.txt") == "E002"


def test_reading_text_that_no_encoding_fits(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"Case Number: CM17-0000001\x81\x8d\x8f\x90\x9d letter text")
    assert error_of(tmp_path / "bad.txt") == "E003"


def test_reading_windows_1252_is_decoded_with_a_warning(tmp_path):
    (tmp_path / "cp1252.txt").write_bytes("Flexion to 40\u00b0 and \u201cslowed\u201d gait".encode("cp1252"))
    letter = read_letter(str(tmp_path / "cp1252.txt"))
    assert letter.text == "Flexion to 40\u00b0 and \u201cslowed\u201d gait"
    assert letter.warnings and letter.warnings[0].startswith("[W002]")


def test_reading_corrupt_pdf(tmp_path):
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    (tmp_path / "fake.pdf").write_bytes(b"this is not a pdf at all")
    assert error_of(tmp_path / "corrupt.pdf") == "E004"
    assert error_of(tmp_path / "fake.pdf") == "E004"


def test_reading_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "scan.pdf"))
    pdf.rect(100, 100, 300, 400, fill=1)  # a page with a picture and no text, like a scan
    pdf.showPage()
    pdf.save()
    code = error_of(tmp_path / "scan.pdf")
    assert code == "E005"


def test_reading_file_over_the_size_limit(tmp_path):
    (tmp_path / "huge.txt").write_text("The patient is a 40 year old male. " * 100)
    assert error_of(tmp_path / "huge.txt", max_bytes=1000) == "E006"


def test_reading_missing_and_unsupported_files(tmp_path):
    (tmp_path / "letter.docx").write_bytes(b"PK\x03\x04")
    assert error_of(tmp_path / "missing.txt") == "E007"
    assert error_of(tmp_path / "letter.docx") == "E008"


def test_reading_utf16_with_bom(tmp_path):
    (tmp_path / "utf16.txt").write_bytes("CLINICAL CASE SUMMARY\nText".encode("utf-16"))
    assert read_letter(str(tmp_path / "utf16.txt")).text == "CLINICAL CASE SUMMARY\nText"


def _texts(paths):
    return [read_letter(str(path)).text for path in paths]


def _assert_bounds_one_and_two_letters(texts):
    """Each letter alone is one letter; each followed by the next (a form feed, a line break or blank
    lines between) is two, cut where the second begins."""
    for text in texts:
        assert letter_bounds(text) == [(0, len(text))]
    for (first, second), joint in zip(zip(texts, texts[1:] + texts[:1]), cycle(["\f", "\n", "\n\n\n"])):
        dump = first + joint + second
        assert [dump[start:end].strip() for start, end in letter_bounds(dump)] == [first.strip(), second.strip()]


def test_reading_letter_bounds_in_every_layout():
    """The fixture letters of the four layouts and the 2014 letter that opens at its first heading; a
    running "Case Number:" page header of the same case starts no letter."""
    texts = _texts(path for path in FIXTURE_LETTERS if path.stem != "unknown_progress_note")
    _assert_bounds_one_and_two_letters(texts)
    letter = next(text for text in texts if text.lstrip().startswith("Case Number:"))
    header = letter.split("\n", 1)[0]
    repeated = letter.replace("\nDecision rationale:", f"\n{header}\nDecision rationale:", 1)
    assert letter_bounds(repeated) == [(0, len(repeated))]


@needs_shared(REAL_LETTERS)
def test_reading_letter_bounds_of_the_real_letters():
    _assert_bounds_one_and_two_letters(_texts([*sorted(REAL_LETTERS.glob("*.pdf")), SEED]))
