"""Cells of a CSV export as a spreadsheet will read them.

A cell that begins with `=`, `+`, `-` or `@` is taken by Excel, LibreOffice and Google Sheets as a
formula, and a leading tab or carriage return can smuggle one past a first glance (OWASP, "CSV
Injection", https://owasp.org/www-community/attacks/CSV_Injection). Published text comes from
officers and imports, so a record such as `=HYPERLINK("http://…")` must reach the reader as text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """`=1+1` → `'=1+1`: a leading apostrophe makes a spreadsheet show the cell as text (OWASP's
    recommendation); any other cell is returned unchanged. The JSON exports keep the original."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(cells: list[str]) -> list[str]:
    return [neutralise_cell(c) for c in cells]
