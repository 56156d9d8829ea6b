"""`gongshi render-guides`: render the guide PDFs that are missing.

The demo (and a department's publication) store a guide without its PDF when no CJK font was
installed (render.guides.FontMissing). Once one is, this command renders every missing PDF from the
version's sections, stores it and attaches it to the version, audited as the system.
`scripts/run-demo.sh` runs it on every start, so a font installed later brings the PDFs.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from settings import Settings

ACTOR_NAME = "system:render-guides"


async def render_missing(settings: Settings) -> tuple[int, str]:
    """(PDFs added, a message); a missing font is said, not raised."""
    from db.engine import bind_tables, close_engine, make_engine, open_engine

    engine = make_engine(settings.database_url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        return await _render(settings)
    finally:
        await close_engine(engine)


async def _render(settings: Settings) -> tuple[int, str]:
    from db import guides as gq
    from db.results import department_names
    from domain.auth import Principal
    from domain.guides import download_filename
    from render import filestore
    from render.guides import FontMissing, content_from, find_font, render_pdf

    missing = await gq.versions_missing("pdf")
    if not missing:
        return 0, "every guide version has its PDF"
    try:
        find_font(settings.pdf_font)
    except FontMissing as e:
        return 0, f"{len(missing)} guide version(s) without a PDF; {e}"
    names = await department_names(sorted({g["department_code"] for g, _v in missing}))
    actor = Principal(ACTOR_NAME, "system")
    n = 0
    for guide, version in missing:
        content = content_from(guide, version, names.get(guide["department_code"], ""))
        data = await asyncio.to_thread(render_pdf, content, settings.pdf_font)
        name = download_filename(guide["industry_name"], version["title"], version["version"], "pdf")
        stored = filestore.store(settings.files_dir, data, "pdf", name)
        try:
            await gq.add_version_files(guide["id"], version["id"], [stored.row()], actor)
        except BaseException:
            filestore.remove_created(settings.files_dir, [stored])
            raise
        n += 1
    return n, f"rendered {n} missing guide PDF(s)"


def cmd_render_guides(settings: Settings, args: argparse.Namespace) -> int:
    _n, message = asyncio.run(render_missing(settings))
    print(message)
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser(
        "render-guides",
        help="render the guide PDFs that are missing (stored while no CJK font was installed)",
        description="Render, store and attach the PDF of every public guide version that has none "
        "(the demo skips PDFs when no CJK font is installed). Safe to run again: it adds only what is missing.",
    )
    s.set_defaults(func=cmd_render_guides)
