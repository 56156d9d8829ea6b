"""Small reads the command-line tools need (import, demo)."""

from __future__ import annotations

from db.tables import Department, User


async def user_by_name(username: str) -> dict | None:
    return await User.select().where(User.username == username).first()


async def department_index() -> dict[str, str]:
    """Department code → code and full name → code, so files may name a department either way."""
    rows = await Department.select(Department.code, Department.name)
    index = {r["name"]: r["code"] for r in rows}
    index.update({r["code"]: r["code"] for r in rows})
    return index
