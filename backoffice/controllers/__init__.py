"""Back-office controllers; BACKOFFICE_CONTROLLERS is the one list to register a page group in."""

from __future__ import annotations

from backoffice.controllers.administration import AccountPagesController, AuditPagesController, RulePagesController
from backoffice.controllers.complaints import ComplaintPagesController
from backoffice.controllers.evaluations import EvaluationPagesController
from backoffice.controllers.guides import GuidePagesController
from backoffice.controllers.imports import ImportPagesController
from backoffice.controllers.inbox import InboxController
from backoffice.controllers.login import LoginController
from backoffice.controllers.objections import ObjectionPagesController
from backoffice.controllers.plans import PlanPagesController
from backoffice.controllers.publish import PublishPagesController
from backoffice.controllers.repair import RepairPagesController
from backoffice.controllers.results import ResultPagesController

BACKOFFICE_CONTROLLERS: list = [
    LoginController,
    InboxController,
    RepairPagesController,
    ObjectionPagesController,
    ComplaintPagesController,
    ImportPagesController,
    ResultPagesController,
    PlanPagesController,
    GuidePagesController,
    AccountPagesController,
    RulePagesController,
    AuditPagesController,
    PublishPagesController,
    EvaluationPagesController,
]
