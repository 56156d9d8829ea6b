"""Tests that guard the architecture: the layering rule (docs/architecture.md) and that every
setting is documented (docs/configuration.md), in the manner of datasette's settings test."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# domain/ is plain rules and use cases: no web framework, ORM, database driver, search client,
# and none of the layers that depend on it.
DOMAIN_FORBIDDEN: tuple[str, ...] = (
    *("litestar", "piccolo", "sqlite3", "aiosqlite", "asyncpg", "meilisearch", "jinja2", "httpx"),
    *("db", "api", "portal", "search", "backoffice"),
)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (top level or inside functions), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imported_modules(path):
            top = module.split(".")[0]
            if top in forbidden:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return out


def test_domain_imports_no_framework_storage_or_outer_layer() -> None:
    assert violations("domain", DOMAIN_FORBIDDEN) == []


def test_the_layering_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from db.tables import Result\n    import litestar\n", encoding="utf-8")
    assert imported_modules(f) == [(2, "db.tables"), (3, "litestar")]


def _rendered_defaults(value: object) -> set[str]:
    if isinstance(value, bool):
        return {"1" if value else "0"}
    if value in ("", ()):
        return {"—", "-", "none", "off"}
    out = {str(value), f"`{value}`"}
    if isinstance(value, tuple):  # as the variable is written: METRICS_ALLOW=127.0.0.1,::1
        out.add(",".join(str(v) for v in value))
    if isinstance(value, int) and value and value % (1024 * 1024) == 0:
        out.add(f"{value // (1024 * 1024)} MiB")
    if isinstance(value, int):
        out.add(f"{value:,}")
    return out


def _configuration_rows() -> dict[str, str]:
    """Each documented variable name → the default column of its table row."""
    rows: dict[str, str] = {}
    for line in (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not line.lstrip().startswith("|"):
            continue
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0]):
            rows[name] = cells[1]
    return rows


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Settings)])
def test_every_setting_is_documented_with_its_default(field: str) -> None:
    rows = _configuration_rows()
    name = field.upper()
    assert name in rows, f"{name} is not in the table of docs/configuration.md"
    f = Settings.__dataclass_fields__[field]
    default: object = f.default
    if default is dataclasses.MISSING and callable(f.default_factory):  # API_KEYS: documented as empty
        default = f.default_factory()
    column = rows[name].replace("`", "")
    assert any(r.replace("`", "") in column for r in _rendered_defaults(default)), (
        f"{name}: default {default!r} is not shown in docs/configuration.md ({rows[name]!r})"
    )


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Settings)])
def test_every_setting_is_read_from_its_environment_variable(field: str) -> None:
    """Settings.from_env reads FIELD_NAME for every field (else documenting it would be a lie)."""
    source = (ROOT / "settings.py").read_text(encoding="utf-8")
    assert f'"{field.upper()}"' in source, f"Settings.from_env does not read {field.upper()}"
