"""The `gongshi` command. Every subcommand reads its settings from the environment."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from domain.auth import ROLES
from settings import Settings


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from db.migrate import migrate

    migrate(settings)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from app import create_app

    try:
        settings.check_secret()
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.migrate:
        from db.migrate import migrate

        migrate(settings, quiet=True)
    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    # Several workers: each process builds the app from the environment (app.app_from_env); the
    # background jobs run in the one that leads (ops.jobs), the others serve requests only.
    uvicorn.run(
        create_app(settings) if args.workers == 1 else "app:app_from_env",
        factory=args.workers > 1,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        workers=args.workers,
        # LOG_FORMAT=json: the app writes the access log itself (ops.logs, with the request id).
        access_log=args.access_log and settings.log_format != "json",
        # Forwarded headers are read by the app, from TRUSTED_PROXIES only (api/proxy.py): uvicorn's
        # own handling would trust 127.0.0.1 (FORWARDED_ALLOW_IPS) whatever the settings say.
        proxy_headers=False,
    )
    return 0


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from db.engine import bind_tables, make_engine
    from db.users import create_user

    password = args.password or getpass.getpass("Password: ")
    bind_tables(make_engine(settings.database_url))
    try:
        asyncio.run(
            create_user(
                args.username,
                password,
                args.role,
                department_code=args.department or "",
                uscc=args.uscc or "",
                region_code=args.region or "",
                display_name=args.name or "",
            )
        )
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"created {args.role} {args.username}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gongshi", description="“双随机、一公开”公示 portal")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("migrate", help="apply database migrations")
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser("serve", help="run the portal and API")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--log-level", default="info")
    s.add_argument("--no-access-log", dest="access_log", action="store_false")
    s.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="web worker processes (default 1); the background jobs run in exactly one of them",
    )
    s.add_argument("--no-migrate", dest="migrate", action="store_false", help="do not apply migrations first")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("create-user", help="create an account")
    s.add_argument("username")
    s.add_argument("--role", required=True, choices=list(ROLES))
    s.add_argument("--password", help="prompted for when omitted")
    s.add_argument("--department", help="department code (officers)")
    s.add_argument("--uscc", help="the enterprise's USCC (enterprise accounts)")
    s.add_argument("--region", help="region code (supervisors)")
    s.add_argument("--name", help="display name")
    s.set_defaults(func=cmd_create_user)

    for register in EXTRA_COMMANDS:
        register(sub)
    return p


def _extra_commands() -> list:
    """Each module in commands/ adds its subcommands (import, demo, reindex …) via register()."""
    import importlib
    import pkgutil

    import commands

    return [
        importlib.import_module(f"commands.{m.name}").register
        for m in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name)
    ]


EXTRA_COMMANDS: list = []


def main(argv: list[str] | None = None) -> int:
    EXTRA_COMMANDS[:] = _extra_commands()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as e:
        print(f"configuration error: {e}", file=sys.stderr)
        return 2
    return int(args.func(settings, args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
