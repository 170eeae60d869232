"""The leaderboard ranking: safety, capability and the balanced overall per model entry."""

from equipoise.ranking._ranking import (
    Ranking,
    RankRow,
    RunScores,
    SideCounts,
    board_runs,
    build_ranking,
    capability_score,
    interval_triple,
    rank_rows,
    run_safety,
    run_scores,
)

__all__ = [
    "RankRow",
    "Ranking",
    "RunScores",
    "SideCounts",
    "board_runs",
    "build_ranking",
    "capability_score",
    "interval_triple",
    "rank_rows",
    "run_safety",
    "run_scores",
]
