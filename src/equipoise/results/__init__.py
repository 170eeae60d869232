"""What evaluations produce, read by every layer above: runs, task and sample results, judge checks.

Plain data with no behaviour beyond (de)serialising: the runner and the importers build these,
the store keeps them, metrics, ranking and the web app read them.
"""

from equipoise.results._judge_check import FIGURES, Agreement, JudgeCheck, JudgeTask
from equipoise.results._manifest import CallCounts, DataFile, RunManifest, RunParams, TaskInfo
from equipoise.results._run import EvalRun, SampleResult, TaskResult

__all__ = [
    "FIGURES",
    "Agreement",
    "CallCounts",
    "DataFile",
    "EvalRun",
    "JudgeCheck",
    "JudgeTask",
    "RunManifest",
    "RunParams",
    "SampleResult",
    "TaskInfo",
    "TaskResult",
]
