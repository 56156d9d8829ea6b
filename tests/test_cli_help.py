"""Every `gongshi` command explains itself: `--help` works and reads as written."""

from __future__ import annotations

import contextlib
import io

import pytest

import cli


def _help(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as e:
        cli.main([*argv, "--help"])
    assert e.value.code == 0
    return out.getvalue()


def test_every_command_has_help_without_format_residue() -> None:
    cli.EXTRA_COMMANDS[:] = cli._extra_commands()
    parser = cli.build_parser()
    names = [a for a in parser._subparsers._group_actions[0].choices]  # the subcommands
    assert {"migrate", "serve", "create-user", "import", "demo"} <= set(names)
    for name in names:
        text = _help([name])
        assert f"gongshi {name}" in text or name in text
        # argparse %-formats help strings: a literal "%%" (or "%(") in the output is a typo.
        assert "%%" not in text and "%(" not in text, (name, text)
