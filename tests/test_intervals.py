"""Character ranges found by the offsets they hold."""
from spacy_imr.intervals import Intervals


def test_intervals_containing_finds_every_range_holding_the_offset():
    # a long range that starts far before the offset, a nested one, and ranges on either side
    intervals = Intervals([(0, 500, "section"), (120, 180, "block"), (150, 160, "heading"), (490, 600, "next"),
                           (10, 20, "early")])
    assert intervals.containing(155) == ["section", "block", "heading"]
    assert intervals.containing(160) == ["section", "block"]
    assert intervals.containing(495) == ["section", "next"]
    assert intervals.containing(500) == ["next"]
    assert intervals.containing(600) == []


def test_intervals_empty():
    assert Intervals([]).containing(3) == []
