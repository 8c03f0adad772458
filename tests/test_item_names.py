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


def test_item_names_closest_item_by_most_words():
    """A determination may name its item in other words than the issue list: the item that holds most of
    the mention's words, at least half of them and more than any other item, is the one named."""
    from spacy_imr.item_names import closest_item

    items = {item_name(text): index for index, text in enumerate([
        "MRI of the right shoulder without contrast", "Physical therapy 2 times a week for 6 weeks, right shoulder",
        "Functional restoration program x 160 hours", "Acupuncture 2 x 4, lumbar spine"])}
    assert closest_item(item_name("the shoulder MRI"), items) == 0
    assert closest_item(item_name("physical therapy twice weekly"), items) == 1
    assert closest_item(item_name("160-hour functional restoration program"), items) == 2
    assert closest_item(item_name("8 additional acupuncture sessions"), items) == 3
    assert closest_item(item_name("right shoulder"), items) is None  # two items hold it as much
    assert closest_item(item_name("cervical epidural steroid injection"), items) is None
    assert closest_item(item_name("additional sessions"), {}) is None
