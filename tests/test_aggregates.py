"""The live aggregates (indicators/aggregates.py) never drift from the figures.

A Hypothesis state machine runs random sequences of what changes figures in real life — an
official's draft and submission, a reviewer's approval, return and reopening, an
administrator's write, import and deletion through the API's services, a unit's validity
changed in the admin — on the real units of Vĩnh Linh (Quảng Trị, 2024) and their 2025
successors; after every step the table equals a full recompute by the engine
(aggregates.differences finds nothing). Then the reads: dashboards and the analytics API
read the table, and `verify_aggregates` says so.
"""

import contextlib
import datetime
import io
import math
from decimal import Decimal

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from accounts.models import Membership
from accounts.services import demo_users_create
from entry.services import (
    EntryValue,
    WorkflowError,
    applicable_indicators,
    entry_save,
    submission_act,
)
from indicators import aggregate_table, aggregates, analytics
from indicators.models import Aggregate, Figure, Indicator
from indicators.periods import containing, parse_period
from indicators.reports import submission_get
from indicators.services import FigureInput, FigureLocked, FigureRowsError
from indicators.writes.bulk import figures_import
from indicators.writes.figures import figure_api_delete, figure_api_save
from units.models import Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
NEW = datetime.date(2025, 7, 1)
PERIODS = ["2025Q1", "2025Q2"]
# Each period and the longer ones containing it: 2025 runs across the reorganisation, and
# 2025Q3 is the two-tier structure's (its communes' figures roll up to the new province).
CHECKED = sorted({p for q in [*PERIODS, "2025Q3"] for p in containing(q)})
COMMUNES = ["19363", "19366", "19372"]  # Hồ Xá, Bến Quan, Vĩnh Long (huyện Vĩnh Linh)
# Thành phố Đông Hà and its Phường Đông Giang: another district of the province, whose rows
# the province is recomputed from when a change in Vĩnh Linh does not touch it.
ELSEWHERE = ["461", "19330"]
# A ratio of sums (status), a yes/no share of units, a count added up over units and time.
INDICATORS = ["INF_PC_EQUIPPED", "WEB_PORTAL", "INF_ONLINE_MEETING_COUNT"]
# Not shrunk: a failing sequence is printed as found (shrinking one takes many minutes,
# each step a recompute of the province).
STEPS = settings(
    max_examples=8,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


def drift(province: Unit) -> list[str]:
    return aggregates.differences(unit_ids=[province.pk], periods=CHECKED)


class Aggregates(RuleBasedStateMachine):
    """Every step through a service, as its page or endpoint calls it; each example inside
    a savepoint rolled back at the end, so examples start from the same data."""

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        users = {u.username: u for u in get_user_model().objects.all()}
        self.admin = users["admin"]
        self.reviewer = users["vinhlinh.duyet"]
        self.communes = {c: Unit.objects.in_force(OLD).get(code=c) for c in COMMUNES}
        self.officials = {}
        for code, unit in self.communes.items():
            user = get_user_model().objects.create_user(f"official-{code}", password="x")
            Membership.objects.create(user=user, unit=unit, is_data_entry=True)
            self.officials[code] = user
        self.province = Unit.objects.in_force(OLD).get(code="45")

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    def check(self):
        assert drift(self.province) == []
        # The communes' values a ranking compares (rollup.leaf_values, no tree walk) are
        # the engine's.
        communes = list(self.communes.values())
        indicators = list(Indicator.objects.filter(code__in=[*INDICATORS, "INF_LAN"]))
        for period_id in PERIODS:
            period = parse_period(period_id)
            frame = analytics.percent_values(indicators, communes, period)
            values = analytics.rollup_indicators(indicators, communes, period)
            for indicator in indicators:
                expected = [
                    math.nan if v.percent_or_value is None else v.percent_or_value
                    for v in values[indicator.code]
                ]
                assert frame[indicator.code].tolist() == pytest.approx(expected, nan_ok=True)

    @rule(
        commune=st.sampled_from(COMMUNES),
        period=st.sampled_from(PERIODS),
        share=st.integers(0, 10),
        submit=st.booleans(),
    )
    def official_saves(self, commune, period, share, submit):
        unit, period = self.communes[commune], parse_period(period)
        values = {}
        for indicator in applicable_indicators(unit, None, period):
            if indicator.value_type == Indicator.ValueType.BOOLEAN:
                values[indicator.code] = EntryValue(value=str(share % 2))
            elif indicator.value_type == Indicator.ValueType.RATIO:
                values[indicator.code] = EntryValue(numerator=str(share), denominator="10")
            else:
                values[indicator.code] = EntryValue(value=str(share))
        report = submission_get(unit, None, period)
        # A report under review or approved refuses, and so does a unit no longer in force
        # in the period (after unit_validity_changes): nothing written.
        with contextlib.suppress(FigureLocked, WorkflowError, PermissionDenied):
            entry_save(
                user=self.officials[commune],
                unit=unit,
                agency=None,
                period=period,
                values=values,
                version=report.version if report else 0,
                submit=submit,
            )
        self.check()

    @rule(
        commune=st.sampled_from(COMMUNES),
        period=st.sampled_from(PERIODS),
        action=st.sampled_from(["approve", "return", "reopen"]),
    )
    def reviewer_acts(self, commune, period, action):
        report = submission_get(self.communes[commune], None, parse_period(period))
        if report is None:
            return
        with contextlib.suppress(WorkflowError):  # not in a state the action applies to
            submission_act(user=self.reviewer, submission=report, action=action, reason="Xem lại")
        self.check()

    @rule(
        code=st.sampled_from([*COMMUNES, "464", "45", *ELSEWHERE]),
        indicator=st.sampled_from([*INDICATORS, "INF_LAN"]),
        period=st.sampled_from([*PERIODS, "2025S1"]),
        value=st.integers(0, 100),
    )
    def administrator_writes(self, code, indicator, period, value):
        if Indicator.objects.get(code=indicator).value_type == Indicator.ValueType.BOOLEAN:
            value = value % 2
        item = FigureInput(
            unit_code=code, unit_on=OLD, indicator=indicator, period=period, value=str(value)
        )
        with contextlib.suppress(FigureRowsError):  # an indicator not for the unit's level
            figure_api_save(user=self.admin, item=item, status=Figure.Status.APPROVED)
        self.check()

    @rule(
        code=st.sampled_from(COMMUNES),
        indicator=st.sampled_from(INDICATORS),
        value=st.integers(0, 100),
    )
    def administrator_writes_after_the_reorganisation(self, code, indicator, value):
        # The 2025 commune of the same code (Xã Vĩnh Linh for 19363), in the new province.
        if Indicator.objects.get(code=indicator).value_type == Indicator.ValueType.BOOLEAN:
            value = value % 2
        item = FigureInput(
            unit_code=code, unit_on=NEW, indicator=indicator, period="2025Q3", value=str(value)
        )
        with contextlib.suppress(FigureRowsError):  # an indicator not for the unit's level
            figure_api_save(user=self.admin, item=item, status=Figure.Status.APPROVED)
        self.check()

    @rule(
        codes=st.lists(st.sampled_from(COMMUNES), min_size=1, max_size=3, unique=True),
        period=st.sampled_from(PERIODS),
        value=st.integers(0, 9),
    )
    def administrator_imports(self, codes, period, value):
        rows = [
            FigureInput(
                unit_code=code,
                unit_on=OLD,
                indicator="INF_ONLINE_MEETING_COUNT",
                period=period,
                value=str(value),
                row=n,
            )
            for n, code in enumerate(codes, start=2)
        ]
        figures_import(rows, user=self.admin, status=Figure.Status.APPROVED, valid_only=True)
        self.check()

    @rule(pick=st.integers(0, 10**6))
    def administrator_deletes(self, pick):
        figures = list(
            Figure.objects.filter(
                unit__in=[*self.communes.values(), self.province], period__in=CHECKED
            ).order_by("pk")
        )
        if not figures:
            return
        with contextlib.suppress(FigureLocked, PermissionDenied):
            figure_api_delete(user=self.admin, figure=figures[pick % len(figures)])
        self.check()

    @rule()
    def administrator_builds(self):
        # As build_aggregates does: every district of the province gets its rows, and from
        # then on a change recomputes the province from the untouched districts' rows
        # (known_rows.untouched_districts) instead of their figures.
        aggregates.build(periods=CHECKED, unit_ids=[self.province.pk])
        self.check()

    @rule(commune=st.sampled_from(COMMUNES), ends=st.sampled_from([None, "2025-03-31"]))
    def unit_validity_changes(self, commune, ends):
        # As the admin's unit form saves it (a signal tells the aggregates).
        unit = self.communes[commune]
        unit.valid_to = datetime.date.fromisoformat(ends) if ends else datetime.date(2025, 6, 30)
        unit.save()
        self.check()


def test_the_table_equals_a_full_recompute_after_every_step(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    run_state_machine_as_test(Aggregates, settings=STEPS)


def test_an_approval_is_read_from_the_table_in_the_same_transaction(django_assert_num_queries):
    """The seeds' figure for Vĩnh Linh is in the table as loaded; a change by the
    administrator moves it before anything commits, and the read serves it from the row."""
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    indicator = Indicator.objects.get(code="APP_DIGSIG_DOCS")
    period = parse_period("2020Q4")
    row = Aggregate.objects.get(unit=vinh_linh, indicator=indicator, period="2020Q4", scope="self")
    assert row.value == Decimal("70") and row.origin == "reported"
    demo_users_create()
    admin = get_user_model().objects.get(username="admin")
    figure_api_save(
        user=admin,
        item=FigureInput(
            unit_code="464", unit_on=OLD, indicator=indicator.code, period="2020Q4", value="75"
        ),
        status=Figure.Status.APPROVED,
    )
    row.refresh_from_db()
    assert row.value == Decimal("75")
    with django_assert_num_queries(1):
        assert analytics.rollup_value(indicator, vinh_linh, period).value == 75
    # The year containing the quarter moved too.
    year = Aggregate.objects.get(unit=vinh_linh, indicator=indicator, period="2020", scope="self")
    assert year.value == Decimal("75")


def test_rankings_read_the_same_values_as_frames():
    """analytics.percent_values (what rankings compare) gives what the values themselves
    say: a province and its districts from the table, the communes computed, yes/no answers
    as 100 or 0, a unit without a value NaN."""
    period = parse_period("2020Q4")
    quang_tri = Unit.objects.in_force(OLD).get(code="45")
    units = [
        quang_tri,
        *Unit.objects.in_force(OLD).filter(parent=quang_tri).order_by("code"),
        *Unit.objects.in_force(OLD).filter(parent__code="464").order_by("code"),
    ]
    indicators = list(Indicator.objects.filter(value_type__in=["ratio", "boolean"]))
    frame = analytics.percent_values(indicators, units, period)
    values = analytics.rollup_indicators(indicators, units, period)
    expected = pd.DataFrame(
        {code: [v.percent_or_value for v in rolled] for code, rolled in values.items()},
        index=[u.pk for u in units],
        dtype=float,
    )
    pd.testing.assert_frame_equal(frame, expected[frame.columns], check_names=False)
    assert frame.loc[Unit.objects.in_force(OLD).get(code="464").pk, "APP_DIGSIG_DOCS"] == 70
    assert frame.notna().any().any() and frame.isna().any().any()


def test_verify_aggregates_reports_a_row_that_drifted_and_exits_1():
    out = io.StringIO()
    call_command("verify_aggregates", "--unit", "464", "--period", "2020Q4", stdout=out)
    assert "khớp" in out.getvalue()
    Aggregate.objects.filter(
        unit__code="464", period="2020Q4", indicator__code="APP_DIGSIG_DOCS", scope="self"
    ).update(value=Decimal("12.5"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_aggregates", "--unit", "464", "--period", "2020Q4", stdout=out)
    assert exit_.value.code == 1
    assert "APP_DIGSIG_DOCS 2020Q4 self: value lưu Decimal('12.5000000000'), tính lại" in (
        out.getvalue()
    )


def test_build_aggregates_fills_what_a_bulk_load_left_out():
    """A row the table does not hold is computed from the figures when read (no
    difference); build_aggregates stores it again."""
    key = {"unit__code": "464", "period": "2020Q4", "indicator__code": "APP_DIGSIG_DOCS"}
    assert Aggregate.objects.filter(**key, scope="self").exists()
    Aggregate.objects.all().delete()
    assert aggregates.differences(periods=["2020Q4"]) == []
    vinh_linh = Unit.objects.get(code="464")
    indicator = Indicator.objects.get(code="APP_DIGSIG_DOCS")
    assert analytics.rollup_value(indicator, vinh_linh, parse_period("2020Q4")).value == 70
    out = io.StringIO()
    call_command("build_aggregates", "--period", "2020Q4", stdout=out)
    assert "2020Q4:" in out.getvalue()
    assert Aggregate.objects.get(**key, scope="self").value == Decimal("70")
    assert Aggregate.objects.filter(period="2020Q4", unit__level="province").exists()
    assert aggregates.differences(periods=["2020Q4"]) == []


def test_rows_written_in_many_batches_are_those_of_one(monkeypatch, aggregate_writes):
    """A large recompute writes its rows a batch at a time as the walks give them
    (aggregate_table.write_batches): in batches of 100 rows, the table is the same."""
    Aggregate.objects.all().delete()
    monkeypatch.setattr(aggregate_table, "WRITE_BATCH", 100)
    quang_tri = Unit.objects.get(code="45")
    assert aggregates.build(periods=["2020Q4"], unit_ids=[quang_tri.pk]) > 200
    assert len([n for n in aggregate_writes if n >= 100]) > 1
    assert Aggregate.objects.filter(unit=quang_tri, period="2020Q4").exists()
    assert aggregates.differences(unit_ids=[quang_tri.pk], periods=["2020Q4"]) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--unit", "99999"], "Không có đơn vị mã 99999."),
        (["--indicator", "NO_SUCH"], "Không có chỉ tiêu mã NO_SUCH."),
        (["--period", "2024Q9"], "--period:"),
    ],
)
def test_verify_aggregates_names_what_it_does_not_know(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("verify_aggregates", *options, stdout=io.StringIO())


def approve_share(admin, code: str, indicator: Indicator, numerator: str) -> None:
    """The administrator's approved figure of `numerator` out of 10 for a 2024 commune's
    2025Q1, through the API's service."""
    item = FigureInput(
        unit_code=code,
        unit_on=OLD,
        indicator=indicator.code,
        period="2025Q1",
        numerator=numerator,
        denominator="10",
    )
    figure_api_save(user=admin, item=item, status=Figure.Status.APPROVED)


def test_a_province_is_recomputed_from_the_rows_of_districts_a_change_did_not_touch():
    """Once every district of Quảng Trị has its rows, an approval in Vĩnh Linh recomputes
    the province from Vĩnh Linh's figures and the other districts' rows: the other district's
    commune still counts, and the rows equal a full recompute."""
    demo_users_create()
    admin = get_user_model().objects.get(username="admin")
    province = Unit.objects.in_force(OLD).get(code="45")
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    other = (
        Unit.objects.in_force(OLD)
        .filter(province=province, level="commune")
        .exclude(district=vinh_linh)
        .order_by("code")
        .first()
    )
    indicator = Indicator.objects.get(code="INF_PC_EQUIPPED")

    approve_share(admin, other.code, indicator, "3")
    aggregates.build(periods=containing("2025Q1"), unit_ids=[province.pk])
    approve_share(admin, "19363", indicator, "8")
    row = Aggregate.objects.get(
        unit=province, indicator=indicator, period="2025Q1", scope="communes"
    )
    assert (row.numerator, row.denominator, row.covered) == (Decimal(11), Decimal(20), 2)
    assert aggregates.differences(unit_ids=[province.pk], periods=["2025Q1", "2025S1"]) == []


def test_a_2025_province_s_year_is_combined_from_its_predecessors_rows_as_its_quarter_is():
    """Quảng Trị's 2025 successor holds no figure of its own in 2025 (its communes report
    from 2025Q3): its year's rows are combined from its predecessors' stored rows, like its
    quarter's, to the table's 10 decimals (decision 0039; the engine, computing the year a
    scope at a time, kept 4), and equal a full recompute."""
    demo_users_create()
    admin = get_user_model().objects.get(username="admin")
    indicator = Indicator.objects.get(code="INF_PC_EQUIPPED")
    approve_share(admin, "19363", indicator, "1")  # 1 of 10
    approve_share(admin, "19366", indicator, "2.5")  # 2.5 of 10; and 1 of 3 below
    item = FigureInput(
        unit_code="19372",
        unit_on=OLD,
        indicator=indicator.code,
        period="2025Q1",
        numerator="1",
        denominator="3",
    )
    figure_api_save(user=admin, item=item, status=Figure.Status.APPROVED)
    old = Unit.objects.in_force(OLD).get(code="45")
    successor = Unit.objects.get(changes_in__predecessor=old, level="province")
    rows = {
        row.period: row
        for row in Aggregate.objects.filter(
            unit=successor, indicator=indicator, scope="communes", period__in=["2025Q1", "2025"]
        )
    }
    assert rows["2025"].value == rows["2025Q1"].value
    assert rows["2025"].value == Decimal("19.5652173913")  # 4.5 of 23, to 10 decimals
    assert rows["2025"].origin == "predecessors"
    assert aggregates.differences(unit_ids=[old.pk], periods=["2025Q1", "2025"]) == []


def test_a_half_year_and_its_year_holding_the_same_figures_are_read_once(monkeypatch):
    """An approval of 2024Q2, whose year holds figures of its first half only, reads the
    subtree of Quảng Trị for the quarter and once for the half-year and the year (their
    rule over time chooses among the same figures), and, the other districts' rows being
    the same for both, walks them once; once a figure of the second half is entered, the
    year is read on its own — and where only another district's year holds one, the year
    is read with the half-year but walked on its own. Every row equals a full recompute."""
    demo_users_create()
    admin = get_user_model().objects.get(username="admin")
    province = Unit.objects.in_force(OLD).get(code="45")
    reads, twins = [], []
    real_read, real_twin = analytics._subtree_read, analytics._same_nodes
    monkeypatch.setattr(
        analytics,
        "_subtree_read",
        lambda *args, **kwargs: reads.append(args[2].id) or real_read(*args, **kwargs),
    )

    def same_nodes(*args):
        twin = real_twin(*args)
        if twin is not None:
            twins.append(twin)
        return twin

    monkeypatch.setattr(analytics, "_same_nodes", same_nodes)

    def approve(code: str, period: str, value: str) -> None:
        reads.clear()
        twins.clear()
        item = FigureInput(
            unit_code=code, unit_on=OLD, indicator="INF_LAN", period=period, value=value
        )
        figure_api_save(user=admin, item=item, status=Figure.Status.APPROVED)

    def value(period: str) -> Decimal:
        return Aggregate.objects.get(
            unit=province, indicator__code="INF_LAN", scope="communes", period=period
        ).value

    periods = ["2024Q1", "2024Q2", "2024Q3", "2024S1", "2024S2", "2024"]
    # Đông Giang (Đông Hà) answers 2024Q1, and every district of the province has its rows.
    approve(ELSEWHERE[1], "2024Q1", "1")
    aggregates.build(periods=containing("2024Q1"), unit_ids=[province.pk])
    approve("19363", "2024Q1", "0")
    approve("19363", "2024Q2", "1")
    # The quarter, and one read for the half-year and the year (whichever comes first),
    # walked once.
    assert len(reads) == 2 and "2024Q2" in reads and len(twins) == 1
    assert value("2024") == value("2024S1")
    assert aggregates.differences(unit_ids=[province.pk], periods=periods) == []
    # Đông Giang answers 2024Q3: Vĩnh Linh's subtree still holds the same figures in the
    # half-year and the year, but Đông Hà's year row is not its half-year's.
    approve(ELSEWHERE[1], "2024Q3", "0")
    approve("19363", "2024Q2", "0")
    assert len(reads) == 2 and not twins
    assert value("2024") != value("2024S1")
    assert aggregates.differences(unit_ids=[province.pk], periods=periods) == []
    approve("19363", "2024Q3", "1")
    assert "2024" in reads  # Vĩnh Linh's year holds the second half's figure: read alone
    assert aggregates.differences(unit_ids=[province.pk], periods=periods) == []


def test_a_communes_yes_answer_ranks_as_100_without_a_tree_walk():
    """percent_values reads a commune's own figure (rollup.leaf_values): a yes answer is 100,
    a share its percentage, as the engine gives them."""
    demo_users_create()
    admin = get_user_model().objects.get(username="admin")
    hoxa, ben_quan = (Unit.objects.in_force(OLD).get(code=c) for c in COMMUNES[:2])
    for code, indicator, value in (("19363", "INF_LAN", "1"), ("19366", "INF_LAN", "0")):
        item = FigureInput(
            unit_code=code, unit_on=OLD, indicator=indicator, period="2025Q1", value=value
        )
        figure_api_save(user=admin, item=item, status=Figure.Status.APPROVED)
    indicators = list(Indicator.objects.filter(code__in=["INF_LAN", "INF_PC_EQUIPPED"]))
    period = parse_period("2025Q1")
    frame = analytics.percent_values(indicators, [hoxa, ben_quan], period)
    assert frame.loc[hoxa.pk, "INF_LAN"] == 100 and frame.loc[ben_quan.pk, "INF_LAN"] == 0
    values = analytics.rollup_indicators(indicators, [hoxa, ben_quan], period)
    for indicator in indicators:
        expected = [
            math.nan if v.percent_or_value is None else v.percent_or_value
            for v in values[indicator.code]
        ]
        assert frame[indicator.code].tolist() == pytest.approx(expected, nan_ok=True)


def test_a_district_with_dates_of_its_own_is_recomputed_not_read():
    """Found by a review: a district whose validity differs from its province's is computed
    in a walk of its own; the province must not read its row from the table (the old one)
    meanwhile, but its figures."""
    demo_users_create()
    admin = get_user_model().objects.get(username="admin")
    province = Unit.objects.in_force(OLD).get(code="45")
    # As if Vĩnh Linh had been formed in 2020 (no signal: nothing forgotten).
    Unit.objects.filter(code="464", level="district").update(valid_from=datetime.date(2020, 1, 1))
    indicator = Indicator.objects.get(code="INF_PC_EQUIPPED")

    approve_share(admin, "19363", indicator, "3")
    aggregates.build(periods=containing("2025Q1"), unit_ids=[province.pk])
    approve_share(admin, "19363", indicator, "8")
    row = Aggregate.objects.get(
        unit=province, indicator=indicator, period="2025Q1", scope="communes"
    )
    assert row.value == Decimal(80)
    assert aggregates.differences(unit_ids=[province.pk], periods=["2025Q1"]) == []


def test_a_sum_beyond_a_billion_billions_is_kept():
    """Found by a review: the table's 10 decimals were quantized in 28 digits of
    precision, which fails from 10**18 on (the column holds 34)."""
    from indicators import aggregate_table

    assert aggregate_table.stored_number(3e21) == Decimal("3000000000000000000000")
