"""Names in addressing position, and the same words where they address nobody."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.inference.mentions import NameBook, person_key
from bot.inference.words import Normalised

PEOPLE = ("DC Loser", "Bithead", "Michael", "Juho§", "tequila", "Rear Admiral Smith")


def book(*people: str, post_author: str = "James Joyner") -> NameBook:
    names = NameBook(post_author)
    for seq, name in enumerate(people or PEOPLE, start=1):
        names.add_comment(name, seq)
    return names


def addressed(text: str, speaker: str = "legion", names: NameBook | None = None) -> list[str]:
    """Person keys addressed in ``text``."""
    return [m.person for m in (names or book()).addressed(text, person_key(speaker))]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("DC Loser, you keep saying that.", "dc loser"),
        ("DC, you keep saying that.", "dc loser"),
        ("I'm not sure I buy that one, either, DC.", "dc loser"),
        ("Well, Bit, you left out the reason.", "bithead"),
        ("So, Bithead, under what condition would you leave?", "bithead"),
        ("Wha? Bithead, that doesn't pass the smell test.", "bithead"),
        ("@Michael that's not what the record shows.", "michael"),
        ("Hi Michael you are right about that.", "michael"),
        ("Bithead you're wrong about Japan.", "bithead"),
        ("Bithead you’re wrong about Japan.", "bithead"),
        ("@Juho§ where did you read that?", "juho§"),
        ("Juho: where did you read that?", "juho§"),
        ("Tequila, you and I agree for once.", "tequila"),
        ("Not much critical thinking here, James.", "james joyner"),
        ("Well, DC.", "dc loser"),
        ("Ah, Michael, you again.", "michael"),
        ("Oh, Michael you again.", "michael"),
        ("Thank you Michael.", "michael"),
        ("Thanks Michael, good point.", "michael"),
        ("Good point, DC!", "dc loser"),
        ("Rear Admiral Smith, with respect, no.", "rear admiral smith"),
    ],
)
def test_names_in_addressing_position(text: str, person: str) -> None:
    assert addressed(text) == [person]


@pytest.mark.parametrize(
    "text",
    [
        "See https://example.org/michael/archive for the whole story.",
        "I asked michael about it and he had no answer.",
        "Bithead is wrong about Japan.",
        "So Michael thinks we should leave.",
        "Bithead's argument is weak.",
        "Michael Moore said the same.",
        "There is a bit of cover for Iran in all this.",
        "It bit them hard, Bit by bit.",
        "Loser pays, as they say.",
        "We drank tequila, Michael and I.",
        "Michael thinks he is right about the border.",
        "As tequila, I was poured out.",
        "I agree. With Michael gone, nobody argues.",
        "Michael Moore has it right, says the article.",
    ],
)
def test_the_same_words_outside_addressing_position_name_nobody(text: str) -> None:
    assert addressed(text) == []


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("As tequila points out, Sadr was never close to Iran.", "tequila"),
        ("DC has it right - the Iranians are thrilled.", "dc loser"),
        ("But DC has it right, the Iranians are thrilled.", "dc loser"),
        ("No. Michael is right about the border.", "michael"),
        ("Yes, Michael is right about the border.", "michael"),
        ("I agree with Bithead on this one.", "bithead"),
        ("Like Juho said, it is more complicated.", "juho§"),
        ("The point is, Bithead makes a good point there.", "bithead"),
    ],
)
def test_reference_cues_link_to_the_person_referred_to(text: str, person: str) -> None:
    (mention,) = book().addressed(text, "legion")
    assert (mention.person, mention.how) == (person, "reference")


def test_only_people_who_commented_earlier_can_be_addressed() -> None:
    names = NameBook("James Joyner")
    assert addressed("Bithead, you're wrong.", names=names) == []
    names.add_comment("Bithead", 3)
    assert addressed("Bithead, you're wrong.", names=names) == ["bithead"]
    assert names.latest("bithead") == 3
    names.add_comment("Bithead", 7)
    assert names.latest("bithead") == 7, "replies go to the most recent earlier comment"
    assert names.latest("michael") is None


def test_nobody_addresses_themselves() -> None:
    assert addressed("Bithead, you're talking to yourself.", speaker="Bithead") == []


def test_short_form_must_be_capitalised_and_punctuated() -> None:
    assert addressed("Well, Bit, you left out the reason.") == ["bithead"]
    assert addressed("Well, bit, you left out the reason.") == []
    assert addressed("Bit you left out the reason.") == []


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("gl: the quotes say otherwise.", "glasnost"),
        ("Gl, the quotes say otherwise.", "glasnost"),
        ("glas, the quotes say otherwise.", "glasnost"),
        ("@gl the quotes say otherwise.", "glasnost"),
        ("JK: you left out the reason.", "jan kowalski"),
        ("Well, JK, you left out the reason.", "jan kowalski"),
        ("Mil, what would you do instead?", "mildred"),
        ("JKD: that is not what happened.", person_key("John Κώστας Doe")),
        ("MR, you are half right.", "michael reynolds"),
        ("vox, the numbers say otherwise.", "vox_clamantis"),
    ],
)
def test_unique_prefixes_and_initials_in_address_position(text: str, person: str) -> None:
    names = book(
        "glasnost",
        "Jan Kowalski",
        "Michael",
        "Mildred",
        "John Κώστας Doe",
        "Michael Reynolds",
        "vox_clamantis",
    )
    (mention,) = names.addressed(text, "legion")
    assert (mention.person, mention.how) == (person, "short")


@pytest.mark.parametrize(
    "text",
    [
        "Mi, what would you do instead?",
        "So: the quotes say otherwise.",
        "Well, the quotes say otherwise.",
        "gl the quotes say otherwise.",
        "I said gl to him.",
        "jk: you left out the reason.",
        "We met at the gla, it was fun.",
        "Mr, that is what I said.",
        "US: the numbers say otherwise.",
    ],
)
def test_ambiguous_common_or_misplaced_short_forms_name_nobody(text: str) -> None:
    names = book(
        "glasnost", "Jan Kowalski", "Michael", "Mildred", "Sophie", "Wellington", "Uma Singh"
    )
    assert names.addressed(text, "legion") == []


def test_a_shared_first_name_goes_to_who_spoke_last() -> None:
    names = book("DC Loser", "DC Comics", "Michael")
    assert addressed("DC, what say you?", names=names) == ["dc comics"]
    names.add_comment("DC Loser", 4)
    assert addressed("DC, what say you?", names=names) == ["dc loser"]


def test_each_person_is_reported_once_with_the_words_used() -> None:
    names = book()
    found = names.addressed("DC, Michael: both of you, DC, are wrong.", "legion")
    assert [(m.person, m.words) for m in found] == [("dc loser", "DC,"), ("michael", "Michael:")]


def test_accents_and_case_fold_into_one_person() -> None:
    assert person_key("  Renée   DUBOIS ") == person_key("renee dubois") == "renee dubois"
    names = book("Renée Dubois", "Ümit")
    assert addressed("renée dubois, you're right.", names=names) == ["renee dubois"]
    assert addressed("Umit, you're right.", names=names) == ["umit"]


# ---- the quick test on a paragraph's words turns away no paragraph that names someone ----

_NAMES = (*PEOPLE, "O’Brien", "Zoë Brönte", "ΣΑΣ Κώστας", "x" * 45, "Ǆemal", "İlker")
_WORDS = (
    *("DC", "Bit", "Bithead", "@Michael", "@Juho§", "juho§", "Juho", "tequila", "Rear"),
    *("O’Brien", "o'brien", "Zoe", "ZB", "ZOË", "Σας", "ΣΚ", "x" * 45, "Džemal", "İlker"),
    *("ilker", "Well,", "So,", "Hi", "thanks", "you", "you're", "is", "right", "has", "it"),
    *(",", ":", "!", ".", "—", "-", "(", ")", "“", "”", "[sic]", "…", "´", "@", "_"),
)


@settings(max_examples=1000)
@given(
    st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4),
    st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=5)), max_size=20),
    st.sampled_from(("", " ", ", ", ": ")),
)
def test_a_paragraph_turned_away_by_its_words_addresses_nobody(
    people: list[str], tokens: list[str], glue: str
) -> None:
    names = book(*people)
    text = glue.join(tokens)
    with_words = names.addressed(text, "legion", Normalised.of(text))
    assert with_words == names.addressed(text, "legion")
