""":class:`AccountStore` in the SQL store's database (SQLite or PostgreSQL), same behaviour as
:class:`vigil.accounts.store.MemoryAccountStore`; the tables are in :mod:`vigil.store.schema`."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from vigil.accounts.errors import AccountExistsError, UnknownAccountError
from vigil.accounts.model import Account, Role, SessionRecord
from vigil.store import schema
from vigil.store.dialect_insert import dialect_insert
from vigil.store.retry import RetryPolicy, write_transaction

Row = dict[str, Any]


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _account_row(account: Account) -> Row:
    return {
        "username": account.username, "role": account.role.value, "tenant": account.tenant,
        "password_hash": account.password_hash, "totp_secret": account.totp_secret,
        "totp_last_step": account.totp_last_step, "created_at": account.created_at.isoformat(),
        "failed_logons": json.dumps([t.isoformat() for t in account.failed_logons]),
        "locked_at": _text(account.locked_at), "disabled": account.disabled,
        "last_logon_at": _text(account.last_logon),
    }


def _account(row: Row) -> Account:
    return Account(
        username=row["username"], role=Role(row["role"]), tenant=row["tenant"],
        password_hash=row["password_hash"], totp_secret=row["totp_secret"],
        created_at=datetime.fromisoformat(row["created_at"]),
        totp_last_step=row["totp_last_step"],
        failed_logons=tuple(datetime.fromisoformat(t) for t in json.loads(row["failed_logons"])),
        locked_at=_time(row["locked_at"]), disabled=bool(row["disabled"]),
        last_logon=_time(row["last_logon_at"]),
    )


def _session_row(session: SessionRecord) -> Row:
    return {"id_hash": session.id_hash, "username": session.username,
            "created_at": session.created_at.isoformat(),
            "last_seen": session.last_seen.isoformat(), "ended_at": _text(session.ended_at)}


def _session(row: Row) -> SessionRecord:
    return SessionRecord(row["id_hash"], row["username"],
                         datetime.fromisoformat(row["created_at"]),
                         datetime.fromisoformat(row["last_seen"]), _time(row["ended_at"]))


class SqlAccountStore:
    """Accounts, sessions and reveal counts over a SQL store's engine (which it does not own)."""

    def __init__(self, engine: Engine, retry: RetryPolicy | None = None) -> None:
        self._engine = engine
        self._retry = retry or RetryPolicy()

    def add_account(self, account: Account) -> None:
        try:
            with write_transaction(self._engine, self._retry) as conn:
                conn.execute(insert(schema.accounts), [_account_row(account)])
        except IntegrityError:
            raise AccountExistsError(
                f"an account named {account.username!r} exists already") from None

    def account(self, username: str) -> Account | None:
        query = select(schema.accounts).where(schema.accounts.c.username == username)
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _account(dict(row))

    def accounts(self) -> list[Account]:
        query = select(schema.accounts).order_by(schema.accounts.c.username)
        with self._engine.connect() as conn:
            return [_account(dict(row)) for row in conn.execute(query).mappings()]

    def save_account(self, account: Account) -> None:
        table = schema.accounts
        row = _account_row(account)
        del row["totp_last_step"]  # moved only by use_totp_step, so it never goes back
        with write_transaction(self._engine, self._retry) as conn:
            changed = conn.execute(update(table).where(table.c.username == account.username)
                                   .values(**row)).rowcount
        if changed == 0:
            raise UnknownAccountError(account.username)

    def use_totp_step(self, username: str, step: int) -> bool:
        table = schema.accounts
        statement = update(table).where(table.c.username == username,
                                        table.c.totp_last_step < step).values(totp_last_step=step)
        with write_transaction(self._engine, self._retry) as conn:
            return bool(conn.execute(statement).rowcount == 1)

    def add_session(self, session: SessionRecord) -> None:
        with write_transaction(self._engine, self._retry) as conn:
            conn.execute(insert(schema.account_sessions), [_session_row(session)])

    def session(self, id_hash: str) -> SessionRecord | None:
        table = schema.account_sessions
        with self._engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.id_hash == id_hash)).mappings().first()
        return None if row is None else _session(dict(row))

    def save_session(self, session: SessionRecord) -> None:
        table = schema.account_sessions
        with write_transaction(self._engine, self._retry) as conn:
            conn.execute(update(table).where(table.c.id_hash == session.id_hash)
                         .values(**_session_row(session)))

    def count_reveal(self, username: str, day: date) -> int:
        table = schema.reveal_counts
        key = {"username": username, "day": day.isoformat()}
        dialect = self._engine.dialect.name
        upsert = dialect_insert(dialect, table).values(**key, count=1)
        upsert = upsert.on_conflict_do_update(index_elements=[table.c.username, table.c.day],
                                              set_={"count": table.c.count + 1})
        with write_transaction(self._engine, self._retry) as conn:
            conn.execute(upsert)
            query = select(table.c.count).where(table.c.username == username,
                                                table.c.day == key["day"])
            return int(conn.execute(query).scalar_one())
