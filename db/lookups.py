"""Small reads of reference data: users, departments, regions (the command-line tools and pages)."""

from __future__ import annotations

from db.tables import Department, Region, User


async def user_by_name(username: str) -> dict | None:
    return await User.select().where(User.username == username).first()


async def department_index() -> dict[str, str]:
    """Department code → code and full name → code, so files may name a department either way."""
    rows = await Department.select(Department.code, Department.name)
    index = {r["name"]: r["code"] for r in rows}
    index.update({r["code"]: r["code"] for r in rows})
    return index


async def region_names(codes: list[str]) -> dict[str, str]:
    """Code → name for these regions and the city and province above each (what
    domain.regions.full_name needs)."""
    wanted = {c for code in codes if code for c in (code, code[:4] + "00", code[:2] + "0000")}
    if not wanted:
        return {}
    rows = await Region.select(Region.code, Region.name).where(Region.code.is_in(sorted(wanted)))
    return {r["code"]: r["name"] for r in rows}
