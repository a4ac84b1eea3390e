"""Pointing the real discord.py at a FakeDiscord, and running a client against it in a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def discord_py_globals() -> Iterator[None]:
    """Restore the two class attributes a fake-pointed client changes, whatever happens."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def point_discord_py_at(fake: FakeDiscord) -> None:
    """What a bot does when configured for another API base (see fake_discord.py's note)."""
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)


@contextlib.asynccontextmanager
async def running(
    client: ClientT, fake: FakeDiscord, *, token: str | None = None, timeout: float = 15.0
) -> AsyncIterator[ClientT]:
    """Run `client.start()` in the background until the fake gateway is ready; close it after.

    If the client dies first (bad token, crash in setup_hook…), its exception is raised here.
    """
    task = asyncio.create_task(client.start(token or fake.token), name="fake-discord-client")
    ready = asyncio.create_task(fake.wait_ready(timeout))
    try:
        done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
            raise RuntimeError("the client stopped before the gateway was ready")
        ready.result()
        yield client
    finally:
        ready.cancel()
        await client.close()
        try:
            await asyncio.wait_for(task, timeout=5)
        except TimeoutError:
            task.cancel()
