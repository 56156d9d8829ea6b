"""axe-core (npm, tests/browser/axe) on a page in Chromium: the WCAG 2.1 A/AA and best-practice
rules; serious and critical violations fail the test. scripts/test.sh installs it with npm ci."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


async def axe_violations(page: Any) -> dict[str, Any]:
    if not AXE.exists():
        pytest.fail(f"axe-core missing: cd {AXE.parents[2]} && npm ci")
    await page.evaluate(AXE.read_text())  # through DevTools, so the page's CSP does not stop it
    result: dict[str, Any] = await page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return result


def serious(result: dict[str, Any]) -> list[tuple[str, str, list[Any]]]:
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def counts(result: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in result["violations"]:
        out[v["impact"] or "none"] = out.get(v["impact"] or "none", 0) + len(v["nodes"])
    return out
