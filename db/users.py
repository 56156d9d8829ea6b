"""Accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db import changes
from db.changes import now
from db.tables import Department, Region, User
from db.tx import write_transaction
from domain import uscc as uscc_rules
from domain.accounts import NewAccount
from domain.auth import ROLES, hash_password


async def create_user(
    username: str,
    password: str,
    role: str,
    department_code: str = "",
    uscc: str = "",
    region_code: str = "",
    display_name: str = "",
) -> int:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters")
    if role == "enterprise":
        uscc = uscc_rules.validate(uscc)
    if role in ("officer", "admin") and not department_code:
        raise ValueError("an officer account needs --department")
    if role == "supervisor" and not region_code:
        raise ValueError("a supervisor account needs --region")
    if await User.exists().where(User.username == username):
        raise ValueError(f"user {username!r} exists already")
    rows = await User.insert(
        User(
            username=username,
            password_hash=hash_password(password),
            role=role,
            uscc=uscc,
            department_code=department_code,
            region_code=region_code,
            display_name=display_name,
            created_at=now(),
        )
    ).returning(User.id)
    return rows[0]["id"]


async def by_username(username: str) -> dict | None:
    """The account row (password hash included) for sign-in; None when there is none."""
    return await User.select().where(User.username == username).first()


# The repository domain.accounts works over (the back office's account pages).


async def department_codes() -> set[str]:
    return {r["code"] for r in await Department.select(Department.code)}


async def region_codes() -> set[str]:
    return {r["code"] for r in await Region.select(Region.code)}


async def insert_account(account: NewAccount, password_hash: str, actor: Any, at: dt.datetime) -> int:
    async with write_transaction():
        rows = await User.insert(
            User(
                username=account.username,
                password_hash=password_hash,
                role=account.role,
                uscc=account.uscc,
                department_code=account.department_code,
                region_code=account.region_code,
                display_name=account.display_name,
                created_at=at,
            )
        ).returning(User.id)
        await changes.audit(
            actor,
            "account_create",
            "account",
            account.username,
            detail={k: v for k, v in account.__dict__.items() if v and k != "username"},
        )
    return rows[0]["id"]


async def set_active(username: str, active: bool, actor: Any, reason: str, at: dt.datetime) -> None:
    values: dict[Any, Any] = {User.active: active}
    if not active:
        values[User.password_changed_at] = at  # its sessions and tokens end now
    async with write_transaction():
        await User.update(values).where(User.username == username)
        await changes.audit(
            actor, "account_reactivate" if active else "account_deactivate", "account", username, reason=reason
        )


async def set_password(username: str, password_hash: str, actor: Any, at: dt.datetime) -> None:
    async with write_transaction():
        await User.update({User.password_hash: password_hash, User.password_changed_at: at}).where(
            User.username == username
        )
        await changes.audit(actor, "account_password_reset", "account", username)


async def list_accounts(role: str | None, find: str | None, after: str | None, limit: int) -> list[dict]:
    """Accounts by username (keyset: after the username `after`), without password hashes."""
    q = (
        User.select(
            User.id,
            User.username,
            User.role,
            User.department_code,
            User.region_code,
            User.uscc,
            User.display_name,
            User.active,
            User.created_at,
            User.password_changed_at,
        )
        .order_by(User.username)
        .limit(limit)
    )
    if role:
        q = q.where(User.role == role)
    if find:
        # SQLite's LIKE ignores ASCII case already (and has no ILIKE); PostgreSQL's does not.
        sqlite = User._meta.db.engine_type == "sqlite"
        username = User.username.like if sqlite else User.username.ilike
        display = User.display_name.like if sqlite else User.display_name.ilike
        q = q.where(username(f"%{find}%") | display(f"%{find}%") | (User.uscc == find.upper()))
    if after:
        q = q.where(User.username > after)
    return await q
