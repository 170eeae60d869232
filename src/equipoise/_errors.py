"""Errors a person can act on that several layers raise or catch (kept import-free, so the CLI can
name them without loading the code behind them)."""


class StoreError(RuntimeError):
    """The results store cannot be opened: a bad URL, a server that does not answer, a failed migration."""


class ModelError(Exception):
    """A model spec or model file that cannot be used; the message says what to do."""


class DatasetError(ValueError):
    """A data file that is missing or malformed; the message names the file, line and field."""


class CacheError(RuntimeError):
    """The response cache file cannot be used (damaged, not a database)."""
