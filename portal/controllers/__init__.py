"""PORTAL_CONTROLLERS: register a portal page by appending its controller here (one line)."""

from __future__ import annotations

from portal.controllers.home import HomeController
from portal.controllers.language import LanguageController
from portal.controllers.static_pages import StaticPagesController

PORTAL_CONTROLLERS: list = [
    HomeController,
    LanguageController,
    StaticPagesController,
]
