"""Statistics for PostgreSQL's planner after a bulk load.

A loader that writes thousands of rows at once (the reference units, the synthetic figures)
leaves the planner guessing until autovacuum analyses the tables, which may be minutes later
or, where autovacuum is off, never. With no statistics of `units_unit`, PostgreSQL took the
country's 10,000 communes for 7 and planned the national year's roll-up as nested loops:
more than six minutes instead of 3 s (benchmarks/RESULTS.md, 2026-12-04).
"""

from django.db import connection


def analyse(*tables: str) -> None:
    """ANALYZE these tables (every table if none is named); nothing on other databases."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("ANALYZE")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
