"""The bot speaks the asker's language through the fake Discord: a Ukrainian question gets its
answer's labels and buttons in Ukrainian around the English quote, a Russian user's client gets
the buttons' replies in Russian, errors about a question come in its language, and the slash
commands carry their Ukrainian and Russian names."""

from __future__ import annotations

import pytest

from bot.chat.views import DOWN_ID, UP_ID
from bot.engine.engine import Engine

from .conftest import StartBot, embed_text
from .fakediscord import FakeDiscord
from .fakediscord.records import FakeMessage
from .talks_corpus import ASK_KREMLIN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]
ASK_KREMLIN_UK = "Чого вимагає Кремль для припинення вогню?"
ASK_KREMLIN_RU = "Чего требует Кремль для прекращения огня?"
QUOTE = "The Kremlin insists any peace deal must include Ukraine's withdrawal"


def footer(message: FakeMessage) -> str:
    return "\n".join((e.get("footer") or {}).get("text") or "" for e in message.embeds)


def labels(message: FakeMessage) -> list[str]:
    return [c.get("label") or "" for row in message.components for c in row["components"]]


async def test_a_ukrainian_question_gets_ukrainian_labels_around_the_english_quote(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):  # the user's Discord is in English: the question counts
        rec = await fake.slash("ask", {"question": ASK_KREMLIN_UK})
        [answer] = await rec.wait_final(timeout=30)
        question = await fake.message(ASK_KREMLIN_RU, mention_bot=True)
        reply = await fake.wait_message(reply_to=question, timeout=30)
    assert answer.embeds[0]["title"] == ASK_KREMLIN_UK
    text = embed_text(answer)
    assert "**Джерела**" in text and "Sources" not in text
    assert QUOTE in text  # quoted verbatim, in the article's English
    assert "[Kremlin sets terms for a ceasefire](https://example.org/kremlin-terms)" in text
    assert footer(answer).endswith("Речення процитовано з наведених статей")
    assert labels(answer) == ["Допомогло", "Не допомогло"]
    assert "**Источники**" in embed_text(reply) and QUOTE in embed_text(reply)
    assert footer(reply).endswith("Предложения процитированы из приведённых статей")
    assert labels(reply) == ["Помогло", "Не помогло"]
    fake.assert_clean()


async def test_a_russian_users_discord_gets_the_buttons_replies_in_russian(
    fake: FakeDiscord, start_bot: StartBot, fresh_engine: Engine
) -> None:
    async with start_bot(fresh_engine):
        rec = await fake.slash("ask", {"question": ASK_KREMLIN})
        [answer] = await rec.wait_final(timeout=30)
        up = await fake.click(answer, UP_ID, locale="ru")
        [thanks] = await up.wait_final()
        down = await fake.click(answer, DOWN_ID, locale="ru")
        await down.wait_response()
        submitted = await fake.submit_modal(down, {"talks:feedback:reason-text": "не та дата"})
        [noted] = await submitted.wait_final()
        english = await fake.click(answer, UP_ID, user=fake.admin_user, locale="en-GB")
        [counted] = await english.wait_final()
    assert labels(answer) == ["Helpful", "Not helpful"]  # an English question's answer
    assert thanks.ephemeral and thanks.content == (
        "Спасибо — засчитано как полезное. 👎 изменит ваш голос."
    )
    assert down.modal is not None and down.modal["title"] == "Что было не так?"
    [[field]] = [row["components"] for row in down.modal["components"]]
    assert field["label"] == "Что было не так? (необязательно)"
    assert noted.ephemeral and noted.content == "Спасибо — записано."
    assert counted.content.startswith("Thanks — counted as helpful")
    fake.assert_clean()


async def test_errors_about_a_question_are_told_in_its_language(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine, cooldown_rate=1, cooldown_seconds=60):
        date = await fake.slash(
            "ask", {"question": ASK_KREMLIN_UK, "since": "2025-13-01"}, locale="uk"
        )
        [bad_date] = await date.wait_final()
        outlet = await fake.slash("ask", {"question": ASK_KREMLIN_RU, "outlet": "Exampel News"})
        [bad_outlet] = await outlet.wait_final()
        first = await fake.slash("ask", {"question": ASK_KREMLIN})
        await first.wait_final(timeout=30)
        mention = await fake.message(ASK_KREMLIN_RU, mention_bot=True)
        too_soon = await fake.wait_message(reply_to=mention)
        again = await fake.slash("ask", {"question": ASK_KREMLIN_UK})
        [refusal] = await again.wait_final()
    assert bad_date.ephemeral and bad_date.content == (
        "від: потрібна дата у форматі РРРР-ММ-ДД, наприклад 2025-06-01; отримано «2025-13-01»."
    )
    assert bad_outlet.ephemeral and bad_outlet.content == (
        "Нет проиндексированных статей издания «Exampel News». Возможно, вы имели в виду"
        " «Example News»?"
    )
    assert too_soon.content.startswith("Вы спрашиваете слишком часто; попробуйте снова через 6")
    assert refusal.ephemeral and refusal.content.startswith("Ви запитуєте надто часто")
    fake.assert_clean()


async def test_the_slash_commands_are_named_in_ukrainian_and_russian(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        ask = fake.world.commands.find("ask", fake.guild_id)
        timeline = fake.world.commands.find("timeline", fake.guild_id)
    assert ask["name_localizations"] == {"uk": "запитати", "ru": "спросить"}
    assert ask["description_localizations"]["ru"].startswith("Спросите о мирных переговорах")
    assert timeline["name_localizations"] == {"uk": "хронологія", "ru": "хронология"}
    options = {o["name"]: o["name_localizations"]["uk"] for o in ask["options"]}
    assert options == {"question": "питання", "since": "від", "until": "до", "outlet": "видання"}
    talks = fake.world.commands.find("talks", fake.guild_id)
    assert not talks.get("name_localizations")  # the admins' commands keep their names
    fake.assert_clean()


async def test_a_timeline_asked_in_ukrainian_is_labelled_in_ukrainian(
    fake: FakeDiscord, start_bot: StartBot, shared_engine: Engine
) -> None:
    async with start_bot(shared_engine):
        rec = await fake.slash("timeline", {"party": "Росія", "topic": "умови перемир'я"})
        [shown] = await rec.wait_final(timeout=30)
    assert shown.embeds[0]["title"] == "Russia про «умови перемир'я»"
    assert footer(shown).endswith(", спершу найдавніші · дослівно з наведених статей")
    assert QUOTE in embed_text(shown)  # the statement as the article wrote it
    fake.assert_clean()
