"""Back-office forms that do nothing twice (issue 12: "a double-submitted form does nothing
twice"): a one-time form key.

How a publishing form uses it (backoffice/controllers/publish.py is the first user):

1. GET renders the form with a fresh key: `once=new_key()` in the context and, inside the form,
   `<input type="hidden" name="once" value="{{ once }}">`. A form re-rendered after bad input
   keeps the key it came with (nothing was stored under it yet) when `is_key(it)`, else a new one.
2. POST: `outcome = await submit_once(data, staff, "result", lambda: use_case(...))`. The use case
   runs inside db.once.run_once's write transaction, which also writes the key's form_submission
   row (key unique, object_type, object_ids, actor, at): the records, their audit/change-log/
   outbox rows and the key commit together or not at all. A validation error raised by the use
   case rolls everything back and leaves the key unused (re-render the form, 422).
3. Answer both a first and a repeated post with a redirect to the form's confirmation page for
   the key (e.g. /admin/results/published/{key}); that page calls `outcome_of(key, staff, type)`
   (404 for an unknown key, another account's, or another form's). `outcome.repeated` is True
   when the key had already been carried out: the page says nothing was published again.

A post without a well-formed key is bad input (ValidationFailed on the field `once`): reload the
form. The key is not a secret from its own officer and gives nothing to another account (its
confirmation page is 404 to them, a post with it 403).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from db.once import ids_of, run_once, submission
from domain.auth import Principal
from domain.errors import FieldError, Forbidden, NotFound, ValidationFailed

FIELD = "once"
_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")
STALE = "表单已失效，请重新打开表单后提交 (the form is no longer valid: open it again and send it)"


@dataclass(frozen=True)
class Outcome:
    key: str
    object_type: str
    ids: list[int]
    repeated: bool  # the key had been carried out before: nothing was stored this time


def new_key() -> str:
    """A fresh one-time key for a form being rendered (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def is_key(value: str) -> bool:
    return bool(_KEY.match(value or ""))


def key_of(data: Mapping[str, Any]) -> str:
    """The form's key as posted; ValidationFailed (field `once`) when it is missing or malformed."""
    key = str(data.get(FIELD) or "")
    if not is_key(key):
        raise ValidationFailed(STALE, [FieldError(FIELD, STALE)])
    return key


async def submit_once(
    data: Mapping[str, Any], actor: Principal, object_type: str, store: Callable[[], Awaitable[list[int]]]
) -> Outcome:
    """Run `store` (the use case; returns the ids it stored) at most once for the form's key."""
    key = key_of(data)
    row, repeated = await run_once(key, actor, object_type, store)
    if row["actor"] != actor.username or row["object_type"] != object_type:
        raise Forbidden("该表单已由其他账号或其他表单提交 (this form key was used elsewhere)")
    return Outcome(key, object_type, ids_of(row), repeated)


async def outcome_of(key: str, actor: Principal, object_type: str, repeated: bool = False) -> Outcome:
    """The stored outcome of a form key, for its confirmation page: 404 unless it is this
    account's key of this form."""
    row = await submission(key) if is_key(key) else None
    if row is None or row["actor"] != actor.username or row["object_type"] != object_type:
        raise NotFound("没有这次提交的记录 (no such submission)")
    return Outcome(key, object_type, ids_of(row), repeated)
