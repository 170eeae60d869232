"""The leaderboard web app (`equipoise serve`): the board, model pages, charts, about and a JSON API.

Routes are thin: they call the library the CLI calls (`equipoise.ranking.build_ranking`, the store,
the registries). `create_app(store_url)` builds the app; `export_site(dir)` writes it as static files.
"""

from equipoise.web._app import create_app
from equipoise.web._board import BoardQuery
from equipoise.web._export import export_site

__all__ = ["BoardQuery", "create_app", "export_site"]
