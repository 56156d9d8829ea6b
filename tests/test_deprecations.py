"""The app is declared without deprecated Litestar forms, so a Litestar upgrade cannot break it silently.

Litestar 2.x warns (LitestarDeprecationWarning) about every handler parameter whose source is
inferred (`result_id: int` for `/{result_id:int}`, `year: int | None = None`) and about imports
that move in 3.0 (`litestar.contrib.jinja`). Those declarations stop working in 3.0: parameters are
declared `FromPath[...]` / `FromQuery[...]` (or `Annotated[..., Parameter(...)]` with a
description). This test imports and builds the app and its OpenAPI document in a fresh interpreter
(import-time warnings fire only once per process) and fails on any DeprecationWarning, Litestar's or
another library's, naming each one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from settings import Settings
    from app import create_app
    app = create_app(Settings.from_env())
    app.openapi_schema.to_schema()
found = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})"
         for w in caught if issubclass(w.category, DeprecationWarning)]
print(json.dumps(found))
"""


def test_building_the_app_emits_no_deprecation_warning(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'warn.sqlite'}",
        "SEARCH_BACKEND": "embedded",
        "SEARCH_PATH": str(tmp_path / "search.sqlite"),
        "FILES_DIR": str(tmp_path / "files"),
        "OUTBOX_WORKER": "0",
        "WITHDRAW_SCHEDULE": "0",
        "JWT_SECRET": "deprecation-test-secret",
    }
    env.pop("SEARCH_FALLBACK", None)
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found == [], "deprecated declarations are back:\n" + "\n".join(found)


def test_the_check_sees_an_inferred_parameter() -> None:
    """The check above would catch a parameter declared the old way (guards against a Litestar that stops warning
    while the declarations are still deprecated, and against the check itself going blind)."""
    import warnings

    from litestar import Litestar, get
    from litestar.exceptions import LitestarDeprecationWarning

    @get("/{item_id:int}")
    async def old_style(item_id: int, year: int | None = None) -> str:
        return ""

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Litestar(route_handlers=[old_style])
    kinds = [str(w.message) for w in caught if issubclass(w.category, LitestarDeprecationWarning)]
    assert any("'item_id'" in m for m in kinds) and any("'year'" in m for m in kinds), kinds
