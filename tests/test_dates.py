import pytest

from spacy_imr.dates import parse_date


@pytest.mark.parametrize("text,iso", [
    ("02/25/2014", "2014-02-25"), ("11-18-16", "2016-11-18"), ("12-7-16", "2016-12-07"),
    ("3-2-2015", "2015-03-02"), ("July 29, 2013", "2013-07-29"), ("Sept. 12, 2013", "2013-09-12"),
    ("02/30/2014", None), ("not a date", None),
])
def test_dates_parse_to_iso(text, iso):
    assert parse_date(text) == iso
