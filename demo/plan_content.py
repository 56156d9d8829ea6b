"""Annual plans for the demo, built from the seed documents (demo_data/seeds).

The structure (fields, check items, departments, levels, joint checks, risk-class ratios)
follows what the seeds say; month schedules and percentages where a seed gives none are
illustrative and the plan body says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

DEMO_NOTE = "（演示数据：本计划依据所列政策文件编制，时间安排和抽查比例为示例值。）"


def _item(
    code: str,
    field: str,
    matters: list[str],
    scope: str,
    departments: list[str],
    level: str,
    months: list[int],
    method: str = "现场检查",
    joint: bool = False,
    ratio: float | None = None,
    by_class: dict[str, float] | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "field": field,
        "matters": matters,
        "scope": scope,
        "departments": departments,
        "level": level,
        "months": months,
        "ratio_percent": ratio,
        "ratio_by_class": by_class or {},
        "method": method,
        "joint": joint,
    }


SD_SCJG, SD_STHJ, SD_YJGL, SD_YJJ = (
    "山东省市场监督管理局",
    "山东省生态环境厅",
    "山东省应急管理厅",
    "山东省药品监督管理局",
)

SHANDONG_2025 = {
    "department_code": "370000-scjg",
    "year": 2025,
    "published_on": dt.date(2025, 3, 20),
    "title": "山东省2025年度部门联合“双随机、一公开”暨跨部门综合监管抽查检查计划",
    "participating": [SD_SCJG, SD_STHJ, SD_YJGL, SD_YJJ, "山东省住房和城乡建设厅", "山东省民政厅"],
    "body": (
        "依据《2025年省“双随机、一公开”监管工作联席会议工作要点》制定。2025年拟抽查企业数量较2024年"
        "降低10%以上，部门联合抽查比例不低于50%；对登记事项、公示信息等企业共有的检查事项不再单独开展"
        "抽查，与其他业务领域合并进行；在燃气、殡葬服务、非道路移动机械污染排放等重点领域组织实施"
        "跨部门综合监管。" + DEMO_NOTE
    ),
    "items": [
        _item(
            "1",
            "燃气安全",
            ["燃气经营许可条件保持情况检查", "瓶装液化石油气充装质量检查", "燃气燃烧器具安装维修检查"],
            "燃气经营企业、液化石油气充装单位",
            ["山东省住房和城乡建设厅", SD_SCJG, SD_YJGL],
            "市",
            [4, 5, 6],
            "跨部门综合监管，一次派单、联合执行",
            joint=True,
            by_class={"A": 3, "B": 5, "C": 8, "D": 10},
        ),
        _item(
            "2",
            "殡葬服务",
            ["殡葬服务收费公示检查", "殡葬用品质量检查"],
            "殡仪服务机构、公墓经营单位",
            ["山东省民政厅", SD_SCJG],
            "市",
            [7, 8],
            "跨部门综合监管",
            joint=True,
            ratio=5,
        ),
        _item(
            "3",
            "非道路移动机械污染排放",
            ["非道路移动机械排放达标检查", "非道路移动机械编码登记检查"],
            "使用非道路移动机械的建筑施工、物流企业",
            [SD_STHJ, "山东省住房和城乡建设厅"],
            "市",
            [5, 6, 9],
            "现场检查、遥感监测",
            joint=True,
            ratio=3,
        ),
        _item(
            "4",
            "企业公示信息",
            ["企业年度报告公示信息检查", "即时公示信息检查"],
            "各类企业",
            [SD_SCJG],
            "县",
            [6, 7, 8, 9],
            "书面检查、网络监测（非现场）",
            by_class={"A": 1, "B": 2, "C": 3, "D": 5},
        ),
        _item(
            "5",
            "食品安全",
            ["食品销售者经营条件及进货查验检查", "餐饮服务食品安全操作规范执行情况检查"],
            "食品销售者、餐饮服务提供者",
            [SD_SCJG],
            "县",
            [3, 4, 5, 9, 10],
            "现场检查、抽样检验",
            by_class={"A": 3, "B": 4, "C": 5, "D": 6},
        ),
        _item(
            "6",
            "药品零售",
            ["药品经营质量管理规范执行情况检查", "处方药销售管理检查"],
            "药品零售企业",
            [SD_YJJ, SD_SCJG],
            "市",
            [5, 6, 10],
            joint=True,
            ratio=5,
        ),
    ],
}

# The published revision: the work points say common matters (公示信息) are no longer checked on
# their own but merged into other fields' checks, and joint checks rise.
SHANDONG_2025_REVISION = {
    "reason": (
        "根据省联席会议工作要点第（四）项“对于登记事项、公示信息等企业共有的检查事项不再单独开展抽查，"
        "与其他业务领域合并进行”，取消企业公示信息单独抽查，并入食品安全抽查一并实施。"
    ),
    "drop": "4",
    "merge_into": "5",
    "merge_matters": ["企业年度报告公示信息检查"],
}

SX_SCJG = "山西省市场监督管理局"
SHANXI_2025 = {
    "department_code": "140000-scjg",
    "year": 2025,
    "published_on": dt.date(2025, 4, 20),
    "title": "山西省市场监督管理局2025年度“双随机、一公开”抽查计划",
    "participating": [SX_SCJG, "山西省生态环境厅", "山西省药品监督管理局"],
    "body": (
        "依据《山西省2025年“双随机、一公开”监管工作实施方案》制定：以全省部门联合双随机抽查事项清单"
        "（“一业一查”清单）为指导，综合运用信用风险分类结果合理确定抽查比例和频次，能通过书面核查、"
        "信息共享、网络监测等方式监管的不入企实施现场检查。" + DEMO_NOTE
    ),
    "items": [
        _item(
            "1",
            "产品质量",
            ["重点工业产品质量安全检查"],
            "重点工业产品生产企业",
            [SX_SCJG],
            "省",
            [5, 6, 7],
            "现场检查、抽样检验",
            by_class={"A": 2, "B": 4, "C": 6, "D": 10},
        ),
        _item(
            "2",
            "特种设备",
            ["电梯维护保养单位检查", "气瓶充装单位检查"],
            "电梯维保单位、气瓶充装单位",
            [SX_SCJG],
            "市",
            [4, 8],
            joint=False,
            ratio=10,
        ),
        _item(
            "3",
            "广告监管",
            ["互联网广告发布行为检查"],
            "广告经营者、广告发布者",
            [SX_SCJG],
            "市",
            [9, 10],
            "网络监测（非现场）",
            ratio=3,
        ),
        _item(
            "4",
            "生态环境（一业一查）",
            ["排污许可证执行情况检查", "企业公示信息检查"],
            "重点排污单位",
            ["山西省生态环境厅", SX_SCJG],
            "市",
            [6, 7],
            joint=True,
            ratio=5,
        ),
    ],
}

SJZ_SCJG = "石家庄市市场监督管理局"
CLASS_RATIOS: dict[str, float] = {"A": 3, "B": 4, "C": 5, "D": 6}
SHIJIAZHUANG_2025 = {
    "department_code": "130100-scjg",
    "year": 2025,
    "published_on": dt.date(2025, 3, 31),
    "title": "石家庄市2025年度部门联合“双随机、一公开”抽查计划",
    "participating": [SJZ_SCJG, "石家庄市生态环境局", "石家庄市应急管理局", "石家庄市消防救援支队"],
    "body": (
        "依据《石家庄市2025年“双随机、一公开”监管工作实施方案》：运用信用风险分级分类开展的抽查次数"
        "占抽查企业总次数的比例达到100%，联合抽查次数占比、户数占比均实现100%，全面推行“一业一查”"
        "部门联合抽查模式；对高风险主体加大抽查比例和频次。A、B、C、D类分别按3%、4%、5%、6%抽取。" + DEMO_NOTE
    ),
    "items": [
        _item(
            "1",
            "餐饮服务（一业一查）",
            ["食品安全操作规范检查", "燃气使用安全检查", "消防安全检查"],
            "餐饮服务提供者",
            [SJZ_SCJG, "石家庄市应急管理局", "石家庄市消防救援支队"],
            "县",
            [4, 5, 6],
            joint=True,
            by_class=CLASS_RATIOS,
        ),
        _item(
            "2",
            "加油站（一业一查）",
            ["成品油质量检查", "加油机计量检查", "油气回收装置运行检查"],
            "加油站",
            [SJZ_SCJG, "石家庄市生态环境局", "石家庄市应急管理局"],
            "市",
            [6, 7],
            joint=True,
            by_class=CLASS_RATIOS,
        ),
        _item(
            "3",
            "药品零售（一业一查）",
            ["药品经营质量管理规范执行情况检查", "医疗器械经营检查"],
            "药品零售企业",
            [SJZ_SCJG],
            "县",
            [8, 9],
            joint=True,
            by_class=CLASS_RATIOS,
        ),
        _item(
            "4",
            "企业公示信息",
            ["企业年度报告公示信息检查"],
            "各类企业",
            [SJZ_SCJG],
            "县",
            [7, 8, 9, 10],
            "书面检查",
            joint=True,
            by_class=CLASS_RATIOS,
        ),
    ],
}

PLANS: tuple[dict[str, Any], ...] = (SHANDONG_2025, SHANXI_2025, SHIJIAZHUANG_2025)


def revised_items(items: list[dict[str, Any]], rev: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply SHANDONG_2025_REVISION to the items: drop one, merge its matters into another."""
    out = []
    for it in items:
        if it["code"] == rev["drop"]:
            continue
        it = dict(it)
        if it["code"] == rev["merge_into"]:
            it["matters"] = list(it["matters"]) + rev["merge_matters"]
            it["joint"] = True
        out.append(it)
    return out
