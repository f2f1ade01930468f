"""Sign-in links and browser sessions for the web board: one-time, hashed, expiring."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.auth import ADMIN, STAFF, VILLAGE_HEAD
from bot.storage.models import User, WebLink, WebSession

BOARD_ROLES = (STAFF, ADMIN, VILLAGE_HEAD)
LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=8)
LINKS_PER_HOUR = 5  # per person: enough to retry, too few to flood the table
SIGN_IN_PATH = "/bang/dang-nhap"


class TooManyLinks(Exception):
    """The person asked for more sign-in links in the last hour than allowed."""


class NotAllowed(Exception):
    """The person holds no role that may open the board."""


def token_hash(token: str) -> str:
    """Return the stored form of a link or session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """Return the CSRF token bound to one browser session (not stored; derived again)."""
    return hmac.new(session_token.encode(), b"hocvuso-board-csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, given: str | None) -> bool:
    """Compare a submitted CSRF token in constant time."""
    if not given:
        return False
    return hmac.compare_digest(csrf_token(session_token).encode(), given.encode())


def may_use_board(user: User) -> bool:
    """Tell whether a person may sign in to the board (staff, admins, village heads)."""
    return user.deleted_at is None and user.role in BOARD_ROLES


async def create_link(session: AsyncSession, user: User, now: datetime) -> str:
    """Store a new one-time sign-in link for `user` and return its secret token."""
    if not may_use_board(user):
        raise NotAllowed(user.role)
    recent = await session.scalar(
        select(func.count(WebLink.id)).where(
            WebLink.user_id == user.id, WebLink.created_at > now - timedelta(hours=1)
        )
    )
    if (recent or 0) >= LINKS_PER_HOUR:
        raise TooManyLinks
    token = secrets.token_urlsafe(32)
    session.add(
        WebLink(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + LINK_TTL,
        )
    )
    await session.flush()
    return token


def link_url(base: str, token: str) -> str:
    """Return the address a sign-in link opens."""
    return f"{base.rstrip('/')}{SIGN_IN_PATH}/{token}"


async def link_is_open(session: AsyncSession, token: str, now: datetime) -> bool:
    """Tell whether a link can still be used (without using it)."""
    found = await session.scalar(
        select(WebLink.id).where(
            WebLink.token_hash == token_hash(token),
            WebLink.used_at.is_(None),
            WebLink.expires_at > now,
        )
    )
    return found is not None


async def redeem_link(session: AsyncSession, token: str, now: datetime) -> str | None:
    """Use a link once and open a session; return the session token, None if it cannot."""
    used = await session.execute(
        update(WebLink)
        .where(
            WebLink.token_hash == token_hash(token),
            WebLink.used_at.is_(None),
            WebLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(WebLink.user_id)
    )
    user_id = used.scalar_one_or_none()
    if user_id is None:
        return None
    user = await session.get(User, user_id)
    if user is None or not may_use_board(user):
        return None
    session_token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            user_id=user.id,
            token_hash=token_hash(session_token),
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    await session.flush()
    return session_token


@dataclass
class SignedIn:
    """The person behind a browser session, and the session's own tokens."""

    user: User
    session_id: int
    token: str

    @property
    def csrf(self) -> str:
        """Return this session's CSRF token for forms."""
        return csrf_token(self.token)


async def find_session(session: AsyncSession, token: str, now: datetime) -> SignedIn | None:
    """Return who a live session token belongs to, None when unknown, ended or expired."""
    row = await session.scalar(
        select(WebSession).where(
            WebSession.token_hash == token_hash(token),
            WebSession.ended_at.is_(None),
            WebSession.expires_at > now,
        )
    )
    if row is None:
        return None
    user = await session.get(User, row.user_id)
    if user is None or not may_use_board(user):
        return None
    return SignedIn(user, row.id, token)


async def end_session(session: AsyncSession, session_id: int, now: datetime) -> None:
    """End a browser session (sign-out)."""
    await session.execute(
        update(WebSession).where(WebSession.id == session_id).values(ended_at=now)
    )
