"""Speaker attribution, sentence by sentence (index/speakers.py, index/speech.py). Pure."""

from __future__ import annotations

import pytest

from bot.engine.index.speakers import attribute
from bot.engine.text import sentence_spans


def speakers(text: str) -> list[str | None]:
    spans: list[tuple[int, int]] = []
    start = 0
    for para in text.split("\n\n"):
        spans += [(start + a, start + b) for a, b in sentence_spans(para)]
        start += len(para) + 2
    return attribute(text, spans)


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("“We are ready,” Peskov said.", "Peskov"),
        ("“We are ready,” said Kremlin spokesman Dmitry Peskov.", "Dmitry Peskov"),
        ("Peskov, the Kremlin spokesman, told reporters that talks were stalled.", "Peskov"),
        (
            "Russian President Vladimir Putin has repeatedly said the goals remain.",
            "Vladimir Putin",
        ),
        (
            "According to Ukraine's top negotiator Rustem Umerov, the talks went well.",
            "Rustem Umerov",
        ),
        ("The Kremlin insists any deal must include the regions.", "the Kremlin"),
        ("Trump said Putin wants peace.", "Trump"),  # the one who says it, not the one spoken of
        ("Zelenskyy met Trump in Rome on Saturday.", None),
        ("Putin has been accused of stalling the talks.", None),  # a passive
        ("Peskov's remarks were dismissed in Kyiv.", None),  # a possessive is no subject
        ("“Putin said no,” a source claimed.", None),  # a verb inside the quotation is not its own
        ("Vladimir Putin: Thank you very much, colleagues.", "Vladimir Putin"),
        (
            "Mykhailo Podolyak, Adviser to the Head of the Office of the President of Ukraine and a "
            "member of the Ukrainian delegation at the negotiations with Russia, said this.",
            "Mykhailo Podolyak",
        ),
        ("A member of the delegation at the talks with Russia said this.", None),
    ],
)
def test_one_sentence(sentence: str, speaker: str | None) -> None:
    assert speakers(sentence) == [speaker]


def test_references_resolve_to_the_speaker_named_before() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov spoke on Monday. Peskov said the talks would go on.\n\n"
        "He added that a meeting was possible. “We will see,” he told reporters.\n\n"
        "Ukraine's delegation arrived in Istanbul.\n\nThe next round starts on Friday.\n\n"
        "He said nothing else."
    )
    assert speakers(text) == [None, "Peskov", "Peskov", "Peskov", None, None, None]


def test_a_transcript_label_holds_until_the_next_and_a_question_is_nobodys() -> None:
    text = (
        "President of Russia Vladimir Putin: Good afternoon. We have much to discuss today. "
        "Question: What about the talks? Prime Minister of Hungary Viktor Orban (retranslated): "
        "Thank you very much."
    )
    assert speakers(text) == ["Vladimir Putin", "Vladimir Putin", None, "Viktor Orban"]


def test_this_was_stated_by_covers_the_lede_before_it() -> None:
    text = (
        "Security guarantees are key. The talks continue. This was stated by Adviser "
        "to the Head of the Office of the President Mykhailo Podolyak in an interview. According "
        "to him, progress is slow."
    )
    assert speakers(text) == ["Mykhailo Podolyak"] * 4


def test_a_quotation_split_over_sentences_belongs_to_whoever_ends_it() -> None:
    lead = "Volodymyr Zelenskyy addressed the nation. "
    text = '"We will not give up. We will fight. We will win," the President said of it.'
    spans = [(0, 21), (22, 37), (38, len(text))]
    shifted = [(a + len(lead), b + len(lead)) for a, b in spans]
    got = attribute(lead + text, [(0, len(lead) - 1), *shifted])
    assert got == [None] + ["Volodymyr Zelenskyy"] * 3
