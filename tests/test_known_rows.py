"""The untouched districts' rows an approval reads for its province (indicators/known_rows.py)
are kept in the process and used again only while the districts' marks stand: a district
whose rows were written or forgotten since is read again. (The state machine of
tests/test_aggregates.py checks the whole table after every step, with these kept rows in
use on PostgreSQL.)"""

import datetime

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from accounts.services import demo_users_create
from indicators import aggregate_table, aggregates, known_rows
from indicators.models import Aggregate, AggregateMark, Figure, Indicator
from indicators.periods import containing, parse_period
from indicators.services import FigureInput
from indicators.writes.figures import figure_api_save
from units.models import Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
PERIODS = [parse_period(p) for p in containing("2025Q1")]
INDICATOR = "INF_PC_EQUIPPED"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="rows are kept on PostgreSQL only (SQLite gives a rolled-back transaction's ids "
    "again, so a mark could repeat)",
)


@pytest.fixture
def quang_tri(reference_data):
    """Quảng Trị (2024) with every district's rows built, Vĩnh Linh the district a change
    touches, Đông Hà one it does not; nothing kept from another test."""
    province = Unit.objects.in_force(OLD).get(code="45")
    aggregates.build(periods=[p.id for p in PERIODS], unit_ids=[province.pk])
    known_rows.forget()
    yield {
        "province": province,
        "vinh_linh": Unit.objects.in_force(OLD).get(code="464"),
        "dong_ha": Unit.objects.in_force(OLD).get(code="461"),
        "indicators": list(Indicator.objects.filter(code=INDICATOR)),
    }
    known_rows.forget()


def untouched(units: dict) -> dict[str, pd.DataFrame]:
    return known_rows.untouched_districts(
        units["indicators"], [units["province"]], [units["vinh_linh"]], PERIODS
    )


def approve_in_dong_ha(numerator: str) -> None:
    demo_users_create()
    commune = (
        Unit.objects.in_force(OLD)
        .filter(district__code="461", level="commune")
        .order_by("code")
        .first()
    )
    item = FigureInput(
        unit_code=commune.code,
        unit_on=OLD,
        indicator=INDICATOR,
        period="2025Q1",
        numerator=numerator,
        denominator="10",
    )
    admin = get_user_model().objects.get(username="admin")
    figure_api_save(user=admin, item=item, status=Figure.Status.APPROVED)


def assert_same(found: dict, expected: dict) -> None:
    assert found.keys() == expected.keys()
    for period_id, frame in found.items():
        pd.testing.assert_frame_equal(frame, expected[period_id], check_exact=True)


def read_afresh(units: dict) -> dict[str, pd.DataFrame]:
    known_rows.forget()
    return untouched(units)


@postgresql_only
def test_rows_kept_are_those_read_and_read_no_more(quang_tri, django_assert_num_queries):
    first = untouched(quang_tri)
    assert quang_tri["dong_ha"].pk in set(first["2025Q1"]["unit_id"])
    assert quang_tri["vinh_linh"].pk not in set(first["2025Q1"]["unit_id"])
    # Kept: the districts in force on each structure date (2025Q1's end, and 2025S1's and
    # 2025's), then the marks; no row read.
    with django_assert_num_queries(3):
        again = untouched(quang_tri)
    assert_same(again, first)


@postgresql_only
def test_a_district_written_since_is_read_again(quang_tri):
    before = untouched(quang_tri)
    approve_in_dong_ha("7")  # Đông Hà's rows are written (and marked) in the approval
    after = untouched(quang_tri)
    assert_same(after, read_afresh(quang_tri))
    dong_ha = quang_tri["dong_ha"].pk
    rows = {
        period_id: frame.loc[frame["unit_id"] == dong_ha, "numerator"].tolist()
        for period_id, frame in after.items()
    }
    assert rows != {
        period_id: frame.loc[frame["unit_id"] == dong_ha, "numerator"].tolist()
        for period_id, frame in before.items()
    }


@postgresql_only
def test_a_district_forgotten_since_is_not_taken(quang_tri):
    assert quang_tri["dong_ha"].pk in set(untouched(quang_tri)["2025Q1"]["unit_id"])
    aggregates.forget_units([quang_tri["dong_ha"].pk])  # its rows deleted (and marked)
    after = untouched(quang_tri)
    assert quang_tri["dong_ha"].pk not in set(after["2025Q1"]["unit_id"])
    assert_same(after, read_afresh(quang_tri))


@postgresql_only
def test_a_unit_keeps_a_mark_or_two(quang_tri):
    """write() deletes a unit's earlier marks as it marks it again."""
    for numerator in ("1", "2", "3"):
        approve_in_dong_ha(numerator)
    assert AggregateMark.objects.filter(unit_id=quang_tri["dong_ha"].pk).count() == 1


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's behaviour")
def test_nothing_is_kept_nor_marked_on_sqlite(quang_tri):
    first = untouched(quang_tri)
    assert not known_rows._KEPT
    assert not AggregateMark.objects.exists()
    assert_same(untouched(quang_tri), first)


@postgresql_only
def test_marks_tell_a_write_committed_late_from_one_committed_early(quang_tri):
    """The race a count and a last id would miss: a write that deleted the district's older
    mark and added one (x) commits after a writer without the units' locks added its own
    (y > x). Before: marks {old, y}; after: {x, y} — as many, the same last. The ids differ,
    so rows kept between the two are read again."""
    dong_ha = quang_tri["dong_ha"].pk
    AggregateMark.objects.filter(unit_id=dong_ha).delete()
    old, x, y = 10**12, 10**12 + 1, 10**12 + 2
    AggregateMark.objects.bulk_create(
        [AggregateMark(id=old, unit_id=dong_ha), AggregateMark(id=y, unit_id=dong_ha)]
    )
    before = known_rows._marks({dong_ha})
    AggregateMark.objects.filter(id=old).delete()
    AggregateMark.objects.create(id=x, unit_id=dong_ha)
    after = known_rows._marks({dong_ha})
    assert len(before[dong_ha][1]) == len(after[dong_ha][1]) == 2
    assert max(before[dong_ha][1]) == max(after[dong_ha][1]) == y
    assert before != after


def approve_share(code: str, numerator: str, source: str = "") -> None:
    """The administrator's approved figure of `numerator` out of 10 for a 2024 commune's
    2025Q1, through the API's service."""
    demo_users_create()
    item = FigureInput(
        unit_code=code,
        unit_on=OLD,
        indicator=INDICATOR,
        period="2025Q1",
        numerator=numerator,
        denominator="10",
        source=source,
    )
    admin = get_user_model().objects.get(username="admin")
    figure_api_save(user=admin, item=item, status=Figure.Status.APPROVED)


@postgresql_only
def test_rows_written_unchanged_are_not_sent_again(
    quang_tri, monkeypatch, aggregate_writes, django_capture_on_commit_callbacks
):
    """A process remembers the rows it wrote of a unit, once committed, and sends only those
    that differ while the unit's marks stand: a second approval in Vĩnh Linh sends fewer rows
    than it writes; after the district's rows were forgotten elsewhere (its marks moved), all
    of them. The table equals a full recompute after every step."""
    sent = []
    upsert = aggregate_table._upsert
    monkeypatch.setattr(
        aggregate_table, "_upsert", lambda rows: (sent.append(len(rows)), upsert(rows))
    )
    aggregate_table.forget_written()
    province = quang_tri["province"]
    periods = [p.id for p in PERIODS]

    def step(do) -> tuple[int, int]:
        sent.clear()
        aggregate_writes.clear()
        with django_capture_on_commit_callbacks(execute=True):
            do()
        assert aggregates.differences(unit_ids=[province.pk], periods=periods) == []
        return sum(sent), sum(aggregate_writes)

    first = step(lambda: approve_share("19363", "3"))
    assert first[0] == first[1] > 0  # nothing remembered yet: every row sent
    changed = step(lambda: approve_share("19363", "5"))
    assert changed[0] == changed[1] > 0  # every row of the indicator moved: all sent
    # The same figure approved again, its source named: the rows are recomputed, and none
    # of them changed.
    again = step(lambda: approve_share("19363", "5", source="Báo cáo quý I"))
    assert again[1] > 0 and again[0] < again[1]
    step(lambda: aggregates.forget_units([quang_tri["vinh_linh"].pk]))
    after = step(lambda: approve_share("19363", "6"))
    assert after[0] == after[1]  # its marks moved: every row of Vĩnh Linh sent again
    aggregate_table.forget_written()


@postgresql_only
def test_rows_deleted_by_another_writer_meanwhile_are_sent(
    quang_tri, monkeypatch, django_capture_on_commit_callbacks
):
    """A deletion without the units' locks (forget_units) committed between the write's
    read of the marks and its own mark: the write's pruning deletes that mark with the older
    ones, so the write sees it among those pruned, sends the rows it had left out, and
    remembers nothing of the unit. (Simulated on one connection: the marks read are those
    from before the deletion.)"""
    aggregate_table.forget_written()
    vinh_linh = quang_tri["vinh_linh"]
    with django_capture_on_commit_callbacks(execute=True):
        approve_share("19363", "4")
    rows_of = Aggregate.objects.filter(
        unit=vinh_linh, period__in=[p.id for p in PERIODS], indicator__code=INDICATOR
    )
    held = rows_of.count()
    marks = aggregate_table.marks
    before = marks({vinh_linh.pk})
    aggregates.forget_units([vinh_linh.pk])  # the other writer: rows deleted, a mark made
    assert rows_of.count() == 0
    monkeypatch.setattr(aggregate_table, "marks", lambda units: before)
    with django_capture_on_commit_callbacks(execute=True):
        approve_share("19363", "4", source="Báo cáo quý I")
    assert rows_of.count() == held > 0  # (without: none, every one of them left out)
    # What it remembered of the unit before stands no more, and nothing since.
    assert aggregate_table._last_written({vinh_linh.pk}, marks({vinh_linh.pk})) == {}
    aggregate_table.forget_written()
