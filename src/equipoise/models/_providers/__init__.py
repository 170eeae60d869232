"""Model adapters, one module per provider; importing `_all` registers every one of them.

This package itself imports none, so `_util` (the typed adapter arguments the entries file is
checked against) comes without the HTTP client or llama.cpp's glue.
"""
