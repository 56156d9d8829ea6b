"""ASGI factory for the browser tests' uvicorn subprocess: settings from the environment,
exactly as `gongshi serve` builds the app."""

from __future__ import annotations

from app import create_app
from settings import Settings


def make():
    return create_app(Settings.from_env())
