"""People who log in to the web UI, and their sessions; SQLite or PostgreSQL.

Passwords are kept as scrypt hashes (``hashlib.scrypt``: memory-hard, in the standard
library) with a random salt each; a session's id is 32 random bytes, and only its sha256 is
stored, so a copy of the database lets nobody in. A session remembers who logged in and how
(``password`` or ``token``); the role is looked up again on every use, so removing a user or
revoking a token ends their sessions at once.

    people = UserStore(store.engine)
    people.add_user("ada", "operate", "correct horse")
    session_id = people.create_session("ada", "password")  # the cookie's value
    people.session(session_id)       # SessionInfo(principal="ada", role="operate", ...)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time as _time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bizmap.errors import BizmapError
from bizmap.storage.engine import write_transaction
from bizmap.storage.schema import USER_ROLES, tokens, ui_sessions, users

SESSION_SECONDS = 12 * 3600.0  # one working day (and a bit): then log in again
# scrypt cost: 2**14 x 8 x 128 bytes = 16 MiB of memory and ~50 ms per try (OWASP's minimum)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 8


class UserError(BizmapError, ValueError):
    """A user that cannot be added as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str  # read | operate | admin
    created_at: float


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A live session: who (a user's or a token's name), how they logged in, their role now."""

    principal: str
    via: str  # password | token
    role: str
    expires_at: float


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (salt and hash in base64)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encode = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(digest).decode()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored`` (with the cost written in it), in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


# Checked against a password when the user does not exist, so that the answer takes as long
# either way (the timing does not tell which names exist).
_DUMMY_HASH = hash_password("not a password", salt=b"\0" * 16)


class UserStore:
    """Users and sessions in a bizmap database (the ``Store``'s SQLAlchemy engine)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = _time.time) -> None:
        self.engine = engine
        self._clock = clock

    # --- users ---------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str) -> User:
        name = name.strip()
        if not name:
            raise UserError("a user needs a name")
        if role not in USER_ROLES:
            raise UserError(f"unknown role {role!r} for a person; roles: {', '.join(USER_ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters")
        now = self._clock()
        row = {"name": name, "role": role, "password_hash": hash_password(password), "created_at": now}
        try:
            with write_transaction(self.engine) as connection:
                connection.execute(users.insert().values(row))
        except IntegrityError:
            raise UserError(f"a user named {name!r} exists; remove it first") from None
        return User(name, role, now)

    def list_users(self) -> list[User]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(users).order_by(users.c.name)).all()
        return [User(row.name, row.role, row.created_at) for row in rows]

    def remove_user(self, name: str) -> bool:
        """Remove a user and end their sessions; False when there is no such user."""
        with write_transaction(self.engine) as connection:
            removed = connection.execute(users.delete().where(users.c.name == name)).rowcount
            connection.execute(
                ui_sessions.delete().where(ui_sessions.c.principal == name, ui_sessions.c.via == "password")
            )
        return bool(removed)

    def check_password(self, name: str, password: str) -> User | None:
        """The user, when the name exists and the password is right; None otherwise."""
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.name == name)).first()
        if row is None:
            password_matches(password, _DUMMY_HASH)
            return None
        if not password_matches(password, row.password_hash):
            return None
        return User(row.name, row.role, row.created_at)

    # --- sessions ------------------------------------------------------------------------------

    def create_session(self, principal: str, via: str, lifetime: float = SESSION_SECONDS) -> str:
        """A new session for a user (``via="password"``) or a token's name (``"token"``).

        Returns the session id, once: only its hash is stored. Expired sessions are purged.
        """
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        row = {
            "id_hash": session_hash(session_id),
            "principal": principal,
            "via": via,
            "created_at": now,
            "expires_at": now + lifetime,
        }
        with write_transaction(self.engine) as connection:
            connection.execute(ui_sessions.delete().where(ui_sessions.c.expires_at <= now))
            connection.execute(ui_sessions.insert().values(row))
        return session_id

    def session(self, session_id: str) -> SessionInfo | None:
        """The live session with this id, with the role its user or token has now; or None."""
        query = sa.select(ui_sessions).where(ui_sessions.c.id_hash == session_hash(session_id))
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
            if row is None or row.expires_at <= self._clock():
                return None
            if row.via == "password":
                role = connection.execute(
                    sa.select(users.c.role).where(users.c.name == row.principal)
                ).scalar()
            else:
                live_token = (tokens.c.name == row.principal) & tokens.c.revoked_at.is_(None)
                role = connection.execute(sa.select(tokens.c.role).where(live_token)).scalar()
        if role is None or role not in USER_ROLES:  # removed, revoked, or an ingest token
            return None
        return SessionInfo(row.principal, row.via, role, row.expires_at)

    def end_session(self, session_id: str) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(ui_sessions.delete().where(ui_sessions.c.id_hash == session_hash(session_id)))
