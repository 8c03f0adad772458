"""Coded messages, in the manner of spacy.errors: one place for every error and warning text."""


class ErrorsWithCodes(type):
    def __getattribute__(self, code):
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Warnings(metaclass=ErrorsWithCodes):
    W001 = "{source}: no known letter layout found; extracting from the whole text."
    W002 = ("{source}: decoded as {encoding}, not UTF-8; check special characters.")
    W003 = "{source}: the decisions section has no item heading; no disputed items found."


class Errors(metaclass=ErrorsWithCodes):
    E001 = "{source}: file is empty."
    E002 = "{source}: file looks binary, not a letter (NUL or control bytes)."
    E003 = ("{source}: text is not UTF-8 and no other encoding fits; re-save it as UTF-8.")
    E004 = "{source}: PDF could not be read ({detail})."
    E005 = "{source}: PDF has no text layer: OCR it first."
    E006 = "{source}: file is {size} bytes, over the limit of {limit} bytes."
    E007 = "{source}: no such file or directory."
    E008 = "{source}: unsupported file type '{suffix}'; give .txt or .pdf files."
    E009 = "{source}: no recognisable letter section and no disputed item; is this an IMR letter?"
    E010 = "{source}: extraction failed unexpectedly: {detail}"
    E011 = ("Component '{name}' is not initialized: call nlp.initialize() or load a "
            "packaged pipeline.")
    E012 = "Unknown value type '{kind}' in serialized data."
    E013 = "Rule {rule!r} is missing key '{key}'."
    E014 = "imr render reads letter files and folders; standard input (-) cannot be rendered."
    E015 = "{source}, line {line}: not a JSON record ({detail})."
    E016 = "--dask needs Dask's distributed scheduler: pip install 'spacy-imr[dask]'."
    E017 = "Letter {id}: the second annotation names a letter the corpus does not annotate."
    E018 = ("Letter {id}: its text is missing or does not hash to both annotations' text_sha256, so their "
            "offsets cannot be compared.")
    E019 = "no annotated letters to compare."
    E020 = "An NER ensemble needs at least one member, not {members}."
    E021 = "The NERs to merge know different moves (labels or their order); train them on the same corpus."


class LetterInputError(ValueError):
    """A letter that cannot be read. `code` is the stable error code in the record."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def input_error(code: str, **details) -> LetterInputError:
    return LetterInputError(code, getattr(Errors, code).format(**details))
