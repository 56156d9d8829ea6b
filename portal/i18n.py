"""Languages of the portal: Simplified Chinese (default) and English, through gettext.

Message ids are the Chinese texts themselves, so Chinese needs no catalogue and an
untranslated string falls back to Chinese rather than to a code. The English catalogue
is `portal/locale/en/LC_MESSAGES/messages.po` (committed); it is compiled to a `.mo`
in memory at start-up, so there is no build step and no binary to commit.

Catalogue workflow (see README "Portal"):
    scripts/portal-i18n.sh   # extract → update messages.po (then translate the new entries)

In templates use `{{ _("中文") }}` or `{% trans %}…{% endtrans %}`; in Python use
`gettext_for(lang)("中文")` or `tr(request, "中文")`.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request
from markupsafe import Markup

LOCALE_DIR = Path(__file__).parent / "locale"
COOKIE = "lang"


@dataclass(frozen=True)
class Lang:
    code: str  # our short code, used in ?lang= and the cookie
    html: str  # BCP 47 tag for <html lang>
    label: str  # the language's own name, shown in the switch
    babel: str  # catalogue directory name


LANGS: dict[str, Lang] = {
    "zh": Lang("zh", "zh-Hans", "简体中文", "zh_Hans"),
    "en": Lang("en", "en", "English", "en"),
}
DEFAULT = "zh"


def lang_of(request: Request) -> Lang:
    """?lang= wins (shareable links), then the cookie set by the switch, then Chinese."""
    code = request.query_params.get("lang") or request.cookies.get(COOKIE) or DEFAULT
    return LANGS.get(code, LANGS[DEFAULT])


@cache
def translations(code: str) -> _gettext.NullTranslations:
    # The catalogue is read once per process; .po is the source of truth.
    lang = LANGS.get(code, LANGS[DEFAULT])
    po = LOCALE_DIR / lang.babel / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang.babel)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def gettext_for(code: str) -> Callable[[str], str]:
    return translations(code).gettext


def tr(request: Request, message: str) -> str:
    return gettext_for(lang_of(request).code)(message)


# --- Jinja callables -------------------------------------------------------
# Installed as the environment's gettext functions ("newstyle": `%(name)s` placeholders
# are filled from keyword arguments and escaped). They read the page's language from
# the template context (`lang`), so one environment serves both languages at once.


def _translate(ctx: Context) -> _gettext.NullTranslations:
    lang = ctx.get("lang")
    return translations(lang.code if isinstance(lang, Lang) else DEFAULT)


@pass_context
def jinja_gettext(ctx: Context, message: str, **variables: Any) -> str:
    rv = _translate(ctx).gettext(message)
    if ctx.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables if variables else rv


@pass_context
def jinja_ngettext(ctx: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    rv = _translate(ctx).ngettext(singular, plural, num)
    if ctx.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def install(env: Any) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.globals.update(gettext=jinja_gettext, _=jinja_gettext, ngettext=jinja_ngettext)
    env.newstyle_gettext = True
