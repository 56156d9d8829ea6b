"""Labels for stored codes, as gettext message ids (Chinese), translated where shown:
`{{ _(labels.ENTITY_KINDS.get(kind, kind)) }}`."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction (scripts/portal-i18n.sh passes -k N_)."""
    return message


ENTITY_KINDS = {
    "enterprise": N_("企业"),
    "individual": N_("个体工商户"),
    "cooperative": N_("农民专业合作社"),
    "other": N_("其他"),
}

HONOUR_KINDS = {
    "award": N_("奖项荣誉"),
    "credit": N_("信用荣誉"),
    "whitelist": N_("“无事不扰”白名单"),
    "bank_whitelist": N_("银行白名单"),
    "other": N_("其他"),
}

INSPECTION_TYPES = {"抽查": N_("抽查"), "检查": N_("检查")}

RECORD_TYPES = {
    "result": N_("检查结果"),
    "plan": N_("抽查计划"),
    "guide": N_("一业一册"),
    "honour": N_("荣誉信息"),
    "document": N_("政策文件"),
    "matter": N_("抽查事项"),
}

LEVELS = {"省": N_("省级"), "市": N_("市级"), "县": N_("县级")}
