"""reviews.guidance.tone: snobbery and virtue signaling, precise first, fast on any text.

Two sentences below quote the SubstanReview training reviews (Apache-2.0): Guo, Shang, Rennard,
Vazirgiannis, Clavel, "Automatic Analysis of Substantiation in Scientific Peer Reviews", Findings
of EMNLP 2023.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reviews.guidance.regex_syntax as rx
from reviews.guidance import tone
from reviews.guidance.tone import (
    KNOWN_MISSES_FIXED,
    MAX_HITS_PER_RULE,
    SNOBBERY,
    VIRTUE_SIGNALING,
    ToneHit,
    find_tone,
    main,
)

TRAIN = Path(__file__).resolve().parents[3] / "data" / "substanreview" / "train.jsonl"


def assert_valid(text: str, hits: list[ToneHit]) -> None:
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end] == hit.evidence
        assert hit.category in (SNOBBERY, VIRTUE_SIGNALING)
    starts = [h.start for h in hits]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))


def only(text: str) -> ToneHit:
    hits = find_tone(text)
    assert_valid(text, hits)
    assert len(hits) == 1, hits
    return hits[0]


# ------------------------------------------------------------------------------ caught


def test_it_catches_an_insult() -> None:
    hit = only("You must be a moron to propose this.")
    assert (hit.category, hit.kind, hit.evidence) == (SNOBBERY, "insult", "moron")


def test_it_catches_this_mess() -> None:
    hit = only("This mess of a paper should be withdrawn.")
    assert (hit.category, hit.kind) == (SNOBBERY, "contempt")
    assert "mess" in hit.evidence


def test_it_catches_shouted_fraud() -> None:
    hit = only("This is FRAUD.")
    assert (hit.category, hit.kind) == (SNOBBERY, "accusation")
    assert "FRAUD" in hit.evidence


def test_it_catches_an_accusation_of_dishonesty() -> None:
    hit = only("The authors are dishonest about their baselines.")
    assert (hit.category, hit.kind, hit.evidence) == (SNOBBERY, "accusation", "dishonest")


def test_it_catches_sarcasm() -> None:
    hit = only("Wow, what a novel idea: adding another layer.")
    assert (hit.category, hit.kind) == (SNOBBERY, "sarcasm")
    hit = only("They add a layer and call it an architecture. How original.")
    assert (hit.kind, hit.evidence) == ("sarcasm", "How original")


def test_it_catches_every_known_miss_of_the_old_lexicon() -> None:
    for text, category, kind in KNOWN_MISSES_FIXED:
        hit = only(text)
        assert (hit.category, hit.kind) == (category, kind), text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The authors clearly have no idea what they are doing.", "condescension"),
        ("Any first-year student could have come up with this.", "condescension"),
        ("The whole paper is a waste of the reviewers' time.", "dismissal"),
        ("The authors conveniently omit the strongest baseline.", "accusation"),
        ("Congratulations, the authors have rediscovered bilinear interpolation.", "sarcasm"),
    ],
)
def test_it_catches_other_snobbery(text: str, kind: str) -> None:
    hit = only(text)
    assert (hit.category, hit.kind) == (SNOBBERY, kind)


@pytest.mark.parametrize(
    "text",
    [
        "I hold my own papers to a much higher standard.",
        "By my standards, this is not a publishable contribution.",
        "As a senior researcher, I find the level of this work disappointing.",
        "Unlike many reviewers, I actually read the appendix.",
        "I would be embarrassed to put my name on this work.",
    ],
)
def test_it_catches_virtue_signaling(text: str) -> None:
    assert only(text).category == VIRTUE_SIGNALING


# ------------------------------------------------------------------------------ never flagged


@pytest.mark.parametrize(
    "text",
    [
        # humility
        "As a non expert in this area, I am not convinced by the evaluation.",
        "I am not an expert in table QA, and I may have missed related work.",
        "I have no idea why the loss diverges after epoch 3.",
        "As an expert in parsing, I found the appendix helpful.",
        # "trivial" in its technical and negated uses, and as a plain judgement
        "It is neither easy nor trivial to make such considerable performance improvements.",
        "This is not trivial, and the non-trivial case is handled in Section 4.",
        "The trivial solution is excluded by the constraint; the trivial baseline gets 50%.",
        "We reuse the trivial data D of the authors.",
        # names, politeness, technical terms
        "The resource Yet Another RussNet (YARN) is used for Russian.",
        "Congratulations.",
        "Congratulations on a fine paper, and kudos for releasing the code.",
        "The Stupid Backoff smoothing of Brants et al. is the language model.",
        "An embarrassingly simple approach, as the title says.",
        "We evaluate on credit card fraud detection and fraudulent transactions.",
        "The model learns to fool the classifier with dishonest answers.",
        "Message passing in the rank space is a neat trick.",
        "The notation is a bit of a mess in places.",
        # negated
        "This is not a joke: the dataset is small.",
        "I do not think the authors are dishonest; the comparison is just unclear.",
        # questions and ordinary uses of the trigger words
        "How novel is the method compared to X?",
        "It is unclear how novel the contribution is.",
        "The authors do not understand why the baseline fails, they say in Section 4.",
        "We follow standard practice; our standard setup uses the gold standards.",
        "I care about the comparison in Table 2 because it is the main claim.",
        "The main novelty lies in the analysis.",
        # mentioned, not used: toxicity lexicons, humour and deception data
        "The lexicon contains insults such as idiot and moron.",
        "The task is to decide whether a tweet is a joke.",
        "Participants lied about their age, they admit, and dishonest workers were removed.",
        # sincere uses of the sarcasm and virtue wordings
        "This paper is a nice try at combining parsing and generation.",
        "Who would have thought that a character model works this well!",
        "Wow, what an impressive result!",
        "A truly groundbreaking contribution.",
        "Any student can use the tool without training.",
        "In my lab, we always use five seeds, which might help here.",
        "I would not submit this to a main venue; a workshop fits better.",
    ],
)
def test_it_never_flags(text: str) -> None:
    assert find_tone(text) == []


@pytest.mark.parametrize(
    "text",
    [
        'The authors write "this mess of a baseline is a joke" in Section 2.',
        "The paper says “our rivals are morons” on page 3.",
        "In the abstract: 'a fraudulent claim of novelty'.",
        "The phrase ``how original.'' is a sarcastic example in their corpus.",
        # From the training reviews (SubstanReview, Apache-2.0): quoted, so not the reviewer's.
        'Based on the examples, it seems to be a very "dumb" baseline.',
        'for example, "Japanese people are stupid" is not a commonly-held belief',
    ],
)
def test_it_never_flags_quoted_words(text: str) -> None:
    assert find_tone(text) == []


# ------------------------------------------------------------------------------ hand check


def test_it_passes_the_hand_check_on_the_training_reviews(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not TRAIN.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{TRAIN} is missing: CI must check the verdicts on the training reviews")
        pytest.skip(f"{TRAIN} is not here")
    status = main(["--check", str(TRAIN)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "snobbery: hits=" in out


def test_it_fails_the_check_when_a_hit_has_no_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "reviews.jsonl"
    data.write_text('{"review": "You must be a moron.", "label": []}\n', encoding="utf-8")
    verdicts = tmp_path / "verdicts.tsv"
    verdicts.write_text("review\tstart\tcategory\tevidence\tverdict\treason\n", encoding="utf-8")
    assert main(["--check", str(data), "--verdicts", str(verdicts)]) == 1
    assert "without a verdict" in capsys.readouterr().out
    verdicts.write_text(
        "review\tstart\tcategory\tevidence\tverdict\treason\n0\t14\tsnobbery\tmoron\twrong\ttest\n",
        encoding="utf-8",
    )
    assert main(["--check", str(data), "--verdicts", str(verdicts)]) == 1  # precision 0
    verdicts.write_text(
        "review\tstart\tcategory\tevidence\tverdict\treason\n"
        "0\t14\tsnobbery\tmoron\tright\ta | pipe\n",
        encoding="utf-8",
    )
    assert main(["--check", str(data), "--verdicts", str(verdicts)]) == 0
    capsys.readouterr()
    assert main(["--markdown", str(data), "--verdicts", str(verdicts)]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("## Tone flags on the training reviews, read by hand")
    assert "a \\| pipe" in markdown


# ------------------------------------------------------------------------------ any text

ADVERSARIAL = [
    "a" * 100_000,
    "bad\n" * 25_000,
    '"' * 100_000,
    "moron " * 20_000,
    "'a" * 50_000,
    " 'moron" * 14_286,
    '"moron" ' * 12_500,
    "Wow, how original. " * 5_000,
    "the authors do not " * 5_000,
    "I hold " + "x " * 50_000,
    "FRAUD " * 16_000,
    "‘a’b" * 25_000,
    "`a" * 50_000,
    "\u0130" * 100_000,  # "İ".lower() is two characters
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_it_handles_100_kb_adversarial_texts(text: str) -> None:
    hits = find_tone(text)
    assert_valid(text, hits)


def test_it_caps_a_flood_of_hits_and_keeps_the_first() -> None:
    text = "moron " * 20_000
    hits = find_tone(text)
    assert len(hits) == MAX_HITS_PER_RULE
    assert hits[0].start == 0
    assert {h.evidence for h in hits} == {"moron"}
    assert find_tone('"moron" ' * 12_500) == []


def nested_repeat(items: list[rx.Item], inside: bool = False) -> bool:
    for op, arg in items:
        if op == rx.REPEAT:
            if inside or nested_repeat(arg[2], True):
                return True
        elif op == rx.SUBPATTERN:
            if nested_repeat(arg, inside):
                return True
        elif op == rx.BRANCH:
            if any(nested_repeat(branch, inside) for branch in arg):
                return True
        elif op in (rx.ASSERT, rx.ASSERT_NOT) and nested_repeat(arg[1], inside):
            return True
    return False


def test_it_has_no_regex_with_a_nested_quantifier() -> None:
    patterns = [rule.pattern.pattern for rule in tone._RULES]
    patterns += [p.pattern for p in tone._QUOTES] + [tone._NEGATOR.pattern, tone._MENTION.pattern]
    for pattern in patterns:
        assert not nested_repeat(rx.parse(pattern)), pattern


FRAGMENTS = [
    "moron",
    " this mess",
    "FRAUD",
    " the authors are dishonest",
    "Wow, what a novel idea:",
    " How original.",
    " I hold myself to higher standards",
    " not ",
    " a joke",
    '"',
    "“",
    "”",
    "'",
    "`",
    "\n",
    ". ",
    "İ",
    "ß",
    "\ud800",
    "Yet Another",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=30).map("".join))
def test_it_gives_valid_offsets_on_random_texts(text: str) -> None:
    assert_valid(text, find_tone(text))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_it_never_raises(text: str) -> None:
    assert_valid(text, find_tone(text))
