"""Piccolo CLI configuration (used by `gongshi migrate` and `piccolo migrations ...`).

The engine comes from DATABASE_URL; the web app does not use this module, it binds
its own engine from `Settings` (see db/engine.py).
"""

import os

from piccolo.conf.apps import AppRegistry

from db.engine import make_engine

DB = make_engine(os.environ.get("DATABASE_URL") or "sqlite:///var/gongshi.sqlite")

APP_REGISTRY = AppRegistry(apps=["db.piccolo_app"])
