"""The static file server of bench/web_load.py: Starlette's StaticFiles over $STATIC_DIR, served
by uvicorn like the app, so the two differ only by the app's own work."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles


def app() -> Starlette:
    return Starlette(routes=[Mount("/", StaticFiles(directory=os.environ["STATIC_DIR"]))])
