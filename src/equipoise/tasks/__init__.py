"""Tasks, suites and the task registry. Importing this package registers every built-in task."""

from equipoise.tasks import capability, decodingtrust, libra, quick
from equipoise.tasks._task import Task, all_tasks, get_task, select_tasks, suite_names, task

__all__ = [
    "Task",
    "all_tasks",
    "capability",
    "decodingtrust",
    "get_task",
    "libra",
    "quick",
    "select_tasks",
    "suite_names",
    "task",
]
