"""Scans limited to the text near an anchor find what a scan of the whole text finds."""
import re

from spacy_imr.anchored_search import AnchoredWindows
from spacy_imr.case_facts import DATE_ANCHOR, DATE_REACH, REPORT_DATE
from spacy_imr.exam_findings import FINDING_REACH, MOTOR, MOTOR_ANCHOR, ROM_DEGREES, ROM_DEGREES_ANCHOR

# a clinical summary written for these tests: findings far apart, next to each other, and text without any
EXAM = (
    "The injured worker is a 52-year-old warehouse lead who reports constant low back pain radiating to the "
    "left leg. " + "He continues home exercise and walks daily for thirty minutes without change. " * 6 +
    "On examination of 03/14/2016, lumbar flexion was limited to 40 degrees and extension 10/25 degrees. "
    "Left extensor hallucis longus strength is 4/5 and right ankle dorsiflexion strength is 5/5. "
    "Grade 4+/5 strength in the left quadriceps. " + "Gait is slow and guarded with a single point cane. " * 8 +
    "The 04/20/2016 progress report notes shoulder abduction measured at 150 degrees. "
    "Pinch strength was recorded as 4/55 on the log sheet.")


def _spans(matches):
    return [(match.start(), match.end(), match.group()) for match in matches]


def test_anchored_search_finds_what_a_whole_scan_finds():
    for pattern, anchor, reach in ((MOTOR, MOTOR_ANCHOR, FINDING_REACH), (ROM_DEGREES, ROM_DEGREES_ANCHOR, FINDING_REACH),
                                   (REPORT_DATE, DATE_ANCHOR, DATE_REACH)):
        found = _spans(AnchoredWindows(anchor, EXAM, reach).finditer(pattern))
        assert found == _spans(pattern.finditer(EXAM))
        assert found  # each pattern has matches here, so the comparison says something


def test_anchored_search_reads_the_motor_grades():
    grades = [match.group("grade") or match.group("grade_after_site")
              for match in AnchoredWindows(MOTOR_ANCHOR, EXAM, FINDING_REACH).finditer(MOTOR)]
    assert grades == ["4", "5", "4+"]


def test_anchored_search_windows_merge_and_skip_text_without_anchors():
    windows = AnchoredWindows(MOTOR_ANCHOR, EXAM, 20).windows
    first, second, third = EXAM.index("4/5"), EXAM.index("5/5"), EXAM.index("4+/5")
    # the last two grades stand within twice the reach and share a window; the long stretches are skipped
    assert [(start, end) for start, end, _ in windows] == [
        (first - 20, first + 3 + 20), (second - 20, third + 4 + 20)]


def test_anchored_search_stays_inside_the_range():
    start = EXAM.index("Grade 4+")
    found = _spans(AnchoredWindows(MOTOR_ANCHOR, EXAM, FINDING_REACH, start, len(EXAM)).finditer(MOTOR))
    assert found == _spans(MOTOR.finditer(EXAM, start, len(EXAM)))
    assert [text for _, _, text in found] == ["4+/5 strength in the left quadriceps"]


def test_anchored_search_drops_matches_made_by_a_window_cut():
    # the window ends inside "4/55": scanned alone it would read "4/5" there
    text = "Strength was 4/5 in the hip. Value 4/55 on file."
    anchor = re.compile(r"4/5\b")
    cut = text.index("4/55") + 3
    windows = AnchoredWindows(anchor, text, cut - text.index("4/5 in") - 3)
    assert windows.windows[-1][1] == cut
    assert [match.group() for match in windows.finditer(re.compile(r"\d/5\b"))] == ["4/5"]
    assert [match.group() for match in re.compile(r"\d/5\b").finditer(text, 0, cut)] == ["4/5", "4/5"]


def test_anchored_search_without_anchor_finds_nothing():
    windows = AnchoredWindows(MOTOR_ANCHOR, "Motor strength is normal throughout.", FINDING_REACH)
    assert windows.windows == []
    assert windows.search(MOTOR) is None
