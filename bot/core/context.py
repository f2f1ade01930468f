"""The per-message context handlers work with: the user, their state, and the replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.files import Download
from bot.core.messages import Inbound, Option, Reply
from bot.core.routes import Payload
from bot.lessons.model import Curriculum
from bot.media import MediaDir
from bot.storage.models import User


@dataclass
class Context:
    """Everything a handler needs for one incoming message.

    The conversation lives in `user.state` (a JSON column): `step` names the handler that
    takes free text, `prompt` is the last question asked (repeated after a bad answer) and
    `data` holds what the current step has gathered so far.
    """

    session: AsyncSession
    user: User
    inbound: Inbound
    curriculum: Curriculum
    now: datetime
    args: str = ""
    payload: Payload | None = None  # the typed data of the button pressed, if any
    intent: str | None = None  # an intent the router leaves to the step ("skip" in a quiz)
    router: Any = None  # the router handling this message (menu entries run commands through it)
    replies: list[Reply] = field(default_factory=list)
    role_changed: str | None = None  # channels update their command menus
    download: Download | None = None  # the picture sent to a step that takes media
    media: MediaDir | None = None  # where pictures people send are kept
    _state: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self._state = dict(self.user.state or {})

    # Replies -------------------------------------------------------------------------------
    def say(self, text: str, options: list[Option] | tuple[Option, ...] = ()) -> None:
        """Send a message; if it has options, they become the answers accepted next."""
        reply = Reply(text, tuple(options))
        self.replies.append(reply)
        if options:
            self._remember()
            self._state["prompt"] = _dump(reply)

    def ask(
        self,
        text: str,
        options: list[Option] | tuple[Option, ...] = (),
        *,
        step: str | None = None,
        back: bool = True,
        skippable: bool = False,
        **data: Any,
    ) -> None:
        """Ask a question; remember it (repeated after a bad answer) and the step reading it.

        The question asked before stays reachable with "quay lại", unless `back` is False
        (a quiz question cannot be answered again). With `skippable`, "bỏ qua" typed goes to
        the step (as `ctx.intent == "skip"`) instead of the general hint.
        """
        reply = Reply(text, tuple(options))
        self.replies.append(reply)
        self._remember()
        self._state["prompt"] = {**_dump(reply), "back": back}
        if skippable:
            self._state["prompt"]["skip"] = True
        self._state["step"] = step
        self._state["data"] = data

    def _remember(self) -> None:
        """Keep the question being replaced, for "quay lại"."""
        prompt = self._state.get("prompt")
        if prompt:
            self._state["previous"] = {
                "prompt": prompt,
                "step": self._state.get("step"),
                "data": self._state.get("data", {}),
            }

    def go_back(self) -> bool:
        """Ask the previous question again (with its step); False when there is none."""
        prompt = self._state.get("prompt") or {}
        previous = self._state.get("previous")
        if not previous or prompt.get("back") is False:
            return False
        self._state["prompt"] = previous["prompt"]
        self._state["step"] = previous.get("step")
        self._state["data"] = previous.get("data", {})
        self._state["previous"] = None
        self.replies.append(_load(previous["prompt"]))
        return True

    @property
    def in_quiz(self) -> bool:
        """Tell whether the question open now is a quiz question."""
        prompt = self._state.get("prompt") or {}
        return prompt.get("back") is False

    @property
    def skippable(self) -> bool:
        """Tell whether the step open now takes "bỏ qua" as its answer."""
        prompt = self._state.get("prompt") or {}
        return prompt.get("skip") is True

    def attach(self, reply: Reply) -> None:
        """Send a prepared reply (a document or photo) without changing the conversation."""
        self.replies.append(reply)

    def repeat_prompt(self) -> None:
        """Ask the last question again, with the same options."""
        prompt = self._state.get("prompt")
        if prompt:
            self.replies.append(_load(prompt))

    # State ---------------------------------------------------------------------------------
    @property
    def step(self) -> str | None:
        """Return the step that reads the next free text, if any."""
        return self._state.get("step")

    @property
    def data(self) -> dict[str, Any]:
        """Return what the current step has gathered (a copy is saved at the end)."""
        return self._state.setdefault("data", {})

    def offered(self) -> list[Option]:
        """Return the options last offered, which are the only valid button answers."""
        prompt = self._state.get("prompt")
        return list(_load(prompt).options) if prompt else []

    def get(self, key: str, default: Any = None) -> Any:
        """Read a long-lived state value (for example the current lesson)."""
        return self._state.get(key, default)

    def put(self, key: str, value: Any) -> None:
        """Write a long-lived state value."""
        self._state[key] = value

    def switch_user(self, user: User) -> None:
        """Continue as another user (after two accounts were joined); keep the replies."""
        self.user = user
        self._state = dict(user.state or {})

    def clear(self) -> None:
        """Forget the conversation entirely."""
        self._state = {}

    def forget_prompt(self) -> None:
        """Offer nothing any more: earlier buttons become stale and are refused."""
        self._state.pop("prompt", None)

    def end_step(self) -> None:
        """Leave the current step: free text goes to the general handling again."""
        self._state["step"] = None
        self._state["data"] = {}

    def save(self) -> None:
        """Write the state back to the user's row."""
        if self._state != (self.user.state or {}):
            self.user.state = dict(self._state)

    @property
    def registered(self) -> bool:
        """Tell whether the user has consented and chosen village and household."""
        return bool(self.user.consent_at and self.user.household_id)


def _dump(reply: Reply) -> dict[str, Any]:
    options = [[o.label, o.payload, *([o.intent] if o.intent else [])] for o in reply.options]
    return {"text": reply.text, "options": options}


def _load(data: dict[str, Any]) -> Reply:
    return Reply(data["text"], tuple(Option(*option) for option in data["options"]))
