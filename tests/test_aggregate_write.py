"""Writing rows of the live aggregates (indicators/aggregate_table.py), in a transaction or
not: a loader's units_changed runs outside one."""

from decimal import Decimal

import pytest

from indicators import aggregate_table
from indicators.models import Aggregate


def row(value: str, source: str = "") -> aggregate_table.Row:
    # The table has no foreign keys (its rows are derived): any ids do.
    return aggregate_table.Row(
        unit_id=1,
        period="2024Q3",
        scope="self",
        indicator_id=1,
        value=Decimal(value),
        numerator=None,
        denominator=None,
        is_answer=False,
        origin="computed",
        covered=3,
        expected=4,
        coverage_level="commune",
        figure_id=None,
        figure_period="",
        source=source,
        percent_only=0,
        is_partial=False,
        via_predecessors=False,
    )


@pytest.mark.django_db(transaction=True)
def test_rows_are_written_and_overwritten_outside_a_transaction():
    # A tab, a line end and a backslash in a source: COPY's text format escapes them.
    assert aggregate_table.write([row("12.5", "Sở\tTT\\TT\nQuảng Trị")]) == 1
    assert aggregate_table.write([row("13.2500000001")]) == 1
    stored = Aggregate.objects.get(unit_id=1, indicator_id=1, period="2024Q3", scope="self")
    assert stored.value == Decimal("13.2500000001")
    assert stored.source == ""


@pytest.mark.django_db
def test_a_source_with_tabs_and_line_ends_is_stored_as_it_is():
    aggregate_table.write([row("12.5", "Sở\tTT\\TT\nQuảng Trị")])
    assert Aggregate.objects.get(unit_id=1).source == "Sở\tTT\\TT\nQuảng Trị"


@pytest.mark.django_db
def test_rows_given_in_parts_are_written_a_batch_at_a_time(aggregate_writes):
    def parts():
        for unit in range(1, 6):
            yield [row(str(unit))._replace(unit_id=unit, indicator_id=i) for i in (1, 2)]

    # Two rows a part, a batch written once three rows are gathered, the rest at the end.
    assert aggregate_table.write_batches(parts(), size=3) == 10
    assert aggregate_writes == [4, 4, 2]
    stored = Aggregate.objects.filter(
        period="2024Q3", scope="self", unit_id__lte=5, indicator_id__lte=2
    ).values_list("unit_id", "indicator_id", "value")
    assert sorted(stored) == [(unit, i, Decimal(str(unit))) for unit in range(1, 6) for i in (1, 2)]


def test_a_row_s_copy_line_is_the_generic_one():
    """aggregate_table._copy_line formats a Row by its known types: the same text as
    copy_text.copy_line, which tests each value's type."""
    from indicators import copy_text

    rows = [
        row("62.0690000000", source='Báo cáo\tsố 12\\nửa năm\r\ndòng "hai"'),
        row("0E-10")._replace(
            numerator=Decimal("18.0000000000"),
            denominator=Decimal("29.0000000000"),
            is_answer=True,
            figure_id=12345678901,
            figure_period="2024Q2",
            percent_only=2,
            is_partial=True,
            via_predecessors=True,
        ),
        row("1")._replace(value=None, origin="no_data", covered=0, expected=0),
    ]
    for each in rows:
        assert aggregate_table._copy_line(each) == copy_text.copy_line(each)


@pytest.mark.django_db
def test_rows_written_twice_in_one_transaction_use_the_kept_table_emptied():
    """copy_text.scratch_table: made once per connection and kept; a second write in the
    same transaction finds it empty (the first write's rows not written again)."""
    aggregate_table.write([row("1")._replace(unit_id=7)])
    aggregate_table.write([row("2")._replace(unit_id=8)])
    stored = Aggregate.objects.filter(unit_id__in=[7, 8]).values_list("unit_id", "value")
    assert sorted(stored) == [(7, Decimal("1")), (8, Decimal("2"))]
    # Large batches (emptied by TRUNCATE rather than DELETE): each written once.
    for first in (100, 3100):
        batch = [row("3")._replace(unit_id=n) for n in range(first, first + 3000)]
        assert aggregate_table.write(batch) == 3000
    written = Aggregate.objects.filter(
        unit_id__in=list(range(100, 6100)), period="2024Q3", indicator_id=1, value=Decimal("3")
    )
    assert written.count() == 6000


@pytest.mark.django_db
def test_rows_read_back_as_a_frame_are_the_rows_as_django_reads_them():
    """copy_text.copy_frame (COPY … TO STDOUT on PostgreSQL, parsed by pandas): the same
    floats, exactly, as psycopg2 gives; booleans; NULL as NaN in a float column; a text
    that looks like a number, and an empty one, kept as text."""
    import numpy as np
    import pandas as pd
    from django.db.models import FloatField
    from django.db.models.functions import Cast

    from indicators import copy_text

    values = ["0.1000000001", "33.3333333333", "1234567890.1234567891", None]
    aggregate_table.write(
        [
            row(value or "0")._replace(
                unit_id=n,
                value=None if value is None else Decimal(value),
                figure_period="2025" if n % 2 else "",
                is_answer=bool(n % 2),
            )
            for n, value in enumerate(values, start=20)
        ]
    )
    rows = (
        Aggregate.objects.filter(unit_id__in=[20, 21, 22, 23])
        .annotate(value_float=Cast("value", FloatField()))
        .order_by("unit_id")
        .values_list("unit_id", "value_float", "is_answer", "figure_period", "origin")
    )
    columns = ["unit_id", "value", "is_answer", "figure_period", "origin"]
    frame = copy_text.copy_frame(
        rows,
        columns,
        floats=["value"],
        booleans=["is_answer"],
        texts=["figure_period", "origin"],
    )
    expected = pd.DataFrame.from_records(list(rows), columns=columns)
    assert frame["unit_id"].tolist() == [20, 21, 22, 23]
    assert frame["value"].tolist()[:3] == expected["value"].tolist()[:3]
    assert np.isnan(frame["value"].iloc[3])
    assert frame["is_answer"].tolist() == [False, True, False, True]
    assert frame["figure_period"].tolist() == ["", "2025", "", "2025"]
    assert frame["origin"].tolist() == ["computed"] * 4
    assert copy_text.copy_frame(rows.none(), columns).empty
