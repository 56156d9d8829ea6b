"""The range every whole number in a request must fit.

The schema's ids and counters are PostgreSQL `integer` columns (Piccolo `Serial` and `Integer`,
at most 2,147,483,647); SQLite would take larger ones, but a number past this range can name no
record on either engine, and PostgreSQL (asyncpg) refuses to even send it. So a path id past it
is simply not found (404) and a number past it elsewhere is a 422 naming its field.
"""

from __future__ import annotations

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)


def in_range(n: int) -> bool:
    return INT_MIN <= n <= INT_MAX
