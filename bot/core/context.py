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

ROLE_DRAFTS = "role_drafts"  # work in progress for a role (a report), dropped with the role
CONVERSATION = ("step", "prompt", "data", "previous")  # the question open now and before it


def without_role_work(state: dict[str, Any] | None) -> dict[str, Any]:
    """Return a person's state without what belonged to a role they no longer hold.

    Their role drafts go (a report may name nominated people), and so does the open
    conversation: its question and gathered answers may quote the drafts, and it belongs
    to the role more often than not. Long-lived resident state (the lesson) stays.
    """
    kept = dict(state or {})
    for key in (ROLE_DRAFTS, *CONVERSATION):
        kept.pop(key, None)
    return kept


@dataclass
class Context:
    """Everything a handler needs for one incoming message.

    The conversation lives in `user.state` (a JSON column): `step` names the handler that
    takes free text, `prompt` is the last question asked (repeated after a bad answer),
    `data` holds what the current step has gathered so far and `previous` the question before
    (for "quay lại", never across the start of a command). `role_drafts` keeps work in
    progress for a role, dropped when the role is taken back.
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
    _flow_start: bool = field(default=False, init=False)

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
        stoppable: bool = False,
        resume: str = "",
        **data: Any,
    ) -> None:
        """Ask a question; remember it (repeated after a bad answer) and the step reading it.

        The question asked before stays reachable with "quay lại", unless `back` is False
        (a quiz question cannot be answered again). With `skippable`, "bỏ qua" typed goes to
        the step (as `ctx.intent == "skip"`) instead of the general hint; with `stoppable`,
        "thôi" typed goes to the step (as `ctx.intent == "stop"`), which ends the part it is
        in (one entry of a list) rather than the whole flow ("/huy" still stops everything).
        `resume` is what "thôi" answers about picking this up again ("gõ /tiep để học tiếp").
        """
        reply = Reply(text, tuple(options))
        self.replies.append(reply)
        self._remember()
        self._state["prompt"] = {**_dump(reply), "back": back}
        if skippable:
            self._state["prompt"]["skip"] = True
        if stoppable:
            self._state["prompt"]["stop"] = True
        if resume:
            self._state["prompt"]["resume"] = resume
        self._state["step"] = step
        self._state["data"] = data

    def begin_flow(self) -> None:
        """Start a new flow (a command): its first question has nothing before it.

        What was asked before belongs to another flow, finished or left (an invite's consent
        answered long ago, a report already sent): "quay lại" must not lead back into it.
        """
        self._flow_start = True

    def _remember(self) -> None:
        """Keep the question being replaced, for "quay lại" (not across a flow's start)."""
        if self._flow_start:
            self._flow_start = False
            self._state["previous"] = None
            return
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

    @property
    def stoppable(self) -> bool:
        """Tell whether the step open now takes "thôi" as its answer."""
        prompt = self._state.get("prompt") or {}
        return prompt.get("stop") is True

    @property
    def asking(self) -> bool:
        """Tell whether a question is open (one to repeat after a bad answer)."""
        return bool(self._state.get("prompt"))

    @property
    def resume_hint(self) -> str:
        """Say how to pick up again what the open question is part of ("" if nothing)."""
        prompt = self._state.get("prompt") or {}
        hint = prompt.get("resume")
        return hint if isinstance(hint, str) else ""

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

    def role_draft(self, name: str) -> Any:
        """Read a draft of work done for a role (a unit's report), or None."""
        drafts = self._state.get(ROLE_DRAFTS)
        return drafts.get(name) if isinstance(drafts, dict) else None

    def put_role_draft(self, name: str, value: Any) -> None:
        """Keep (or, with None, drop) a draft that belongs to the person's role.

        Role drafts are dropped when the role is taken back (`without_role_work`).
        """
        found = self._state.get(ROLE_DRAFTS)
        drafts = dict(found) if isinstance(found, dict) else {}
        if value is None:
            drafts.pop(name, None)
        else:
            drafts[name] = value
        if drafts:
            self._state[ROLE_DRAFTS] = drafts
        else:
            self._state.pop(ROLE_DRAFTS, None)

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

    def state_to_write(self) -> dict[str, Any]:
        """The conversation state as this message leaves it (the engine writes it)."""
        return dict(self._state)

    @property
    def registered(self) -> bool:
        """Tell whether the user has consented and chosen village and household."""
        return bool(self.user.consent_at and self.user.household_id)


def _dump(reply: Reply) -> dict[str, Any]:
    options = [[o.label, o.payload, *([o.intent] if o.intent else [])] for o in reply.options]
    return {"text": reply.text, "options": options}


def _load(data: dict[str, Any]) -> Reply:
    return Reply(data["text"], tuple(Option(*option) for option in data["options"]))
