"""Quote matching: normalised words, the shingle index and its bounded work per paragraph."""

from __future__ import annotations

from benchmarks.synthetic import generate_thread
from bot.inference.quotes import QuoteIndex
from bot.inference.replies import infer_replies_using
from bot.inference.words import Normalised, has_words, segments, sentences, words
from bot.models import ARTICLE, QuoteRef
from bot.sources.capture import parse_thread

LONG = (
    "Iran would respond to an attack by going after the unguarded country, so as to provide "
    "the Islamic extremeists a place to train and to launch attacks from."
)


def index_with(*paragraphs: tuple[int, str, str]) -> QuoteIndex:
    """An index holding ``(seq, author, text)`` own paragraphs, each as paragraph 0."""
    index = QuoteIndex()
    for seq, author, text in paragraphs:
        index.add(seq, 0, author, Normalised.of(text))
    return index


def find(index: QuoteIndex, text: str, *, seq: int = 99, author: str = "x") -> QuoteRef | None:
    return index.find(seq, author, Normalised.of(text), answered=True)


def test_words_ignore_case_accents_quote_marks_and_punctuation() -> None:
    assert words("“Don’t” SAY, it’s «Zoë»!") == words("\"don't\" say it's zoe")
    assert words("don’t") == ["don", "t"]
    assert words("Ελλάδα") == ["ελλαδα"]
    assert not has_words(".") and not has_words(" … ") and has_words("a.")


def test_sentences_and_ellipsis_segments() -> None:
    assert sentences("Well, which one? Any of them. Fine…") == [
        "Well, which one?",
        "Any of them.",
        "Fine…",
    ]
    assert segments("one two three … four five [...] six") == [
        ["one", "two", "three"],
        ["four", "five"],
        ["six"],
    ]
    assert segments("no cut at all") == [["no", "cut", "at", "all"]]


def test_exact_and_near_copies_are_found() -> None:
    index = index_with((3, "bithead", LONG))
    assert find(index, LONG) == QuoteRef(3, 0)
    assert find(index, LONG.replace("extremeists", "extremists")) == QuoteRef(3, 0)
    assert find(index, f"“{LONG}”") == QuoteRef(3, 0)
    assert find(index, LONG.replace(",", ";").rstrip(".")) == QuoteRef(3, 0)
    cut = "Iran would respond to an attack by going after … a place to train and to launch attacks"
    assert find(index, cut) == QuoteRef(3, 0)
    assert find(index, "going after the unguarded country, so as to provide") == QuoteRef(3, 0)


def test_a_different_sentence_on_the_same_subject_is_not_a_copy() -> None:
    index = index_with((3, "bithead", LONG))
    other = "Iran would never attack an unguarded country just to give extremists a base."
    assert find(index, other) is None


def test_only_earlier_paragraphs_can_be_quoted() -> None:
    index = index_with((3, "bithead", LONG))
    assert find(index, LONG, seq=3) is None
    assert find(index, LONG, seq=2) is None


def test_own_paragraphs_under_twelve_words_are_not_self_quotes() -> None:
    short = "I say again, how is that any different at all?"
    index = index_with((3, "bithead", short), (4, "bithead", LONG))
    assert find(index, short, author="bithead") is None
    assert find(index, short, author="michael") == QuoteRef(3, 0)
    assert find(index, LONG, author="bithead") == QuoteRef(4, 0)


def test_short_quotes_need_an_exact_recent_sentence_by_someone_else_and_an_answer() -> None:
    index = index_with((5, "michael", "Well, which one? Al Qaeda has had plenty of chances."))
    norm = Normalised.of("Well, which one?")
    assert index.find(6, "bithead", norm, answered=True) == QuoteRef(5, 0)
    assert index.find(6, "bithead", norm, answered=False) is None
    assert index.find(6, "michael", norm, answered=True) is None
    assert index.find(6, "bithead", Normalised.of("Well, which two?"), answered=True) is None
    assert index.find(5 + index.recent + 1, "bithead", norm, answered=True) is None
    index.forget_short_before(6)
    assert index.find(6, "bithead", norm, answered=True) is None, "forgotten once too old"


def test_very_short_sentences_are_never_quotes() -> None:
    index = index_with((5, "michael", "I agree. Exactly. The rest is the usual noise from him."))
    assert find(index, "I agree.") is None
    assert find(index, "Exactly.") is None


def test_a_short_sentence_two_people_said_is_nobodys_quote() -> None:
    index = index_with(
        (4, "michael", "How exactly is that? I have no idea what he meant."),
        (5, "legion", "How exactly is that? Nobody ever explained it to me."),
    )
    assert find(index, "How exactly is that?") is None


def test_short_quotes_of_the_article_do_not_expire() -> None:
    index = index_with((ARTICLE, "james joyner", "The US blames Iran. Nobody else does."))
    index.forget_short_before(500)
    norm = Normalised.of("The US blames Iran.")
    assert index.find(501, "glasnost", norm, answered=True) == QuoteRef(ARTICLE, 0)


def test_a_phrase_in_many_paragraphs_stops_voting() -> None:
    stock = "when all is said and done the fact of the matter is"
    index = QuoteIndex(cap=3)
    for seq in range(1, 8):
        index.add(seq, 0, f"p{seq}", Normalised.of(f"{stock} number {seq} stands alone here"))
    assert find(index, f"{stock} something entirely new to say") is None
    assert index.stats.max_votes <= 3, "the phrase's shingles no longer list every paragraph"


def test_a_clause_made_mostly_of_a_common_phrase_is_still_found() -> None:
    """Winnowing keeps the source's rare shingles, not the common ones that no longer vote:
    a clause between two stock phrases is found by its two rare words."""
    day, done = "at the end of the day", "when all is said and done"
    index = QuoteIndex(cap=3)
    fillers = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")
    for seq, word in enumerate(fillers, start=1):
        text = f"{word} said {day} and {done} it rained on {word}"
        index.add(seq, 0, f"p{seq}", Normalised.of(text))
    source = f"Well, {done}, guolku osik {day} nobody came back."
    index.add(10, 0, "viysji", Normalised.of(source))
    assert find(index, f"«guolku osik {day}»") == QuoteRef(10, 0)


def test_work_per_paragraph_is_bounded_on_a_large_thread() -> None:
    """Not all pairs: each paragraph verifies at most ``candidates`` sources, however long
    the thread, and looks at a bounded number of candidates."""
    synthetic = generate_thread(600, seed=11)
    thread = parse_thread(synthetic.text, synthetic.source)
    index = QuoteIndex()
    infer_replies_using(thread, index)
    stats = index.stats
    paragraphs = sum(len(c.paragraphs) for c in thread.comments)
    assert stats.queries >= paragraphs * 0.9
    assert stats.max_verifications <= index.candidates
    assert stats.verifications <= index.candidates * stats.queries
    assert stats.max_votes < 64, "candidates per paragraph stay far below the thread's size"
