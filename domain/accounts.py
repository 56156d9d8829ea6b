"""Accounts, as the platform's administrators manage them in the back office (issue 12 item 7).

Plain rules plus the use cases the back-office pages and `gongshi create-user` share, over a
repository (db.users) passed in. What the rules hold:
- An administrator (role `admin`) creates officer, supervisor and enterprise accounts: an
  officer acts for a department (执法部门), a supervisor for a region (司法行政 oversight), an
  enterprise for its USCC — the same scoping every other check reads (domain.auth).
  Administrator and exchange accounts are made on the server only (`gongshi create-user`): the
  web cannot raise an account to the role that manages accounts.
- The first password and every reset is a random temporary one, shown once to the administrator
  to pass on by another channel; the portal never sends or stores it in clear.
- A reset or a deactivation ends every session and token of the account from before it
  (User.password_changed_at); an administrator cannot deactivate their own account.
- Every change is written to the audit log in the same transaction, never with the password.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import anyio.to_thread

from domain import uscc as uscc_rules
from domain.auth import Principal, hash_password, require_role
from domain.errors import Collector, Conflict, FieldError, NotFound, ValidationFailed

WEB_ROLES = ("officer", "supervisor", "enterprise")  # what an administrator may create in the browser
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,99}")
DISPLAY_NAME_MAX = 100  # db.tables.User.display_name
REASON_MAX = 500
# Temporary passwords: 12 characters from an alphabet without look-alikes (0/O, 1/l/I), about
# 69 bits — past any online guessing under the sign-in throttle (domain.signin).
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMP_PASSWORD_LENGTH = 12


def temporary_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(TEMP_PASSWORD_LENGTH))


@dataclass(frozen=True)
class NewAccount:
    username: str
    role: str
    department_code: str = ""
    region_code: str = ""
    uscc: str = ""
    display_name: str = ""


def check_new_account(
    fields: dict[str, str], departments: set[str], regions: set[str], roles: tuple[str, ...] = WEB_ROLES
) -> NewAccount:
    """The form's fields as an account to create, or ValidationFailed naming every bad field.
    The scoping field that does not belong to the role is dropped (an enterprise has no department)."""
    c = Collector()
    username = (fields.get("username") or "").strip()
    role = (fields.get("role") or "").strip()
    dept = (fields.get("department_code") or "").strip()
    region = (fields.get("region_code") or "").strip()
    raw_uscc = (fields.get("uscc") or "").strip()
    display = (fields.get("display_name") or "").strip()
    if not USERNAME.fullmatch(username):
        c.add(
            "username",
            "用户名为3至100个字符，只能包含字母、数字和 . _ -，以字母或数字开头 "
            "(3–100 letters, digits, '.', '_' or '-', starting with a letter or digit)",
        )
    if role not in roles:
        c.add("role", f"角色应为以下之一: {', '.join(roles)} (the role must be one of {', '.join(roles)})")
    code = ""
    if role in ("officer", "admin"):
        if not dept:
            c.add("department_code", "执法人员账号须选择所属部门 (an officer account needs its department)")
        elif dept not in departments:
            c.add("department_code", f"没有代码为 {dept[:40]!r} 的部门 (no department {dept[:40]!r})")
    if role == "supervisor":
        if not region:
            c.add("region_code", "监督人员账号须选择所监督的地区 (a supervisor account needs its region)")
        elif region not in regions:
            c.add("region_code", f"没有代码为 {region[:6]!r} 的地区 (no region {region[:6]!r})")
    if role == "enterprise":
        try:
            code = uscc_rules.validate(raw_uscc)
        except uscc_rules.InvalidUSCC as e:
            c.add("uscc", str(e))
    if len(display) > DISPLAY_NAME_MAX:
        c.add("display_name", f"最多 {DISPLAY_NAME_MAX} 个字符 (at most {DISPLAY_NAME_MAX} characters)")
    c.raise_if_any("账号信息有误，未创建 (the account has invalid fields; nothing was created)")
    return NewAccount(
        username=username,
        role=role,
        department_code=dept if role in ("officer", "admin") else "",
        region_code=region if role == "supervisor" else "",
        uscc=code,
        display_name=display,
    )


class Accounts(Protocol):
    async def department_codes(self) -> set[str]: ...
    async def region_codes(self) -> set[str]: ...
    async def by_username(self, username: str) -> dict[str, Any] | None: ...
    async def insert_account(self, account: NewAccount, password_hash: str, actor: Any, now: dt.datetime) -> int: ...
    async def set_active(self, username: str, active: bool, actor: Any, reason: str, now: dt.datetime) -> None: ...
    async def set_password(self, username: str, password_hash: str, actor: Any, now: dt.datetime) -> None: ...


async def _hash(password: str) -> str:
    """scrypt in a worker thread: hashing must not hold up the event loop (issue 13 item 1)."""
    return await anyio.to_thread.run_sync(hash_password, password)


async def create_account(
    repo: Accounts, actor: Principal, fields: dict[str, str], now: dt.datetime
) -> tuple[NewAccount, str]:
    """Create the account; returns it with its temporary password (shown once)."""
    require_role(actor, "admin")
    account = check_new_account(fields, await repo.department_codes(), await repo.region_codes())
    if await repo.by_username(account.username) is not None:
        raise ValidationFailed(
            "用户名已被使用，未创建 (the username is taken; nothing was created)",
            [FieldError("username", f"用户名 {account.username} 已被使用 (the username {account.username} is taken)")],
        )
    password = temporary_password()
    await repo.insert_account(account, await _hash(password), actor, now)
    return account, password


async def _managed(repo: Accounts, actor: Principal, username: str) -> dict[str, Any]:
    require_role(actor, "admin")
    row = await repo.by_username(username)
    if row is None:
        raise NotFound(f"没有用户名为 {username} 的账号 (no account {username})")
    if row["role"] not in WEB_ROLES:
        raise Conflict(
            f"{row['role']} 账号只能在服务器上用 gongshi create-user 管理 "
            f"(a {row['role']} account is managed on the server only, with gongshi create-user)"
        )
    return row


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "请填写原因 (a reason is required)", [FieldError("reason", "请填写原因 (a reason is required)")]
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            f"原因最多 {REASON_MAX} 个字符 (at most {REASON_MAX} characters)",
            [FieldError("reason", f"最多 {REASON_MAX} 个字符 (at most {REASON_MAX} characters)")],
        )
    return reason


async def set_active(
    repo: Accounts, actor: Principal, username: str, active: bool, reason: str, now: dt.datetime
) -> None:
    """Deactivate (reason required; the account's sessions and tokens end) or reactivate."""
    row = await _managed(repo, actor, username)
    reason = check_reason(reason)
    if row["active"] == active:
        raise Conflict(
            f"账号 {username} 已是{'启用' if active else '停用'}状态 "
            f"(the account is {'active' if active else 'deactivated'} already)"
        )
    await repo.set_active(username, active, actor, reason, now)


async def reset_password(repo: Accounts, actor: Principal, username: str, now: dt.datetime) -> str:
    """A new temporary password (returned, shown once); the old one and every session end."""
    row = await _managed(repo, actor, username)
    if not row["active"]:
        raise Conflict(f"账号 {username} 已停用，请先启用 (the account is deactivated; reactivate it first)")
    password = temporary_password()
    await repo.set_password(username, await _hash(password), actor, now)
    return password


def signed_in_before_change(signed_in_at: float | None, changed_at: dt.datetime | None) -> bool:
    """A session or token from before the account's last reset or deactivation is void.
    `signed_in_at` is a Unix time in seconds (None when unknown: void once anything changed)."""
    if changed_at is None:
        return False
    if signed_in_at is None:
        return True
    return signed_in_at < changed_at.timestamp()
