"""Fuzz players for the real Telegram and Zalo adapters, against the fake Bot API servers.

Well-formed updates are built by the fakes (`push_*`, what users do) and handed to the adapter's
`process_json`, as our webhook does; raw bodies are POSTed to our real webhook endpoint
(bot.web). A person's answers are read back from what the fake API recorded: the messages sent to
their chat, the callback answers, the keyboards left on their messages.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import NUMBER_HINT
from bot.channels.telegram import SPEC as TELEGRAM
from bot.channels.telegram.adapter import GROUP_NOTE, TelegramChannel
from bot.channels.zalo import SPEC as ZALO
from bot.channels.zalo.adapter import ZaloChannel
from bot.channels.zalo.api import ZaloApi
from bot.core.engine import Engine
from bot.core.router import MEDIA, STALE, UNSUPPORTED
from bot.delivery.pipeline import Pipeline
from bot.storage.models import Identity
from bot.web import MAX_BODY, Webhook, WebServer, build_web_app
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import EVENT_TEXT, FakeZalo
from tests.fuzzing.players import Menu, Person, Player, Stats, check_texts, show

SECRET = "fuzz-webhook-secret"
FIRST_TELEGRAM_ID = 20_000_000
TELEGRAM_SENDS = ("sendMessage", "sendPhoto", "sendDocument")
RATE = 1_000_000.0  # no client-side limit: the fakes do not limit either
UNREADABLE = "unreadable telegram update ignored"
ZALO_SEND_FAILED = "zalo %s failed: %s"
_OPTION = re.compile(r"^(\d+)\. (.*)$")


def expected_status(body: bytes, secret: str) -> int:
    """What our webhook must answer: 403 without the secret, 413 too big, 400 unreadable."""
    if secret != "ok":
        return 403
    if len(body) > MAX_BODY:
        return 413
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return 400
    return 200 if isinstance(data, dict) else 400


class WebhookPlayer(Player):
    """What both webhook players share: our web server and raw POSTs to it."""

    path: str
    secret_header: str

    def __init__(self, engine: Engine, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(Stats())
        self.engine = engine
        self.sessions = sessions
        self.web: WebServer | None = None
        self.http: aiohttp.ClientSession | None = None
        self.raw_statuses: dict[int, int] = {}

    async def _start_web(self, hook: Webhook) -> None:
        app = build_web_app(self.sessions.kw["bind"], hooks=[hook])
        self.web = WebServer(app, "127.0.0.1", 0)
        await self.web.start()
        self.http = aiohttp.ClientSession()

    async def _stop_web(self) -> None:
        if self.http is not None:
            await self.http.close()
        if self.web is not None:
            await self.web.stop()

    async def raw(self, body: bytes, secret: str) -> None:
        """POST the body to our webhook; the answer must match what the body deserves."""
        assert self.web is not None
        assert self.http is not None
        headers = {"Content-Type": "application/json"}
        if secret == "ok":
            headers[self.secret_header] = SECRET
        elif secret == "wrong":
            headers[self.secret_header] = "x" + SECRET
        expected = expected_status(body, secret)
        url = f"http://127.0.0.1:{self.web.port}{self.path}"
        try:
            async with self.http.post(url, data=body, headers=headers) as response:
                await response.read()
                status = response.status
        except aiohttp.ClientError as error:
            # A server may close the connection on a body it refuses before reading it all.
            status = 413 if expected == 413 else 0
            failure = repr(error)
        else:
            failure = ""
        self.stats.handled += 1
        self.raw_statuses[status] = self.raw_statuses.get(status, 0) + 1
        assert status == expected, (
            f"{self.path} {show(body)}: {status or failure}, expected {expected}"
        )


class TelegramPlayer(WebhookPlayer):
    """Telegram users against TelegramChannel (python-telegram-bot) and the fake Bot API."""

    channel = "telegram"
    target = "telegram"
    path = "/webhook/telegram"
    secret_header = "X-Telegram-Bot-Api-Secret-Token"

    async def start(self) -> None:
        """Start the fake API, the adapter (initialised, neither polling nor webhook) and web."""
        self.fake = FakeTelegram()
        await self.fake.start()
        self.adapter = TelegramChannel(
            Pipeline(self.engine),
            self.fake.token,
            self.fake.base_url,
            rate=RATE,
            chat_interval=0,
        )
        # Updates come from process_json here; start() would poll the fake and get them twice.
        await self.adapter.bot_api.initialize()
        header = TELEGRAM.webhook_header or ""
        await self._start_web(Webhook("telegram", self.adapter.process_json, SECRET, header))

    async def stop(self) -> None:
        """Stop everything start() started."""
        await self._stop_web()
        await self.adapter.stop()
        await self.fake.stop()

    def account(self, number: int) -> int:
        return FIRST_TELEGRAM_ID + number

    def tolerated(self, kind: str) -> frozenset[str]:
        return frozenset({UNREADABLE}) if kind == "raw" else frozenset()

    # --- feeding updates --------------------------------------------------------------------
    async def _feed(self, updates: list[dict], what: str) -> list[dict]:
        """Hand updates to the adapter at once; return every API send they caused."""
        mark = len(self.fake.sent)
        results = await asyncio.gather(*(self.adapter.process_json(u) for u in updates))
        self.stats.handled += len(updates)
        assert all(ok is True for ok in results), f"{what}: not acknowledged: {results}"
        return [e for e in self.fake.sent[mark:] if e["method"] in TELEGRAM_SENDS]

    def _received(
        self, person: Person, sent: list[dict], what: str, at_least: int = 1
    ) -> list[str]:
        """Check the messages sent to the person's chat; remember their texts and keyboards."""
        mine = [e for e in sent if e["chat_id"] == person.account]
        texts = [e.get("text") or "" for e in mine]
        check_texts(texts, what)
        assert len(mine) >= at_least, f"{what}: {len(mine)} messages for {at_least} inputs"
        self.stats.replies += len(mine)
        menus = []
        for entry in mine:
            rows = (entry.get("reply_markup") or {}).get("inline_keyboard") or []
            options = tuple((b["text"], b.get("callback_data")) for row in rows for b in row)
            if options:
                menus.append(Menu(options, entry["message_id"]))
        person.saw(texts, menus)
        return texts

    def _quiet(self, sent: list[dict], what: str) -> None:
        assert not sent, f"{what}: the bot answered {[e.get('text') for e in sent]!r}"

    def _private(self, person: Person, text: str | None = None, **kwargs: Any) -> dict:
        # Writing to the bot again lifts a block, as on Telegram.
        self.fake.blocked.discard(person.account)
        update = self.fake.push_message(
            person.account, text, first_name=person.name or "Dân", **kwargs
        )
        person.last = update
        return update

    # --- steps ------------------------------------------------------------------------------
    async def say(self, person: Person, text: str) -> None:
        what = f"telegram {person.account} said {show(text)}"
        sent = await self._feed([self._private(person, text)], what)
        self._received(person, sent, what)

    async def tap(self, person: Person, menu: Menu, index: int) -> None:
        label, data = menu.options[index]
        assert menu.ref is not None
        assert data is not None
        await self._press(person, menu.ref, data, f"telegram {person.account} tapped {label!r}")

    async def forge(self, person: Person, data: str) -> None:
        ref = person.menus[-1].ref if person.menus else 1
        assert ref is not None
        await self._press(person, ref, data, f"telegram {person.account} forged {show(data)}")

    async def _press(self, person: Person, ref: int, data: str, what: str) -> None:
        """Tap a button: the spinner stops, old buttons go away, and the bot answers."""
        self.fake.blocked.discard(person.account)
        had_keyboard = self._keyboard(person, ref)
        update = self.fake.push_callback(person.account, ref, data)
        person.last = update
        answered = len(self.fake.answered_callbacks)
        sent = await self._feed([update], what)
        query = update["callback_query"]["id"]
        answers = [
            a for a in self.fake.answered_callbacks[answered:] if a["callback_query_id"] == query
        ]
        assert len(answers) == 1, f"{what}: callback answered {len(answers)} times"
        self.stats.replies += 1
        toast = answers[0]["text"]
        assert toast in (None, STALE), f"{what}: toast {toast!r}"
        texts = self._received(person, sent, what)
        assert toast is None or STALE in texts, f"{what}: refused without a message"
        if had_keyboard:
            assert not self._keyboard(person, ref), f"{what}: the tapped buttons stayed"

    def _keyboard(self, person: Person, ref: int) -> bool:
        return any(
            m["message_id"] == ref and m.get("reply_markup")
            for m in self.fake.messages(person.account)
        )

    async def media(self, person: Person, kind: str, caption: str) -> None:
        what = f"telegram {person.account} sent a {kind} captioned {show(caption)}"
        update = self._private(person, caption or None, kind=kind)
        sent = await self._feed([update], what)
        texts = self._received(person, sent, what)
        assert MEDIA in texts, f"{what}: not told to type instead"

    async def burst(self, person: Person, texts: list[str]) -> None:
        what = f"telegram {person.account} sent at once {show(texts)}"
        updates = [self._private(person, text) for text in texts]
        sent = await self._feed(updates, what)
        self._received(person, sent, what, at_least=len(texts))

    async def other(self, person: Person, variant: str) -> None:
        uid = person.account
        what = f"telegram {uid}: {variant}"
        if variant == "again":
            if person.last is None:
                return
            self._quiet(await self._feed([person.last], what), f"{what} (redelivered)")
        elif variant == "edited":
            update = self.fake.push_message(uid, "sửa lại", edited=True)
            self._quiet(await self._feed([update], what), what)
        elif variant in ("group", "group_command"):
            text = "/hoc" if variant == "group_command" else "xin chao ca nha"
            update = self.fake.push_message(uid, text, chat_type="group")
            sent = await self._feed([update], what)
            group = update["message"]["chat"]["id"]
            if variant == "group_command":
                assert [(e["chat_id"], e["text"]) for e in sent] == [(group, GROUP_NOTE)], what
                self.stats.replies += 1
            else:
                self._quiet(sent, what)
        elif variant == "service":
            user = {"id": uid, "is_bot": False, "first_name": person.name or "Dân"}
            message = {
                "message_id": 1_000_000 + len(self.fake.sent),
                "from": user,
                "chat": {"id": uid, "type": "private", "first_name": user["first_name"]},
                "date": int(time.time()),
                "delete_chat_photo": True,
            }
            self._quiet(await self._feed([self.fake.push_raw({"message": message})], what), what)
        elif variant == "block":
            self._quiet(await self._feed([self.fake.push_block(uid)], what), what)
            async with self.sessions() as session:
                identity = await session.scalar(
                    select(Identity).where(
                        Identity.channel == "telegram", Identity.external_id == str(uid)
                    )
                )
            assert identity is None or identity.unreachable_at is not None, f"{what}: not noted"
        else:
            raise ValueError(variant)


def zalo_menu(text: str) -> Menu | None:
    """The numbered options at the end of a Zalo message, if it has any."""
    body, _, hint = text.rpartition("\n\n")
    if hint != NUMBER_HINT:
        return None
    block = body.rpartition("\n\n")[2].splitlines()
    options = tuple((m[2], None) for line in block if (m := _OPTION.match(line)))
    return Menu(options) if options else None


class ZaloPlayer(WebhookPlayer):
    """Zalo users against ZaloChannel (our aiohttp client) and the fake Zalo Bot API."""

    channel = "zalo"
    target = "zalo"
    path = "/webhook/zalo"
    secret_header = "X-Bot-Api-Secret-Token"

    async def start(self) -> None:
        """Start the fake API, the adapter's API client and our web server."""
        self.fake = FakeZalo()
        await self.fake.start()
        self.adapter = ZaloChannel(
            Pipeline(self.engine),
            self.fake.token,
            self.fake.base_url,
            rate=RATE,
            chat_interval=0,
        )
        header = ZALO.webhook_header or ""
        await self._start_web(Webhook("zalo", self.adapter.process_json, SECRET, header))
        # Events come from process_json here: start() would poll (or make the fake post) them.
        assert self.http is not None
        self.adapter.api = ZaloApi(self.http, self.fake.base_url, self.fake.token)
        self.messages = 0

    async def stop(self) -> None:
        """Stop everything start() started."""
        await self._stop_web()
        await self.adapter.stop()
        await self.fake.stop()

    def account(self, number: int) -> str:
        return f"z{number:015d}"

    def tolerated(self, kind: str) -> frozenset[str]:
        # A forged event names a chat the platform does not know: sending to it fails.
        return frozenset({ZALO_SEND_FAILED}) if kind == "raw" else frozenset()

    async def _feed(self, events: list[dict], what: str) -> int:
        """Hand events to the adapter at once; return how many messages the API took."""
        mark = len(self.fake.sent)
        bodies = [{"ok": True, "result": event} for event in events]
        results = await asyncio.gather(*(self.adapter.process_json(b) for b in bodies))
        self.stats.handled += len(events)
        assert all(ok is True for ok in results), f"{what}: not acknowledged: {results}"
        return len(self.fake.sent) - mark

    async def _answered(
        self, person: Person, events: list[dict], what: str, at_least: int = 1
    ) -> list[str]:
        before = len(self.fake.texts(person.account))
        await self._feed(events, what)
        texts = self.fake.texts(person.account)[before:]
        check_texts(texts, what)
        assert len(texts) >= at_least, f"{what}: {len(texts)} messages for {at_least} inputs"
        self.stats.replies += len(texts)
        person.saw(texts, [menu for text in texts if (menu := zalo_menu(text))])
        return texts

    def _event(self, person: Person, event: dict) -> dict:
        person.last = event
        return event

    async def say(self, person: Person, text: str) -> None:
        event = self.fake.push_text(person.account, text, display_name=person.name or "Dân")
        await self._answered(
            person, [self._event(person, event)], f"zalo {person.account} said {show(text)}"
        )

    async def tap(self, person: Person, menu: Menu, index: int) -> None:
        # Zalo has no buttons: the person types the number of the option.
        await self.say(person, str(index + 1))

    async def forge(self, person: Person, data: str) -> None:
        # No callback data on Zalo: what a forger can send is text.
        await self.say(person, data)

    async def media(self, person: Person, kind: str, caption: str) -> None:
        uid = person.account
        if kind == "image":
            event = self.fake.push_image(uid, caption=caption)
        elif kind == "sticker":
            event = self.fake.push_sticker(uid)
        else:
            event = self.fake.push_unsupported(uid)
        what = f"zalo {uid} sent {kind} {show(caption)}"
        texts = await self._answered(person, [self._event(person, event)], what)
        expected = UNSUPPORTED if kind == "unsupported" else MEDIA
        assert expected in texts, f"{what}: not told what to do instead"

    async def burst(self, person: Person, texts: list[str]) -> None:
        events = [self.fake.push_text(person.account, text) for text in texts]
        what = f"zalo {person.account} sent at once {show(texts)}"
        await self._answered(person, events, what, at_least=len(texts))

    async def other(self, person: Person, variant: str) -> None:
        uid = person.account
        what = f"zalo {uid}: {variant}"
        self.messages += 1
        message: dict[str, Any] = {
            "from": {"id": uid, "display_name": person.name or "Dân", "is_bot": False},
            "chat": {"id": uid, "chat_type": "PRIVATE"},
            "text": "xin chao",
            "message_id": f"fuzz-{self.messages}",
            "date": int(time.time() * 1000),
        }
        event = {"event_name": EVENT_TEXT, "message": message}
        if variant == "again":
            if person.last is None:
                return
            event = person.last
        elif variant == "group":
            message["chat"] = {"id": f"group-{uid}", "chat_type": "GROUP"}
        elif variant == "unknown_event":
            event["event_name"] = "message.location.received"
        elif variant == "no_sender":
            del message["from"], message["chat"]
        else:
            raise ValueError(variant)
        pushed = event if variant == "again" else self.fake.push_raw(event)
        sent = await self._feed([pushed], what)
        assert sent == 0, f"{what}: the bot answered {self.fake.sent[-sent:]!r}"
