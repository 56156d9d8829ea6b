"""Home page: search box, latest publications, key figures."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from db.snapshot import read_snapshot
from db.stats import statistics
from portal.latest import latest_publications
from portal.render import page


class HomeController(Controller):
    path = "/"

    @get("/", name="portal:home")
    async def home(self, request: Request) -> Template:
        async with read_snapshot():
            return page(
                request,
                "home.html",
                api_url="/api/v1/changes",
                nav="home",
                latest=await latest_publications(10),
                figures=await statistics(wait=False),
            )
