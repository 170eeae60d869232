"""The one runner: select samples, build requests, run them concurrently, score, aggregate, write, record."""

from equipoise.runner._runner import RunFailed, eval_async, evaluate, select_samples, write_run_dir

__all__ = ["RunFailed", "eval_async", "evaluate", "select_samples", "write_run_dir"]
