"""`page()`: the one way a portal controller renders a template.

Every page gets the same context: `lang` (portal.i18n.Lang), `path` and `query` (for the
language switch), `api_url` (the page's JSON twin in /api/v1, shown in the header and as
<link rel="alternate">), `nav` (which navigation entry is current) and `services`
(complaint and repair links, shown only once their pages are registered).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request
from litestar.response import Template

from domain.datasets import license_of
from portal.i18n import LANGS, lang_of
from portal.labels import N_

# Pages other engineers add to the portal; the navigation links each one as soon as a route
# with that path exists (until then the services page says "coming soon").
SERVICES: tuple[tuple[str, str, str], ...] = (
    # (path, Chinese label (msgid), key)
    ("/complaints/new", N_("投诉未扫码入企"), "complaint_file"),
    ("/complaints/track", N_("查询投诉进度"), "complaint_track"),
    ("/repair", N_("申请信用修复"), "repair"),
)


def registered_paths(request: Request) -> set[str]:
    paths = getattr(request.app.state, "_portal_paths", None)
    if paths is None:
        paths = {r.path for r in request.app.routes}
        request.app.state._portal_paths = paths
    return paths


CARE_COOKIE = "care"  # 长者模式 (larger type and spacing), as the 适老化 rules ask


def _site(request: Request) -> dict[str, Any]:
    s = request.app.state.settings
    psb_code = "".join(ch for ch in s.site_psb if ch.isdigit())
    return {
        "sponsor": s.site_sponsor,
        "operator": s.site_operator,
        "id": s.site_id,
        "icp": s.site_icp,
        "psb": s.site_psb,
        "psb_url": f"https://beian.mps.gov.cn/#/query/webSearch?code={psb_code}" if psb_code else "",
        "contact": s.site_contact,
        "licence": license_of(s.data_license),
        "publisher": s.publisher,
    }


def page(
    request: Request,
    template: str,
    *,
    api_url: str | None = None,
    nav: str = "",
    status_code: int = 200,
    **context: Any,
) -> Template:
    lang = lang_of(request)
    known = registered_paths(request)
    services = [{"path": p, "label": label, "key": k, "open": p in known} for p, label, k in SERVICES]
    here = request.url.path
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if rest:
        here += "?" + urlencode(rest)
    ctx = {
        "lang": lang,
        "switch_urls": {code: f"/lang/{code}?{urlencode({'next': here})}" for code in LANGS},
        "langs": LANGS,
        "path": request.url.path,
        "query": request.query_params,
        "api_url": api_url,
        "nav": nav,
        "services": services,
        "site": _site(request),
        "care": request.cookies.get(CARE_COOKIE) == "1",
        "care_urls": {state: f"/care/{state}?{urlencode({'next': here})}" for state in ("on", "off")},
        **context,
    }
    # HTML whatever the handler declares: a handler typed `-> Any` (one that may also redirect)
    # would otherwise send its page as application/json, which browsers show as source text.
    return Template(template_name=template, context=ctx, status_code=status_code, media_type=MediaType.HTML)


def url_with(path: str, params: dict[str, Any], **changes: Any) -> str:
    """`path?…` with `changes` applied to `params`; None/"" drop a parameter."""
    merged = {**params, **changes}
    q = {k: v for k, v in merged.items() if v not in (None, "")}
    return f"{path}?{urlencode(q, doseq=True)}" if q else path
