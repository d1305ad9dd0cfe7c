"""Settings, read from the environment.

`base` is what production runs; with no environment at all it falls back to the embedded default
(SQLite file in the project folder, Celery tasks run eagerly). `test` tunes `base` for the suite.
"""
