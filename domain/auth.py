"""Who may do what. Plain checks over a Principal; the web layer supplies the Principal."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from domain.errors import Forbidden

# exchange: a system account of an authoritative platform reading the repair exchange outbox.
ROLES = ("enterprise", "officer", "supervisor", "admin", "exchange")


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    department_code: str = ""
    uscc: str = ""
    region_code: str = ""

    @property
    def is_officer(self) -> bool:
        return self.role in ("officer", "admin")


def require_role(p: Principal, *roles: str) -> None:
    if p.role not in roles:
        raise Forbidden(f"此操作需要以下角色之一: {', '.join(roles)} (this needs one of the roles {', '.join(roles)})")


def require_department(p: Principal, department_code: str) -> None:
    """An officer acts only for its own department (admins are not exempt: they publish
    under their own department too)."""
    require_role(p, "officer", "admin")
    if p.department_code != department_code:
        raise Forbidden(
            f"部门 {p.department_code} 不能以 {department_code} 的名义操作 "
            f"(an officer of {p.department_code} cannot act for {department_code})"
        )


def acting_department(actor: Principal, requested: str | None) -> str:
    """The department a write is made for: the officer's own; naming another is 403 (the one
    check every publishing use case, API handler and back-office form makes)."""
    dept = (requested or actor.department_code).strip()
    require_department(actor, dept)
    return dept


def require_own_uscc(p: Principal, uscc: str) -> None:
    require_role(p, "enterprise")
    if p.uscc != uscc:
        raise Forbidden("企业只能查看和办理本企业的事项 (an enterprise sees only its own records)")


# Passwords: scrypt from the standard library, salted, compared in constant time.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=_R, p=_P)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)
