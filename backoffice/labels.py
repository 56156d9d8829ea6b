"""Labels the back-office pages show: the ones the portal and the rule modules already have
(status names are the procedure's own words), plus the queue names."""

from __future__ import annotations

from domain.complaints import STATUS_LABELS as COMPLAINT_STATUS_LABELS
from domain.repair import OBJECTION_STATUS_LABELS
from portal.controllers.repair import STATUS_LABELS as APPLICATION_STATUS_LABELS
from portal.labels import N_

QUEUE_LABELS = {
    "applications": N_("信用修复申请"),
    "objections": N_("异议"),
    "complaints": N_("投诉"),
}
# kind → status → label (a status word means different things per kind: 'submitted', 'rejected')
ITEM_STATUS_LABELS = {
    "application": APPLICATION_STATUS_LABELS,
    "objection": OBJECTION_STATUS_LABELS,
    "complaint": COMPLAINT_STATUS_LABELS,
}
