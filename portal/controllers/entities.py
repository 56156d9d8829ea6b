"""Entity profile by USCC: /entities/{uscc} — results timeline and honours, public ones only."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from api.caps import inspections_by_year
from api.schemas import ResultOut
from api.serialize import result_out
from db import entities as q
from db.lookups import region_names
from db.results import department_names
from db.snapshot import read_snapshot
from domain import uscc as uscc_rules
from domain.errors import FieldError, NotFound, ValidationFailed
from domain.masking import is_individual, mask_person_name, public_entity_name
from domain.regions import full_name
from portal.render import page

MAX_ROWS = 200  # the profile shows at most this many results; the API pages through all


class EntityPagesController(Controller):
    path = "/entities"

    @get("/{code:str}", name="portal:entity")
    async def entity(self, request: Request, code: FromPath[str]) -> Template:
        async with read_snapshot():
            try:
                uscc = uscc_rules.validate(code)
            except uscc_rules.InvalidUSCC as e:
                raise ValidationFailed("统一社会信用代码无效 (invalid USCC)", [FieldError("uscc", str(e))]) from None
            row = await q.get_entity(uscc)
            if row is None:
                raise NotFound(f"没有统一社会信用代码为 {uscc} 的经营主体 (no entity {uscc})")
            results = await q.public_results(uscc, MAX_ROWS)
            honours = await q.public_honours(uscc, MAX_ROWS)
            names = await department_names([c for r in results for c in r["department_codes"].split(",")])
            # Same masking as GET /api/v1/entities/{uscc}: an individual business's operator name.
            operator = row["operator_name"] if is_individual(row["kind"], uscc) else ""
            items: list[ResultOut] = []
            for r in results:
                out = result_out(r, names, "")
                out.entity_name = public_entity_name(out.entity_name, row["kind"], operator, uscc)
                items.append(out)
            for h in honours:
                h["entity_name"] = public_entity_name(h["entity_name"], row["kind"], operator, uscc)
            total = await q.count_public_results(uscc) if len(results) == MAX_ROWS else len(results)
            entity = {
                "uscc": uscc,
                "name": public_entity_name(row["name"], row["kind"], operator, uscc),
                "kind": row["kind"],
                "region_code": row["region_code"],
                "industry_code": row["industry_code"],
                "status": row["status"],
                "operator": mask_person_name(operator) if operator else "",
            }
            years: dict[int, list[ResultOut]] = {}
            for item in items:
                years.setdefault(item.inspected_on.year, []).append(item)
            return page(
                request,
                "entity.html",
                api_url=f"/api/v1/entities/{uscc}",
                nav="search",
                e=entity,
                timeline=sorted(years.items(), reverse=True),
                total=total,
                shown=len(items),
                negatives=sum(1 for r in items if r.negative),
                honours=honours,
                inspections=await inspections_by_year(uscc, row["risk_class"]),
                region_name=full_name(row["region_code"], await region_names([row["region_code"]])),
            )
