"""Builders for plan, guide, honour, document and scan payloads, and a database snapshot
to prove that a refused request changed nothing."""

from __future__ import annotations

from pathlib import Path

from db.tables import (
    AuditLog,
    ChangeLog,
    Document,
    Guide,
    GuideFile,
    GuideVersion,
    Honour,
    Outbox,
    Plan,
    PlanRevision,
    ScanRecord,
)

DEPT = "371500-scjg"
OTHER = "140000-scjg"


def plan_payload(**kw) -> dict:
    body = {
        "year": 2025,
        "title": "聊城市2025年度“双随机、一公开”抽查计划",
        "participating": ["聊城市市场监督管理局", "聊城市生态环境局"],
        "body": "根据省联席会议工作要点制定。",
        "items": [
            {
                "code": "1",
                "field": "食品安全",
                "matters": ["食品销售者经营条件检查"],
                "scope": "食品销售企业",
                "departments": ["聊城市市场监督管理局"],
                "level": "市",
                "months": [4, 5, 6],
                "ratio_by_class": {"A": 3, "B": 4, "C": 5, "D": 6},
                "method": "现场检查",
                "joint": False,
            },
            {
                "code": "2",
                "field": "生态环境",
                "matters": ["排污许可执行情况检查"],
                "scope": "重点排污单位",
                "departments": ["聊城市生态环境局"],
                "level": "市",
                "months": [7],
                "ratio_percent": 5,
                "method": "现场检查",
                "joint": True,
            },
        ],
    }
    body.update(kw)
    return body


def guide_payload(**kw) -> dict:
    body = {
        "industry_code": "H62",
        "industry_name": "餐饮服务",
        "version": "2025.1",
        "title": "餐饮服务经营者合规指引",
        "effective_on": "2025-03-01",
        "summary": "一次告知餐饮服务经营者需要办理的许可、接受的检查和常见违法行为。",
        "sections": [
            {"heading": "证照办理", "body": "从事餐饮服务应当取得食品经营许可证。\n\n- 营业执照\n- 食品经营许可证"},
            {"heading": "一业一查清单", "body": "- 从业人员健康证明\n- 餐具清洗消毒"},
        ],
    }
    body.update(kw)
    return body


def honour_payload(uscc: str, **kw) -> dict:
    body = {
        "uscc": uscc,
        "entity_name": "聊城市丰华食品有限公司",
        "honour": "守合同重信用企业",
        "kind": "credit",
        "awarded_by": "聊城市市场监督管理局",
        "awarded_on": "2025-05-20",
        "valid_until": "2027-05-19",
    }
    body.update(kw)
    return body


def document_payload(**kw) -> dict:
    body = {
        "title": "聊城市严格规范涉企行政检查工作实施方案",
        "issuer": "聊城市人民政府办公室",
        "doc_number": "聊政办发〔2025〕3号",
        "issued_on": "2025-04-30",
        "region_code": "371500",
        "region_name": "山东省聊城市",
        "body": "为严格规范涉企行政检查……",
        "source": "seed",
    }
    body.update(kw)
    return body


def scan_payload(uscc: str, **kw) -> dict:
    body = {
        "uscc": uscc,
        "officer_credentials": ["37150012345", "37150067890"],
        "scanned_at": "2025-06-12T09:30:00+08:00",
        "method": "scan",
        "task_number": "LC-2025-001",
    }
    body.update(kw)
    return body


async def snapshot(files_dir: Path | None = None) -> tuple:
    counts = tuple(
        [
            await t.count()
            for t in (
                Plan,
                PlanRevision,
                Guide,
                GuideVersion,
                GuideFile,
                Honour,
                Document,
                ScanRecord,
                AuditLog,
                ChangeLog,
                Outbox,
            )
        ]
    )
    files = sorted(str(p) for p in files_dir.rglob("*") if p.is_file()) if files_dir and files_dir.exists() else []
    return counts, tuple(files)
