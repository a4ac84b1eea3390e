"""A fake Discord on 127.0.0.1 that the real discord.py client connects to — for e2e tests.

How a bot connects to it (discord.py 2.7):

1. REST: set ``discord.http.Route.BASE = fake.api_base`` (``http://127.0.0.1:PORT/api/v10``)
   BEFORE ``login()``/``start()``. Every REST call — including interaction callbacks, follow-ups
   and ``@original`` edits, which go through ``discord.webhook.async_`` — builds its URL from
   ``Route.BASE`` when the Route is created, so this one assignment covers them all.
2. Gateway: a plain ``discord.Client``/``commands.Bot`` never calls ``GET /gateway/bot``; it
   connects to the class attribute ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``
   (``wss://gateway.discord.gg/``), and falls back to it again after an INVALID_SESSION. So
   also set ``DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)``, where ``url`` comes from
   ``GET /gateway/bot`` — e.g. in ``setup_hook`` (the HTTP session exists by then and
   ``connect()`` has not started yet)::

       if settings.discord_api_base:
           Route.BASE = settings.discord_api_base.rstrip("/")        # before login
       ...
       async def setup_hook(self) -> None:
           if settings.discord_api_base:
               _, url, _ = await self.http.get_bot_gateway()
               DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

   (``AutoShardedClient`` does call ``/gateway/bot`` and uses its URL; plain clients do not.)
   After READY, resumes use ``resume_gateway_url``, which the fake points back at itself.
3. Token: ``fake.token``. Attachment URLs in interactions point at the fake
   (``http://127.0.0.1:PORT/attachments/{id}/{name}``): read them with ``Attachment.read()``;
   a URL fetcher that refuses loopback addresses will (rightly) refuse them.

Usage::

    async with FakeDiscord() as fake, running(MyBot(...), fake):
        rec = await fake.slash("ask", {"question": "Who met in Istanbul?"})
        [answer] = await rec.wait_final()
        fake.assert_clean()

Threads, buttons and modals: ``fake.grant_bot(CREATE_PUBLIC_THREADS)`` lets the bot start
threads (``POST /channels/{c}/messages/{m}/threads``; without the permission: 403 and a
``missing_permission`` violation); ``fake.thread_of(message)`` is the thread started on a message
(its id is the message's, as on Discord), and ``fake.message(..., channel_id=thread.id)`` or
``fake.slash(..., channel_id=thread.id)`` speak in it. ``fake.click(message, custom_id)`` clicks a
button the message shows; ``fake.submit_modal(click_record, {input_custom_id: text})`` submits the
modal a click was answered with. Rows, buttons, modals and thread names are checked like
Discord does (``fakediscord/components.py``).

``point_discord_py_at(fake)`` does steps 1–2 for a client that has no such setting;
``discord_py_globals()`` restores both attributes after a test.
"""

from .fakediscord import (
    CallbackRecord,
    FakeAttachment,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMessage,
    FakeRole,
    FakeUser,
    InteractionRecord,
    SentFile,
    SentPayload,
    Violation,
    discord_py_globals,
    point_discord_py_at,
    running,
)

__all__ = [
    "CallbackRecord",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMessage",
    "FakeRole",
    "FakeUser",
    "InteractionRecord",
    "SentFile",
    "SentPayload",
    "Violation",
    "discord_py_globals",
    "point_discord_py_at",
    "running",
]
