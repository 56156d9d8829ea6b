"""PORTAL_CONTROLLERS: register a portal page by appending its controller here (one line)."""

from __future__ import annotations

from portal.controllers.complaints import ComplaintPagesController
from portal.controllers.documents import DocumentPagesController
from portal.controllers.entities import EntityPagesController
from portal.controllers.guides import GuidePagesController
from portal.controllers.home import HomeController
from portal.controllers.honours import HonourPagesController
from portal.controllers.language import CareModeController, LanguageController
from portal.controllers.matters import MatterPagesController
from portal.controllers.my_inspections import MyInspectionsAliasController, MyInspectionsPagesController
from portal.controllers.plans import PlanPagesController
from portal.controllers.repair import RepairPagesController
from portal.controllers.results import ResultPagesController
from portal.controllers.search import SearchPagesController
from portal.controllers.sitemap import SitemapController
from portal.controllers.static_pages import StaticPagesController
from portal.controllers.statistics import StatisticsPagesController

PORTAL_CONTROLLERS: list = [
    HomeController,
    LanguageController,
    CareModeController,
    StaticPagesController,
    ResultPagesController,
    EntityPagesController,
    PlanPagesController,
    MatterPagesController,
    GuidePagesController,
    HonourPagesController,
    DocumentPagesController,
    StatisticsPagesController,
    SearchPagesController,
    RepairPagesController,
    MyInspectionsPagesController,
    MyInspectionsAliasController,
    ComplaintPagesController,
    SitemapController,
]
