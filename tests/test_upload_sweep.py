"""The sweep of abandoned temporary upload folders (FILES_DIR/tmp/upload-*): what goes, what stays,
symbolic links, folders vanishing meanwhile, the `gongshi sweep-uploads` command and the sweep the
web process runs at start-up. Real files under tmp_path; ages set with os.utime."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

import cli
from db.upload_tmp import PREFIXES, newest_mtime, remove_tree, sweep, tmp_root
from domain.temp_uploads import is_abandoned, older_than_seconds

HOUR = 3600.0
DAY = older_than_seconds(24)


def age(path: Path, hours: float) -> None:
    """Set the modification time of `path` itself (a link, not its target) to `hours` ago."""
    t = time.time() - hours * HOUR
    os.utime(path, (t, t), follow_symlinks=False)


def upload(files_dir: Path, name: str, hours: float, files: dict[str, bytes] | None = None) -> Path:
    """A temporary upload folder whose files, and the folder itself, were last modified `hours` ago."""
    d = files_dir / "tmp" / name
    d.mkdir(parents=True)
    for fname, data in (files or {"part-0": b"x" * 1000, "part-1": b"y" * 234}).items():
        (d / fname).write_bytes(data)
        age(d / fname, hours)
    age(d, hours)
    return d


def tree(root: Path) -> dict[str, bytes | str]:
    """Everything below root (links as their target, not followed), for before/after comparisons."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_file():
                out[rel] = p.read_bytes()
            else:
                out[rel] = "dir"
    return out


# -- the age rule ------------------------------------------------------------------------------


def test_age_rule() -> None:
    now = 1_000_000.0
    assert is_abandoned(now - DAY - 1, now, DAY)
    assert not is_abandoned(now - DAY + 1, now, DAY)
    assert not is_abandoned(now + HOUR, now, DAY)  # a clock set back: kept, it may be in use
    assert older_than_seconds(0.5) == 1800
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            older_than_seconds(bad)


# -- the sweep ---------------------------------------------------------------------------------


def test_old_folder_removed_fresh_folder_kept(tmp_path: Path) -> None:
    old = upload(tmp_path, "upload-0a", 30)
    fresh = upload(tmp_path, "upload-0b", 1)
    swept = sweep(tmp_path, DAY)
    assert swept.removed == ["upload-0a"] and swept.bytes == 1234 and swept.kept == 1
    assert not old.exists() and fresh.is_dir() and sorted(p.name for p in fresh.iterdir()) == ["part-0", "part-1"]
    assert tmp_root(tmp_path).is_dir()  # the tmp folder itself stays
    assert sweep(tmp_path, DAY).removed == []  # a second run finds nothing more


def test_one_fresh_file_among_old_ones_keeps_the_folder(tmp_path: Path) -> None:
    d = upload(tmp_path, "upload-1a", 48, {"part-0": b"a" * 10, "part-1": b"b" * 10, "part-2": b"c" * 10})
    age(d / "part-2", 0.1)  # still being written
    assert sweep(tmp_path, DAY).removed == []
    assert sorted(p.name for p in d.iterdir()) == ["part-0", "part-1", "part-2"]
    # A nested folder counts too, however deep its fresh file is.
    sub = d / "sub" / "deeper"
    sub.mkdir(parents=True)
    (sub / "f").write_bytes(b"z")
    for p in (sub / "f", sub, sub.parent, d / "part-2", d):
        age(p, 48)
    age(sub / "f", 0.1)
    assert sweep(tmp_path, DAY).removed == [] and (sub / "f").exists()
    age(sub / "f", 48)
    assert sweep(tmp_path, DAY).removed == ["upload-1a"] and not d.exists()


def test_nothing_outside_tmp_or_without_the_prefix_is_touched(tmp_path: Path) -> None:
    files = tmp_path / "files"
    stored = files / "complaints" / "TS-2026-000001-X"
    stored.mkdir(parents=True)
    (stored / "1-abc.jpg").write_bytes(b"photo")
    (files / "upload-not-in-tmp").mkdir()  # the right name in the wrong place
    (files / "upload-not-in-tmp" / "part-0").write_bytes(b"keep")
    (files / "tmp").mkdir()
    (files / "tmp" / "other-folder").mkdir()  # in tmp, but not a name the uploads use
    (files / "tmp" / "other-folder" / "f").write_bytes(b"keep")
    (files / "tmp" / "notes.txt").write_bytes(b"keep")
    for p in [p for p in files.rglob("*")] + [files / "tmp", files]:
        age(p, 100)
    before = tree(files)
    upload(files, "upload-2a", 100)
    swept = sweep(files, DAY)
    assert swept.removed == ["upload-2a"]
    assert tree(files) == before


def test_links_are_removed_as_links_and_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "dir" / "precious").write_bytes(b"do not touch")
    (outside / "file").write_bytes(b"do not touch either")
    files = tmp_path / "files"
    d = upload(files, "upload-3a", 30)
    (d / "to-dir").symlink_to(outside / "dir", target_is_directory=True)
    (d / "to-file").symlink_to(outside / "file")
    age(d / "to-dir", 30)
    age(d / "to-file", 30)
    age(d, 30)
    # A link named like an upload folder, straight in tmp, pointing at a folder outside.
    (files / "tmp" / "upload-3b").symlink_to(outside / "dir", target_is_directory=True)
    age(files / "tmp" / "upload-3b", 30)
    # The targets were modified just now: a link's own time counts, the target's does not.
    before = tree(outside)
    swept = sweep(files, DAY)
    assert swept.removed == ["upload-3a", "upload-3b"]
    assert swept.bytes == 1234  # the two part files; the links and their targets are not counted
    assert not d.exists() and not os.path.lexists(files / "tmp" / "upload-3b")
    assert tree(outside) == before
    assert (outside / "dir" / "precious").read_bytes() == b"do not touch"


def test_a_fresh_link_keeps_its_folder_even_if_its_target_is_old(tmp_path: Path) -> None:
    target = tmp_path / "old-target"
    target.write_bytes(b"t")
    age(target, 100)
    d = upload(tmp_path / "files", "upload-4a", 100)
    (d / "link").symlink_to(target)  # the link itself is new
    age(d, 100)
    assert sweep(tmp_path / "files", DAY).removed == []
    assert target.exists() and (d / "link").is_symlink()


def test_no_tmp_folder_yet(tmp_path: Path) -> None:
    swept = sweep(tmp_path / "files", DAY)
    assert (swept.removed, swept.bytes, swept.kept) == ([], 0, 0)
    assert not (tmp_path / "files").exists()  # the sweep creates nothing


def test_vanished_paths_are_skipped(tmp_path: Path) -> None:
    gone = tmp_path / "tmp" / "upload-gone"
    assert newest_mtime(gone) is None
    assert remove_tree(gone) == 0
    assert remove_tree(gone / "part-0") == 0


def test_folders_vanishing_while_the_sweep_works(tmp_path: Path) -> None:
    """Requests finishing concurrently remove their folders: the sweep neither fails nor
    leaves anything of what it judged abandoned."""
    for attempt in range(5):
        files = tmp_path / f"files-{attempt}"
        dirs = [upload(files, f"upload-{i:04x}", 30, {f"part-{j}": b"v" * 100 for j in range(5)}) for i in range(200)]
        start = threading.Event()

        def finish_requests(start: threading.Event = start, dirs: list[Path] = dirs) -> None:
            start.wait()
            for d in reversed(dirs):
                shutil.rmtree(d, ignore_errors=True)

        t = threading.Thread(target=finish_requests)
        t.start()
        start.set()
        swept = sweep(files, DAY)
        t.join()
        # Where both met, the folder's time had just changed (its files being deleted): kept, and
        # removed by its request. Nothing fails and nothing stays.
        assert len(swept.removed) + swept.kept <= 200
        assert list((files / "tmp").iterdir()) == []


def test_the_folders_the_uploads_make_are_the_ones_swept(tmp_path: Path) -> None:
    from api.uploads import new_tmp_dir

    d = new_tmp_dir(str(tmp_path))
    assert d.parent == tmp_root(tmp_path) and d.name.startswith(PREFIXES)
    (d / "part-0").write_bytes(b"abc")
    assert sweep(tmp_path, DAY).kept == 1  # in use
    age(d / "part-0", 25)
    age(d, 25)
    assert sweep(tmp_path, DAY).removed == [d.name] and not d.exists()


# -- gongshi sweep-uploads ---------------------------------------------------------------------


def test_command_end_to_end(tmp_path: Path, monkeypatch, capsys) -> None:
    files = tmp_path / "files"
    upload(files, "upload-5a", 25)
    upload(files, "upload-5b", 23)
    upload(files, "upload-5c", 3)
    monkeypatch.setenv("FILES_DIR", str(files))
    assert cli.main(["sweep-uploads"]) == 0  # default: 24 hours
    assert capsys.readouterr().out.splitlines() == [
        f"removed {files}/tmp/upload-5a",
        "swept: folders=1 bytes=1234 kept=2",
    ]
    assert cli.main(["sweep-uploads", "--older-than", "2.5"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"removed {files}/tmp/upload-5b",
        f"removed {files}/tmp/upload-5c",
        "swept: folders=2 bytes=2468 kept=0",
    ]
    assert cli.main(["sweep-uploads"]) == 0
    assert capsys.readouterr().out.splitlines() == ["swept: folders=0 bytes=0 kept=0"]
    assert list((files / "tmp").iterdir()) == []


@pytest.mark.parametrize("bad", ["0", "-3", "soon", "nan"])
def test_command_refuses_a_bad_age(tmp_path: Path, monkeypatch, capsys, bad: str) -> None:
    upload(tmp_path, "upload-6a", 1)
    monkeypatch.setenv("FILES_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as e:
        cli.main(["sweep-uploads", "--older-than", bad])
    assert e.value.code == 2
    assert "positive number of hours" in capsys.readouterr().err
    assert (tmp_path / "tmp" / "upload-6a").is_dir()


# -- the web process ---------------------------------------------------------------------------


async def test_app_start_up_sweeps_in_the_background(tmp_path: Path, settings, app) -> None:
    from app import create_app
    from db.engine import bind_tables

    files = tmp_path / "files"
    old = upload(files, "upload-7a", 30)
    fresh = upload(files, "upload-7b", 0.5)
    started = create_app(dataclasses.replace(settings, files_dir=str(files), jobs=True))
    for hook in started.on_startup:
        await hook(started)  # type: ignore[call-arg]
    try:
        task = started.state.sweep_uploads_task
        for _ in range(200):
            if not old.exists():
                break
            await asyncio.sleep(0.05)
        assert not old.exists()
        assert fresh.is_dir() and len(list(fresh.iterdir())) == 2
        assert not task.done()  # now waiting for the next day's sweep
    finally:
        for hook in started.on_shutdown:
            await hook(started)  # type: ignore[call-arg]
        bind_tables(app.state.engine)  # give the tables back to the session app's engine
    assert task.cancelled()


async def test_daily_sweep_runs_again(tmp_path: Path) -> None:
    from commands.uploads import daily

    files = tmp_path / "files"
    task = asyncio.create_task(daily(str(files), every=0.05))
    try:
        await asyncio.sleep(0.2)
        later = upload(files, "upload-8a", 30)  # appears after the first sweep
        for _ in range(100):
            if not later.exists():
                break
            await asyncio.sleep(0.05)
        assert not later.exists()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
