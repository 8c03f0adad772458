"""An item's name as other text refers to it."""
from spacy_imr.item_names import item_name, name_stems, named_item


def test_item_names_stems_leave_out_words_that_name_no_item():
    stems = name_stems("Retrospective request for 2 lumbar epidural steroid injections, bilateral L4-5, 6 weeks")
    assert stems == {"retros", "lumbar", "epidur", "steroi", "inject"}
    assert name_stems("the lumbar epidural steroid injection is not medically necessary") >= {"lumbar", "inject"}


def test_item_names_mention_names_a_heading_by_its_first_or_last_words():
    items = {item_name(text): text for text in ("Associated surgical service: Home health physical therapy, 6 visits",
                                                "Gel heel cups, bilateral")}
    assert item_name("The requested  Home health physical therapy") == "home health physical therapy"
    assert named_item("home health physical therapy", items).startswith("Associated surgical service")
    assert named_item("heel cups", items) is None  # too short, and neither the first nor the last words
