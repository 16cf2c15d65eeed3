"""The dashboard's numbers are the engine's, and its cost does not grow with the units."""

import datetime

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Replace
from django.test.utils import CaptureQueriesContext

from indicators import analytics
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from reports.dashboard import dashboard_build, default_period
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def unit(code, on):
    return Unit.objects.in_force(on).get(code=code)


def card(dashboard, code):
    return next(c for c in dashboard.cards if c.indicator.code == code)


def approved(unit, indicator, period, value, agency=None) -> Figure:
    """An unsaved approved figure of the period (for indicators.writes.store.figures_store)."""
    return Figure(
        unit=unit,
        agency=agency,
        indicator=indicator,
        period=period.id,
        period_start=period.start,
        period_end=period.end,
        value=value,
        status=Figure.Status.APPROVED,
    )


def test_vinh_linh_cards_are_the_engines_values():
    vinh_linh = unit("464", datetime.date(2020, 10, 13))
    period = default_period(vinh_linh, TODAY)
    assert period.id == "2020Q4"
    board = dashboard_build(vinh_linh, period, today=TODAY)
    signed = card(board, "APP_DIGSIG_DOCS")
    assert signed.value.value == 70
    lan = card(board, "INF_LAN")
    engine = analytics.rollup_value(
        Indicator.objects.get(code="INF_LAN"), vinh_linh, period, "communes"
    )
    assert [(t.scope, t.value) for t in lan.tiers if t.scope == "communes"] == [
        ("communes", engine.value)
    ]
    assert {f.indicator.code for f in board.figures} >= {"APP_DIGSIG_DOCS", "INF_LAN"}
    assert [s.code for s in board.successors]  # Vĩnh Linh no longer exists


def test_dak_lak_2016_shows_its_tier_lines():
    dak_lak = unit("66", datetime.date(2016, 7, 13))
    board = dashboard_build(dak_lak, parse_period("2016Q3"), today=TODAY)
    portal = {t.scope: t for t in card(board, "WEB_PORTAL").tiers}
    assert (portal["departments"].numerator, portal["departments"].denominator) == (18, 29)
    assert float(portal["districts"].value) == pytest.approx(86.6667, abs=1e-3)


def test_new_quang_tri_reads_2020_through_its_predecessors():
    board = dashboard_build(unit("44", TODAY), parse_period("2020Q4"), today=TODAY)
    assert {c.predecessor.name for c in board.predecessors} == {
        "Tỉnh Quảng Bình",
        "Tỉnh Quảng Trị",
    }
    assert card(board, "APP_DIGSIG_DOCS").value.origin == "predecessors"


def _communes_report(district, count, period="2024Q1", skip=0):
    p = parse_period(period)
    lan = Indicator.objects.get(code="INF_LAN")
    pcs = Indicator.objects.get(code="INF_PC_EQUIPPED")
    communes = Unit.objects.in_force(p.end).filter(district=district, level="commune")
    communes = communes.order_by("code")[skip:count]
    rows = []
    for n, commune in enumerate(communes):
        common = {"unit": commune, "period": p.id, "period_start": p.start, "period_end": p.end}
        rows.append(Figure(indicator=lan, value=n % 2, status="approved", **common))
        rows.append(
            Figure(
                indicator=pcs,
                value=50 + n,
                numerator=50 + n,
                denominator=100,
                status="approved",
                **common,
            )
        )
    Figure.objects.bulk_create(rows)


def test_children_ranked_by_the_index():
    quang_tri = unit("45", datetime.date(2024, 1, 1))
    districts = list(quang_tri.children.filter(valid_to__isnull=False).order_by("code")[:2])
    _communes_report(districts[0], 4)  # LAN 2 of 4, PCs (50+51+52+53)/400 = 51.5 %
    _communes_report(districts[1], 2)  # LAN 1 of 2, PCs (50+51)/200 = 50.5 %
    # Only these two apply to districts here, so that both have an index (decision 0016: on
    # the whole catalogue two figures are too few for one).
    Indicator.objects.filter(levels__contains=",district,").exclude(
        code__in=["INF_LAN", "INF_PC_EQUIPPED"]
    ).update(levels=Replace("levels", Value(",district,"), Value(",")))
    board = dashboard_build(quang_tri, parse_period("2024Q1"), today=TODAY)
    ranked = [r for r in board.ranking if r.rank is not None]
    # Against 100 %: LAN 50 % of communes for both (0.5), PCs 0.515 and 0.505:
    # infrastructure (0.5 + 0.515)/2 = 0.5075 and (0.5 + 0.505)/2 = 0.5025, the only pillar.
    assert [(r.key.code, round(r.index, 4)) for r in ranked] == [
        (districts[0].code, 0.5075),
        (districts[1].code, 0.5025),
    ]


def test_province_dashboard_queries_do_not_grow_with_units():
    quang_tri = unit("45", datetime.date(2024, 1, 1))
    districts = list(quang_tri.children.filter(valid_to__isnull=False).order_by("code")[:6])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            dashboard_build(quang_tri, parse_period("2024Q1"), today=TODAY)
        return len(queries)

    for district in districts:
        _communes_report(district, 2)
    few = count()
    for district in districts:
        _communes_report(district, 30, skip=2)  # more units, more figures
    assert count() == few
    assert few <= 60


def test_the_figures_panel_lists_the_first_figures_in_the_pages_order(monkeypatch):
    """The panel counts per indicator and sorts only the first indicators' figures: the
    same rows as sorting them all, also when indicators share a position (then by unit
    code among them)."""
    from indicators.writes import store
    from reports import dashboard

    period = parse_period("2024Q4")
    vinh_linh = Unit.objects.in_force(period.end).get(code="464")
    communes = list(Unit.objects.in_force(period.end).filter(parent=vinh_linh).order_by("code"))
    first, second = Indicator.objects.filter(value_type="count").order_by("pk")[:2]
    Indicator.objects.filter(pk__in=[first.pk, second.pk]).update(position=0)
    made = [
        approved(commune, indicator, period, 1)
        # The first indicator (lower id) at the last communes, the second at the first one.
        for indicator, commune in [(first, c) for c in communes[-3:]] + [(second, communes[0])]
    ]
    store.figures_store(create=made)
    monkeypatch.setattr(dashboard, "FIGURE_ROWS", 3)
    shown, total = dashboard._figures(vinh_linh, period)
    every = Figure.objects.filter(
        unit__in=communes, period=period.id, status=Figure.Status.APPROVED
    ).order_by("indicator__position", "unit__code", "scope")
    assert total == every.count() == 4
    assert [f.pk for f in shown] == [f.pk for f in every[:3]]
    assert shown[0].indicator == second and shown[0].unit == communes[0]
    # The counts the dashboard reads with what kinds of figures exist give the same panel.
    counts = dashboard._data_present([vinh_linh], period).counts
    assert counts == {first.pk: 3, second.pk: 1}
    again, again_total = dashboard._figures(vinh_linh, period, counts)
    assert ([f.pk for f in again], again_total) == ([f.pk for f in shown], total)


def test_the_figures_panel_shares_its_units_and_indicators():
    """Figures naming the same unit or indicator hold one instance of it, so the dashboard
    kept pickled writes it once: the same rows and names, and a smaller pickle than the
    join's copies give."""
    import pickle

    from indicators.writes import store
    from reports import dashboard

    period = parse_period("2024Q4")
    vinh_linh = Unit.objects.in_force(period.end).get(code="464")
    communes = list(Unit.objects.in_force(period.end).filter(parent=vinh_linh).order_by("code"))
    indicators = list(Indicator.objects.filter(value_type="count").order_by("pk")[:3])
    # Two agencies of the district, each with figures of two of the indicators.
    agencies = [
        Agency.objects.create(unit=vinh_linh, kind=Agency.Kind.OTHER, name=f"Cơ quan thử {n}")
        for n in (1, 2)
    ]
    made = [(i, c, None) for i in indicators for c in communes[:4]]
    made += [(i, vinh_linh, a) for i in indicators[:2] for a in agencies]
    store.figures_store(
        create=[approved(u, i, period, n, agency=a) for n, (i, u, a) in enumerate(made)]
    )
    shown, _total = dashboard._figures(vinh_linh, period)
    mine = [f for f in shown if f.indicator_id in {i.pk for i in indicators}]
    assert len(mine) == len(made) == 16
    assert len({id(f.indicator) for f in mine}) == 3
    assert len({id(f.unit) for f in mine}) == 5
    assert len({id(f.agency) for f in mine if f.agency_id is not None}) == 2
    assert {(f.unit.code, f.agency and f.agency.name, f.indicator.code) for f in mine} == {
        (u.code, a and a.name, i.code) for i, u, a in made
    }
    # What the join gave: a copy of unit, agency and indicator in every row.
    joined = list(
        Figure.objects.filter(pk__in=[f.pk for f in shown])
        .order_by("pk")
        .select_related("unit", "agency", "indicator")
    )
    assert len(pickle.dumps(shown)) < len(pickle.dumps(joined))
    loaded = pickle.loads(pickle.dumps(shown))  # noqa: S301 - our own bytes
    assert [(f.pk, f.unit.name, f.indicator.code) for f in loaded] == [
        (f.pk, f.unit.name, f.indicator.code) for f in shown
    ]
