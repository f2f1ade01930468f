"""The terminal chat: type as a resident would, read the bot's replies."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.channels.base import numbered
from bot.core.engine import Engine
from bot.core.messages import Inbound, Reply

QUIT_WORDS = {"/thoat", "/quit", "/exit", "thoat", "quit", "exit"}
BANNER = (
    "Trò chuyện với Học vụ số bot trong cửa sổ dòng lệnh.\n"
    "Gõ /thoat (hoặc Ctrl+D) để thoát. Gõ số để chọn, gõ 0 để về menu.\n"
)


class ConsoleChannel:
    """Read lines from a text stream and print replies, numbered options included."""

    name = "console"

    def __init__(
        self,
        engine: Engine,
        user: str = "local",
        display_name: str | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self.engine = engine
        self.user = user
        self.display_name = display_name or f"Người dùng {user}"
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    def render(self, reply: Reply) -> str:
        """Render one reply as terminal text."""
        text = numbered(reply)
        if reply.document is not None:
            text += f"\n[tệp đính kèm: {reply.filename or 'tệp'}]"
        if reply.photo is not None:
            text += "\n[ảnh đính kèm]"
        return text

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Print one reply."""
        self.stdout.write("\n🤖 " + self.render(reply).replace("\n", "\n   ") + "\n")
        self.stdout.flush()
        return None

    async def edit(self, chat_id: str, message_ref: str, text: str) -> bool:
        """A terminal cannot change what it printed."""
        return False

    async def say(self, text: str) -> list[Reply]:
        """Send one line as the user and print the replies."""
        outcome = await self.engine.handle(
            Inbound(
                channel=self.name,
                external_id=self.user,
                chat_id=self.user,
                text=text,
                display_name=self.display_name,
            )
        )
        for reply in outcome.replies:
            await self.send(self.user, reply)
        return outcome.replies

    async def run(self, first: str | None = "/start") -> None:
        """Chat until the user quits or input ends."""
        self.stdout.write(BANNER)
        if first:
            await self.say(first)
        while True:
            self.stdout.write("\n🧑 ")
            self.stdout.flush()
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                self.stdout.write("\nTạm biệt! 👋\n")
                return
            if line.strip().lower() in QUIT_WORDS:
                self.stdout.write("Tạm biệt! 👋\n")
                return
            await self.say(line.rstrip("\n"))
