"""The leaderboard ranking: safety, capability and the balanced overall per model entry."""

from equipoise.ranking._ranking import (
    Ranking,
    RankRow,
    board_runs,
    build_ranking,
    capability_score,
    rank_rows,
    run_safety,
)

__all__ = [
    "RankRow",
    "Ranking",
    "board_runs",
    "build_ranking",
    "capability_score",
    "rank_rows",
    "run_safety",
]
