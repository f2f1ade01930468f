"""The terminal chat: type as a resident would, read the bot's replies and the files it sends."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.channels.base import ChannelHost, numbered
from bot.core.messages import Inbound, Reply

QUIT_WORDS = {"/thoat", "/quit", "/exit", "thoat", "quit", "exit"}
BANNER = (
    "Trò chuyện với Học vụ số bot trong cửa sổ dòng lệnh.\n"
    "Gõ /thoat (hoặc Ctrl+D) để thoát. Gõ số để chọn, gõ 0 để về menu.\n"
)
SAVED = "[tệp đã lưu: {path}]"


class ConsoleChannel:
    """Read lines from a text stream and print replies, numbered options included.

    Files and charts sent to the console user are saved under `files_dir`, and the path is
    printed; messages the outbox sends (reminders, notices) are printed as they go out.
    """

    name = "console"

    def __init__(
        self,
        host: ChannelHost,
        user: str = "local",
        display_name: str | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.host = host
        self.user = user
        self.display_name = display_name or f"Người dùng {user}"
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.files_dir = files_dir or Path("hocvuso-files")
        host.attach(self)

    def save(self, data: bytes, filename: str) -> Path:
        """Save a file the bot sent, without overwriting an earlier one."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        target = self.files_dir / Path(filename).name
        stem, suffix, n = target.stem, target.suffix, 1
        while target.exists():
            n += 1
            target = self.files_dir / f"{stem}-{n}{suffix}"
        target.write_bytes(data)
        return target

    def render(self, reply: Reply) -> str:
        """Render one reply as terminal text, saving its file if it has one."""
        text = numbered(reply)
        data = reply.photo if reply.photo is not None else reply.document
        if data is not None:
            default = "bieu-do.png" if reply.photo is not None else "tep"
            path = self.save(data, reply.filename or default)
            text += "\n" + SAVED.format(path=path)
        return text

    async def start(self) -> None:
        """Nothing to connect: the terminal is there."""

    async def stop(self) -> None:
        """Nothing to release."""

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Print one reply."""
        self.stdout.write("\n🤖 " + self.render(reply).replace("\n", "\n   ") + "\n")
        self.stdout.flush()
        return None

    async def edit(self, chat_id: str, message_ref: str, text: str) -> bool:
        """A terminal cannot change what it printed."""
        return False

    async def say(self, text: str) -> list[Reply]:
        """Send one line as the user; the replies are printed as they are sent."""
        outcome = await self.host.receive(
            Inbound(
                channel=self.name,
                external_id=self.user,
                chat_id=self.user,
                text=text,
                display_name=self.display_name,
            )
        )
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
