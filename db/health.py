"""What /readyz asks the database: is it answering, and has every migration of this release run."""

from __future__ import annotations

import importlib
import pkgutil

import migrations
from db.tables import Region


def expected_migrations() -> set[str]:
    """The ID of every migration module this release ships (migrations/*.py)."""
    ids: set[str] = set()
    for info in pkgutil.iter_modules(migrations.__path__):
        module = importlib.import_module(f"migrations.{info.name}")
        if hasattr(module, "ID"):
            ids.add(module.ID)
    return ids


async def ping() -> None:
    await Region.raw("SELECT 1")


async def applied_migrations() -> set[str]:
    """Piccolo's record of the migrations that ran (its table `migration`)."""
    rows = await Region.raw("SELECT name FROM migration WHERE app_name = 'gongshi'")
    return {r["name"] for r in rows}
