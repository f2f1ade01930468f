"""What the fake bot APIs share: an aiohttp server on 127.0.0.1 that also posts to a webhook."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import aiohttp
from aiohttp import web

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], Awaitable[Any]]

USE_CONFIGURED = "USE_CONFIGURED"
WEBHOOK_TRIES = 5
WEBHOOK_RETRY_DELAY = 0.2
ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
}

_PATH = re.compile(r"/bot([^/]+)/([A-Za-z]+)/?")


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived as a multipart/form-data part."""

    filename: str | None
    content: bytes
    content_type: str | None


class ApiError(Exception):
    """An error answer: HTTP status = error_code, with a description (and maybe retry_after)."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JsonDict:
        """The JSON answer the API gives for this error."""
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class NoResult:
    """What a method returns for an answer that is just {"ok": true}, without a `result`."""


NO_RESULT = NoResult()


class FakeApiServer(abc.ABC):
    """A fake bot API server: answers the bot's calls and posts queued payloads to its webhook.

    A subclass fills `_methods` (handlers by `_method_key()` of the method name) and `webhook`
    (at least "url", "" when none, and "secret_token"), keeps `_pending` (payloads waiting for
    getUpdates) and says how a payload is posted (`_post()`) and retried (`_deliver_queued()`).
    """

    _platform: ClassVar[str]  # the API's name in task names and log lines
    _secret_header: ClassVar[str]  # the header that carries the webhook's secret token
    _json_unparsable: ClassVar[str]  # the 400 description of a JSON body that does not parse
    _json_not_object: ClassVar[str]  # the 400 description of a JSON body that is no object
    _coerce_json: ClassVar[bool] = False  # JSON body strings are read like form values
    # fail_next() descriptions by status; 5xx are "Internal Server Error", others "Error".
    _error_descriptions: ClassVar[dict[int, str]] = ERROR_DESCRIPTIONS

    _pending: list[JsonDict] | deque[JsonDict]

    def __init__(self, token: str) -> None:
        self.token = token
        self.webhook: dict = {"url": "", "secret_token": None}
        # Where https:// webhook posts really go (the proxy in front of the bot), e.g.
        # "http://127.0.0.1:8080"; None posts to the webhook URL itself.
        self.forward_to: str | None = None
        # How the platform retries a webhook post that failed (the real ones go on for hours).
        self.webhook_tries = WEBHOOK_TRIES
        self.webhook_retry_delay = WEBHOOK_RETRY_DELAY
        # Methods whose calls wait (see hold()): method key -> calls still let through.
        self._holds: dict[str, int] = {}
        self._hold_change = asyncio.Event()
        self.sent: list[dict] = []
        self.chat_actions: list[dict] = []

        self._methods: dict[str, Handler] = {}
        self._calls: dict[str, list[dict]] = {}
        self._faults: dict[str, deque[ApiError]] = {}
        # Bumped on every API call and every push: wakes wait_for() and long polls.
        self._changed = asyncio.Event()
        self._webhook_queue: deque[JsonDict] = deque()
        self._webhook_wake = asyncio.Event()

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None
        self._closing = False

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port and start the webhook delivery task."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._closing = False
        self._worker = asyncio.create_task(
            self._webhook_worker(), name=f"fake-{self._platform.lower()}-webhook"
        )

    async def stop(self) -> None:
        """Wake long polls, stop webhook delivery, close the client session and the server."""
        self._closing = True
        self._bump()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The base URL of the API: the client appends `{token}/{method}` to it."""
        if self._port is None:
            raise self._not_started()
        return f"http://127.0.0.1:{self._port}/bot"

    def _not_started(self) -> RuntimeError:
        return RuntimeError(f"{type(self).__name__}.start() has not been awaited")

    # --- what the bot did -----------------------------------------------------------------------
    def calls(self, method: str) -> list[dict]:
        """The parameters of every call of a method, failed ones included."""
        return list(self._calls.get(self._method_key(method), []))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until predicate() holds, else fail with the last texts the bot sent.

        Woken by every API call the bot makes, so many waiters cost nothing while idle.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                last = [entry.get("text") for entry in self.sent[-5:]]
                name = getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(
                    f"condition {name} not met within {timeout}s; last sent texts: {last!r}"
                )
            await self._wait_change(min(remaining, 0.5))

    async def _wait_count(
        self,
        texts: Callable[[], list[str]],
        count: int,
        timeout: float,  # noqa: ASYNC109
        what: str,
    ) -> list[str]:
        """Wait until texts() has `count` items and return it, else fail naming `what`."""
        try:
            await self.wait_for(lambda: len(texts()) >= count, timeout)
        except AssertionError:
            got = texts()
            raise AssertionError(
                f"expected {count} {what} within {timeout}s, got {len(got)}: {got!r}"
            ) from None
        return texts()

    def _bump(self) -> None:
        """Wake every wait_for() and long poll: something changed."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float) -> None:  # noqa: ASYNC109
        """Sleep until the next _bump(), for `timeout` seconds at the most."""
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout)

    # --- fault injection ------------------------------------------------------------------------
    def _queue_faults(
        self,
        method: str,
        status: int,
        count: int,
        description: str | None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next `count` calls of a method fail; description defaults to the status's."""
        if status >= 500:
            default = "Internal Server Error"
        else:
            default = self._error_descriptions.get(status, "Error")
        error = ApiError(status, description or default, retry_after)
        self._faults.setdefault(self._method_key(method), deque()).extend([error] * count)

    # --- webhook --------------------------------------------------------------------------------
    async def _deliver_now(self, payload: JsonDict, secret: str | None) -> int:
        """deliver(): POST one payload to the webhook now, with its secret if USE_CONFIGURED."""
        url = self.webhook["url"]
        if not url:
            raise AssertionError("deliver() needs a webhook: the bot has not called setWebhook")
        if secret == USE_CONFIGURED:
            secret = self.webhook["secret_token"]
        return await self._post(url, payload, secret)

    @abc.abstractmethod
    async def _post(self, url: str, payload: JsonDict, secret: str | None) -> int:
        """POST a payload to the webhook with _post_json(), note it; return the HTTP status."""

    async def _post_json(self, url: str, body: JsonDict, secret: str | None) -> tuple[int, str]:
        """POST JSON to a webhook: (HTTP status, reason), or (0, the error) without connection.

        The platforms only post to https:// addresses. `forward_to` plays the TLS-terminating
        proxy in front of the bot: an https://host/path webhook is posted to forward_to/path.
        """
        if self._session is None:
            raise self._not_started()
        if self.forward_to and url.startswith("https://"):
            path = url.split("://", 1)[1].partition("/")[2]
            url = f"{self.forward_to.rstrip('/')}/{path}"
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[self._secret_header] = secret
        data = json.dumps(body, ensure_ascii=False).encode()
        try:
            async with self._session.post(url, data=data, headers=headers) as response:
                await response.read()
                return response.status, response.reason or ""
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            return 0, repr(err)

    async def _webhook_worker(self) -> None:
        """Deliver queued payloads one by one, in order, while there is a webhook."""
        while True:
            while not (self._webhook_queue and self.webhook["url"]):
                self._webhook_wake.clear()
                await self._webhook_wake.wait()
            payload = self._webhook_queue.popleft()
            try:
                await self._deliver_queued(payload)
            except Exception:
                logging.getLogger(type(self).__module__).exception(
                    "fake %s: webhook delivery of %s failed", self._platform, payload
                )

    @abc.abstractmethod
    async def _deliver_queued(self, payload: JsonDict) -> None:
        """Deliver one payload the worker took from the queue, with _post_with_retries()."""

    async def _post_with_retries(self, payload: JsonDict) -> bool | None:
        """POST until the webhook answers 200, WEBHOOK_TRIES times at the most.

        True: delivered; False: every try failed; None: the webhook was deleted meanwhile.
        """
        for attempt in range(self.webhook_tries):
            if attempt:
                await asyncio.sleep(self.webhook_retry_delay)
            url = self.webhook["url"]
            if not url:
                return None
            if await self._post(url, payload, self.webhook["secret_token"]) == 200:
                return True
        return False

    def _push(self, payload: JsonDict) -> JsonDict:
        """Queue a payload for the webhook when there is one, else for getUpdates."""
        if self.webhook["url"]:
            self._webhook_queue.append(payload)
            self._webhook_wake.set()
        else:
            self._pending.append(payload)
        self._bump()
        return payload

    # --- internals: HTTP ------------------------------------------------------------------------
    @staticmethod
    def _method_key(method: str) -> str:
        """How a method name is looked up in `_methods`, `_calls` and `_faults`."""
        return method

    def hold(self, method: str, after: int = 0) -> None:
        """Let `after` more calls of a method through, then keep the others waiting.

        Models a bot stuck (or about to be killed) between committing and sending; the calls
        waiting go through on release(), as requests that reached the platform in time.
        """
        self._holds[self._method_key(method)] = after

    def release(self, method: str) -> None:
        """Let the waiting and all later calls of a method through."""
        self._holds.pop(self._method_key(method), None)
        self._hold_change.set()

    def held(self, method: str) -> bool:
        """Tell whether calls of a method are being held now."""
        return self._holds.get(self._method_key(method)) == 0

    async def _pass_hold(self, key: str) -> None:
        while key in self._holds:
            if self._holds[key] > 0:
                self._holds[key] -= 1
                return
            self._hold_change.clear()
            await self._hold_change.wait()

    def _serve_file(self, request: web.Request) -> web.Response | None:
        """Answer a file download (not an API call); None: the path is not a file's."""
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        served = self._serve_file(request)
        if served is not None:
            return served
        match = _PATH.fullmatch(request.path)
        if match is None:
            return self._answer_error(ApiError(404, "Not Found"))
        token, method = match.groups()
        if token != self.token:
            return self._answer_error(ApiError(401, "Unauthorized"))
        key = self._method_key(method)
        try:
            params = await self._read_params(request)
        except ApiError as err:
            return self._answer_error(err)
        self._calls.setdefault(key, []).append(params)
        self._bump()
        await self._pass_hold(key)
        try:
            faults = self._faults.get(key)
            if faults:
                raise faults.popleft()
            handler = self._methods.get(key)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as err:
            return self._answer_error(err)
        finally:
            self._bump()
        if isinstance(result, NoResult):
            return self._answer({"ok": True}, 200)
        return self._answer({"ok": True, "result": result}, 200)

    @staticmethod
    def _answer(body: JsonDict, status: int) -> web.Response:
        return web.Response(
            text=json.dumps(body, ensure_ascii=False),
            status=status,
            content_type="application/json",
        )

    def _answer_error(self, err: ApiError) -> web.Response:
        return self._answer(err.body(), err.status)

    async def _read_params(self, request: web.Request) -> JsonDict:
        """Query string, then the body (JSON, urlencoded or multipart form) over it.

        Every value goes through _coerce(), but those of a JSON body only when the platform
        reads them so (`_coerce_json`).
        """
        raw: JsonDict = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError(400, self._json_unparsable) from None
                if not isinstance(body, dict):
                    raise ApiError(400, self._json_not_object)
                if self._coerce_json:
                    body = {k: self._coerce(k, v) for k, v in body.items()}
                return {**{k: self._coerce(k, v) for k, v in raw.items()}, **body}
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    with value.file as handle:
                        content = handle.read()
                    raw[name] = UploadedFile(value.filename, content, value.content_type)
                else:
                    raw[name] = value
        return {name: self._coerce(name, value) for name, value in raw.items()}

    @staticmethod
    def _coerce(name: str, value: Any) -> Any:
        """A form or query value as the method sees it: as it came, unless a subclass knows."""
        return value
