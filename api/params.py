"""Query-parameter parsing shared by the list endpoints: every problem is a 422 naming the field."""

from __future__ import annotations

from domain import categories, uscc
from domain.errors import Collector
from domain.regions import region_range, validate_region


class Params:
    """Collects field errors across all parameters, then raises once."""

    def __init__(self) -> None:
        self.c = Collector()

    def uscc(self, value: str | None, field: str = "uscc") -> str | None:
        if value is None or value == "":
            return None
        try:
            return uscc.validate(value)
        except uscc.InvalidUSCC as e:
            self.c.add(field, str(e))
            return None

    def region(self, value: str | None) -> tuple[str, str] | None:
        if not value:
            return None
        try:
            return region_range(validate_region(value))
        except Exception as e:  # ValidationFailed carries its own message
            self.c.add("region", getattr(e, "errors", [None])[0].message if getattr(e, "errors", None) else str(e))
            return None

    def year(self, value: int | None) -> int | None:
        if value is not None and not (2000 <= value <= 2100):
            self.c.add("year", f"年份超出范围 (year must be 2000-2100, got {value})")
            return None
        return value

    def category(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return categories.lookup(value).code
        except KeyError as e:
            self.c.add("category", e.args[0])
            return None

    def done(self) -> None:
        self.c.raise_if_any("请求参数无效 (invalid query parameters)")
