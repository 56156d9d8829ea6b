"""Text every input must satisfy: no C0 control characters other than tab, LF and CR.

Such characters have no business in a record, break XML (an Atom feed with one in a title is not
well-formed: XML 1.0 §2.2 allows only #x9, #xA and #xD below #x20), and PostgreSQL text cannot hold
NUL at all. So they are refused wherever text comes in (API bodies, queries and paths, portal forms,
imports) with the field named, and `xml_safe` cleans what was stored before this rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from domain.errors import FieldError

# C0 controls except \t \n \r, and DEL's C0 neighbour is left alone (DEL is legal XML).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What XML 1.0 cannot carry at all (the C0 controls above, lone surrogates, U+FFFE and U+FFFF).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def control_message(value: str) -> str:
    m = CONTROL.search(value)
    code = f"U+{ord(m.group()):04X}" if m else ""
    return f"含有不可见的控制字符 {code}，请删除后重新提交 (contains the control character {code})"


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            key = str(k)
            yield from _strings(v, f"{path}.{key}" if path else key)
            if CONTROL.search(key):
                yield (path or "body"), key
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def control_errors(value: Any, path: str = "") -> list[FieldError]:
    """Every string inside `value` (nested dicts and lists) holding a control character, named by
    its path (`items[3].entity_name`)."""
    return [FieldError(p or "body", control_message(s)) for p, s in _strings(value, path) if CONTROL.search(s)]


def field_errors(fields: Iterable[tuple[str, str]]) -> list[FieldError]:
    """The same for (field name, text) pairs, e.g. a form's or a query string's items."""
    return [FieldError(name, control_message(v)) for name, v in fields if CONTROL.search(v)]


def xml_safe(value: str) -> str:
    """Drops what XML cannot carry (for feeds built from text stored before the rule)."""
    return NOT_XML.sub("", value) if NOT_XML.search(value) else value
