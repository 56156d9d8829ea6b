"""Home page: search box, latest publications, key figures."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from portal.render import page


class HomeController(Controller):
    path = "/"

    @get("/", name="portal:home")
    async def home(self, request: Request) -> Template:
        return page(request, "home.html", api_url="/api/v1/results", nav="home", latest=[], figures=None)
