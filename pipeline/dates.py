"""Letter dates to ISO 8601: MM/DD/YYYY, M-D-YY, M-D-YYYY, 'Month D, YYYY'."""
import re
from datetime import date
from typing import Optional

MONTHS = {name: i for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTH_NAMES = "|".join(list(MONTHS) + [name[:3] + r"\.?" for name in MONTHS] + [r"sept\.?"])
DATE = (
    r"(?:\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*(?:\d{4}|\d{2})(?!\d)"
    rf"|(?:{MONTH_NAMES})\s+\d{{1,2}},?\s+\d{{4}})"
)
DATE_PATTERN = re.compile(DATE, re.I)


def parse_date(text: str) -> Optional[str]:
    text = text.strip()
    numeric = re.fullmatch(r"(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{4}|\d{2})", text)
    if numeric:
        month, day, year = (int(part) for part in numeric.groups())
        if year < 100:
            year += 2000 if year < 70 else 1900
    else:
        named = re.fullmatch(rf"({MONTH_NAMES})\s+(\d{{1,2}}),?\s+(\d{{4}})", text, re.I)
        if not named:
            return None
        month = MONTHS[next(m for m in MONTHS if m.startswith(named.group(1).lower().rstrip(".")[:3]))]
        day, year = int(named.group(2)), int(named.group(3))
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
