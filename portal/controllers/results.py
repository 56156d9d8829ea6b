"""Result detail: /results/{id}. Same query and serializer as GET /api/v1/results/{id}."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from api.serialize import result_out
from db import repair as repo
from db import results as q
from db.entities import get_entity
from db.lookups import region_names
from db.snapshot import read_snapshot
from domain import repair_flow as flow
from domain.disclosure import ensure_servable
from domain.errors import NotFound
from domain.masking import public_entity_name
from domain.regions import full_name
from portal.render import page


class ResultPagesController(Controller):
    path = "/results"

    @get("/{result_id:int}", name="portal:result")
    async def result(self, request: Request, result_id: FromPath[int]) -> Template:
        async with read_snapshot():
            row = await q.get_result(result_id)
            if row is None:
                raise NotFound(f"没有编号为 {result_id} 的检查结果 (no result {result_id})")
            ensure_servable("检查结果", result_id, row["disclosure"], row["withdrawn_reason"])
            names = await q.department_names(row["department_codes"].split(","))
            r = result_out(row, names, "")
            ent = await get_entity(row["uscc"])
            if ent is not None:
                # An individual business's operator name is masked, as on the entity profile.
                r.entity_name = public_entity_name(r.entity_name, ent["kind"], ent["operator_name"], row["uscc"])
            region = full_name(row["region_code"], await region_names([row["region_code"]]))
            publicity = await flow.result_publicity(repo, row)
            return page(
                request,
                "result.html",
                api_url=f"/api/v1/results/{result_id}",
                nav="search",
                r=r,
                region_name=region,
                publicity=publicity,
            )
