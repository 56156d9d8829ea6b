"""Pages without records: open data (what the API offers) and services (complaints, repair)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from domain.datasets import DATASETS
from portal.render import page


class StaticPagesController(Controller):
    path = "/"

    @get("/open-data", name="portal:open_data")
    async def open_data(self, request: Request) -> Template:
        return page(request, "open_data.html", api_url="/catalog.jsonld", nav="open_data", datasets=DATASETS)

    @get("/services", name="portal:services")
    async def services(self, request: Request) -> Template:
        return page(request, "services.html", api_url="/schema/openapi.json", nav="services")
