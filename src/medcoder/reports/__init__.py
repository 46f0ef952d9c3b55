"""Reports on coded data (issue 15): ``medcoder report KIND``, ``GET /v1/reports/{kind}``.

Each report is one SQLAlchemy Core query path (the same statements on SQLite and
PostgreSQL) over finalized or in-review encounters, read through the records service's
reporting door (``Records.reporting``: the reporting roles, audited); no PHI column is
selected. ``kinds`` lists the reports, ``runner.run_report`` runs one, ``render`` writes
table / JSON / CSV and ``plot`` a PNG or SVG chart.
"""
