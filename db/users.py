"""Accounts."""

from __future__ import annotations

from db.changes import now
from db.tables import User
from domain import uscc as uscc_rules
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
