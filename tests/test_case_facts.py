"""Case facts: the reviewer's credentials said in a sentence rather than in the header's two lines."""
import pytest

TOP = ("Notice of Independent Medical Review Determination\n\nDated: 10/02/2013\n\n"
       "Medical Qualifications of the Expert Reviewer:\n")
SUMMARY = "\n\nCase Summary:\nThe patient is a 52 year old female who was injured on 03/11/2012.\n"


@pytest.mark.parametrize("sentence,reviewer", [
    ("The reviewer is Board Certified in Physical Medicine and Rehabilitation, has a subspecialty in Interventional "
     "Spine, and is licensed to practice in California.",
     {"specialty": "Physical Medicine and Rehabilitation", "subspecialty": "Interventional Spine", "licensed_in": "California", "licensed_states": ["California"]}),
    ("The Physician Reviewer is Board Certified in Neurological Surgery with a subspecialty in\nSpine\n\nSurgery and is "
     "licensed in Arizona.",
     {"specialty": "Neurological Surgery", "subspecialty": "Spine Surgery", "licensed_in": "Arizona", "licensed_states": ["Arizona"]}),
    ("The professional reviewer is Board Certified in Internal Medicine, is\n\nlicensed in Idaho and Montana, and has "
     "no affiliation with any party.",
     {"specialty": "Internal Medicine", "subspecialty": None, "licensed_in": "Idaho and Montana", "licensed_states": ["Idaho", "Montana"]}),
    ("The reviewer is Board Certified in Orthopedic Surgery, holds licenses in New Mexico, Texas and\nNew York, and "
     "treats shoulder disorders.",
     {"specialty": "Orthopedic Surgery", "subspecialty": None, "licensed_in": "New Mexico, Texas and New York",
      "licensed_states": ["New Mexico", "Texas", "New York"]}),
    ("The reviewer is Board Certified in Family Medicine with added qualification in Sports Medicine.",
     {"specialty": "Family Medicine", "subspecialty": "Sports Medicine", "licensed_in": None, "licensed_states": []}),
    ("The reviewer is Board Certified in Neurology and in Sleep Medicine, is licensed in Oregon, and reads EMGs.",
     {"specialty": "Neurology", "subspecialty": "Sleep Medicine", "licensed_in": "Oregon", "licensed_states": ["Oregon"]}),
    ("The physician reviewer is Board Certified in Anesthesiology and Pain Medicine, is licensed in Nevada.",
     {"specialty": "Anesthesiology", "subspecialty": "Pain Medicine", "licensed_in": "Nevada", "licensed_states": ["Nevada"]}),
    ("The reviewer is Board Certified in Obstetrics and\nGynecology and is licensed in Hawaii.",
     {"specialty": "Obstetrics and Gynecology", "subspecialty": None, "licensed_in": "Hawaii", "licensed_states": ["Hawaii"]}),
    ("The reviewer is Board Certified in Physical Medicine & Rehabilitation and Pain Medicine with added "
     "qualification in Brain Injury Medicine.",
     {"specialty": "Physical Medicine & Rehabilitation", "subspecialty": "Pain Medicine, Brain Injury Medicine",
      "licensed_in": None, "licensed_states": []}),
])
def test_case_facts_reviewer_credentials_in_a_sentence(nlp, sentence, reviewer):
    record = nlp(TOP + sentence + SUMMARY)._.imr_record
    assert record["reviewer"] == reviewer
    assert (record["patient"], record["dates"]["decision"]) == ({"age": 52, "sex": "female"}, "2013-10-02")


def test_case_facts_header_credentials_come_before_a_sentence(nlp):
    text = ("State(s) of Licensure: California, Nevada\nCertification(s)/Specialty: Orthopedic Surgery, Hand Surgery\n\n"
            "CLINICAL CASE SUMMARY\nThe reviewer is Board Certified in Psychiatry and is licensed in Utah.\n")
    assert nlp(text)._.imr_record["reviewer"] == {
        "specialty": "Orthopedic Surgery", "subspecialty": "Hand Surgery", "licensed_in": "California, Nevada",
        "licensed_states": ["California", "Nevada"]}


def test_case_facts_dated_is_the_decision_date_only_where_it_opens_a_line(nlp):
    opening = nlp(TOP + "The reviewer is Board Certified in Neurology." + SUMMARY)._.imr_record["dates"]["decision"]
    inside = nlp(TOP.replace("\n\nDated:", " The appeal letter Dated:") + SUMMARY)._.imr_record["dates"]["decision"]
    assert (opening, inside) == ("2013-10-02", None)


def test_case_facts_licensed_states_are_canonical_and_in_order():
    from spacy_imr.case_facts import licensed_states

    assert licensed_states("california,NORTH  carolina / West Virginia and California") == [
        "California", "North Carolina", "West Virginia"]
    assert licensed_states("Arkansas") == ["Arkansas"]
    assert licensed_states(None) == licensed_states("the Province of Ontario") == []
