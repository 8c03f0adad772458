"""JSON lines files read a record a line, naming the file and line of one that is not JSON (E015)."""
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple, Union

import srsly

from .errors import Errors


def iter_json_lines(path: Union[str, Path]) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """(line number, record) for each non-blank line."""
    with open(path, encoding="utf8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = srsly.json_loads(line)
            except ValueError as error:
                raise ValueError(Errors.E015.format(source=path, line=number, detail=error)) from None
            yield number, record
