"""The reference server's state: client keys and users, per account, in SQLite.

One implementation serves both modes: an in-memory database by default, a
file when the server is given ``db=PATH`` (so a dev server keeps its state
across restarts). Every write is one transaction; one lock serializes all
access, which is simple and plenty fast for a test server.

Secrets (a key's ``clientSecret``, a user's ``token``) are returned once, when
created, and only a salted SHA-256 of each is stored. A slow password hash
is not needed: the secrets are 256 random bits, not something a person chose.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import uuid

from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_response import ClientKeyResponse
from katanemo_identity.models.user_response import UserResponse

#: The ``serviceId`` the reference server reports on keys and users.
SERVICE_ID = "katanemo-identity"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS client_keys (
    account_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    client_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    secret_salt BLOB NOT NULL,
    secret_hash BLOB NOT NULL,
    is_active INTEGER NOT NULL,
    PRIMARY KEY (account_id, key_id),
    UNIQUE (account_id, client_name)
);
CREATE TABLE IF NOT EXISTS users (
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    tags TEXT NOT NULL,
    roles TEXT NOT NULL,
    is_admin INTEGER NOT NULL,
    is_active INTEGER NOT NULL,
    token_salt BLOB NOT NULL,
    token_hash BLOB NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
"""


class NotFoundError(Exception):
    """No key or user with that id in that account."""


class ConflictError(Exception):
    """A key of that name, or a user with that id, exists already in the account."""


def _hash_secret(secret: str, salt: bytes) -> bytes:
    return hashlib.sha256(salt + secret.encode("utf-8")).digest()


class Store:
    """Client keys and users of every account, isolated by account id.

    Args:
        path: SQLite database file; None keeps everything in memory.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            ":memory:" if path is None else os.fspath(path),
            check_same_thread=False,
            isolation_level=None,  # transactions are opened explicitly, one per write
        )
        with self._lock:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database; the store may not be used afterwards."""
        with self._lock:
            self._db.close()

    def reset(self) -> None:
        """Delete every key and user of every account."""
        with self._lock:
            self._write("DELETE FROM client_keys")
            self._write("DELETE FROM users")

    def _write(self, sql: str, parameters: tuple[object, ...] = ()) -> int:
        """Run one statement in its own transaction; return the rows it changed."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            changed = self._db.execute(sql, parameters).rowcount
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return changed

    # -- client keys -------------------------------------------------------

    def create_key(
        self, account_id: str, client_name: str, default_role_id: str
    ) -> ClientKeyResponse:
        """Create a client key; return its id and its secret, which is not kept.

        Raises:
            ConflictError: the account has a key named ``client_name`` already.
        """
        key_id = uuid.uuid4().hex
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        with self._lock:
            try:
                self._write(
                    "INSERT INTO client_keys VALUES (?, ?, ?, ?, ?, ?, 1)",
                    (
                        account_id,
                        key_id,
                        client_name,
                        json.dumps([default_role_id]),
                        salt,
                        _hash_secret(secret, salt),
                    ),
                )
            except sqlite3.IntegrityError:
                raise ConflictError(
                    f"account {account_id!r} already has a client key named {client_name!r}"
                ) from None
        return ClientKeyResponse(client_id=key_id, client_secret=secret)

    def list_keys(self, account_id: str) -> list[ClientKeyObject]:
        """Return the account's keys, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT account_id, key_id, client_name, roles, is_active FROM client_keys "
                "WHERE account_id = ? ORDER BY rowid",
                (account_id,),
            ).fetchall()
        return [_key(row) for row in rows]

    def get_key(self, account_id: str, key_id: str) -> ClientKeyObject:
        """Return one key of the account.

        Raises:
            NotFoundError: the account has no key with that id.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT account_id, key_id, client_name, roles, is_active FROM client_keys "
                "WHERE account_id = ? AND key_id = ?",
                (account_id, key_id),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"account {account_id!r} has no client key {key_id!r}")
        return _key(row)

    def delete_key(self, account_id: str, key_id: str) -> None:
        """Delete one key of the account.

        Raises:
            NotFoundError: the account has no key with that id.
        """
        with self._lock:
            deleted = self._write(
                "DELETE FROM client_keys WHERE account_id = ? AND key_id = ?",
                (account_id, key_id),
            )
        if not deleted:
            raise NotFoundError(f"account {account_id!r} has no client key {key_id!r}")

    def verify_key_secret(self, account_id: str, key_id: str, secret: str) -> bool:
        """Tell whether ``secret`` is the secret the key was created with."""
        with self._lock:
            row = self._db.execute(
                "SELECT secret_salt, secret_hash FROM client_keys "
                "WHERE account_id = ? AND key_id = ?",
                (account_id, key_id),
            ).fetchone()
        return row is not None and hmac.compare_digest(_hash_secret(secret, row[0]), row[1])

    # -- users -------------------------------------------------------------

    def invite_user(
        self,
        account_id: str,
        user_id: str,
        tags: dict[str, list[str]],
        roles: list[str],
    ) -> UserResponse:
        """Create a user, not yet active; return it with its token, which is not kept.

        Raises:
            ConflictError: the account has that user already.
        """
        token = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        with self._lock:
            try:
                self._write(
                    "INSERT INTO users VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
                    (
                        account_id,
                        user_id,
                        json.dumps(tags),
                        json.dumps(roles),
                        salt,
                        _hash_secret(token, salt),
                    ),
                )
            except sqlite3.IntegrityError:
                raise ConflictError(
                    f"account {account_id!r} already has a user {user_id!r}"
                ) from None
        user = self.get_user(account_id, user_id)
        user.token = token
        return user

    def list_users(self, account_id: str) -> list[UserResponse]:
        """Return the account's users, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT account_id, user_id, tags, roles, is_admin, is_active FROM users "
                "WHERE account_id = ? ORDER BY rowid",
                (account_id,),
            ).fetchall()
        return [_user(row) for row in rows]

    def get_user(self, account_id: str, user_id: str) -> UserResponse:
        """Return one user of the account, without a token.

        Raises:
            NotFoundError: the account has no such user.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT account_id, user_id, tags, roles, is_admin, is_active FROM users "
                "WHERE account_id = ? AND user_id = ?",
                (account_id, user_id),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"account {account_id!r} has no user {user_id!r}")
        return _user(row)

    def update_user(
        self,
        account_id: str,
        user_id: str,
        tags: dict[str, list[str]] | None,
        roles: list[str] | None,
    ) -> UserResponse:
        """Replace the user's tags and roles where given (None leaves one as it is).

        Raises:
            NotFoundError: the account has no such user.
        """
        with self._lock:
            changed = self._write(
                "UPDATE users SET tags = COALESCE(?, tags), roles = COALESCE(?, roles) "
                "WHERE account_id = ? AND user_id = ?",
                (
                    None if tags is None else json.dumps(tags),
                    None if roles is None else json.dumps(roles),
                    account_id,
                    user_id,
                ),
            )
        if not changed:
            raise NotFoundError(f"account {account_id!r} has no user {user_id!r}")
        return self.get_user(account_id, user_id)

    def verify_user_token(self, account_id: str, user_id: str, token: str) -> bool:
        """Tell whether ``token`` is the token the user was invited with."""
        with self._lock:
            row = self._db.execute(
                "SELECT token_salt, token_hash FROM users WHERE account_id = ? AND user_id = ?",
                (account_id, user_id),
            ).fetchone()
        return row is not None and hmac.compare_digest(_hash_secret(token, row[0]), row[1])


def _key(row: tuple[str, str, str, str, int]) -> ClientKeyObject:
    account_id, key_id, client_name, roles, is_active = row
    return ClientKeyObject(
        account_id=account_id,
        roles=json.loads(roles),
        client_name=client_name,
        client_key_id=key_id,
        service_id=SERVICE_ID,
        is_active=bool(is_active),
    )


def _user(row: tuple[str, str, str, str, int, int]) -> UserResponse:
    account_id, user_id, tags, roles, is_admin, is_active = row
    return UserResponse(
        account_id=account_id,
        service_id=SERVICE_ID,
        user_id=user_id,
        is_admin=bool(is_admin),
        is_active=bool(is_active),
        tags=json.loads(tags),
        roles=json.loads(roles),
    )
