"""The back office shares the portal's catalogue: every message in backoffice/ has its English
entry, and the language switch turns the pages to English."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_backoffice_message_has_an_english_translation() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = {
        msg
        for _f, _l, msg, _c, _x in extract_from_dir(str(ROOT / "backoffice"), method_map, options, keywords)
        if isinstance(msg, str)
    }
    assert len(found) > 100
    with (ROOT / "portal/locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    missing = sorted(m for m in found if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"run scripts/portal-i18n.sh and translate: {missing}"


async def test_login_page_in_english(client) -> None:
    r = await client.get("/admin/login", params={"lang": "en"})
    assert r.status_code == 200
    assert "Back-office sign-in" in r.text and "政务后台登录" not in r.text
