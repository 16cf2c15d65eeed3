"""The roll-up engine on the real units: rules, time, coverage, the 2025 reorganisation, and
the number of queries a national roll-up takes."""

import datetime

import pytest

from indicators import analytics
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from units.models import Agency, Unit, UnitChange

pytestmark = pytest.mark.django_db

OCT_2020 = datetime.date(2020, 10, 13)
JAN_2024 = datetime.date(2024, 1, 1)
TODAY_2026 = datetime.date(2026, 1, 1)


def unit(code: str, on: datetime.date) -> Unit:
    return Unit.objects.in_force(on).get(code=code)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def add(where, code, period, value=None, numerator=None, denominator=None, **extra) -> Figure:
    """A figure written straight to the table (the engine's input; validation has its tests)."""
    p = parse_period(period)
    if value is None and numerator is not None:
        value = round(100 * numerator / denominator, 4)
    if isinstance(where, Agency):
        extra.setdefault("agency", where)
        where = where.unit
    extra.setdefault("status", Figure.Status.APPROVED)
    return Figure.objects.create(
        unit=where,
        indicator=indicator(code),
        period=p.id,
        period_start=p.start,
        period_end=p.end,
        value=value,
        numerator=numerator,
        denominator=denominator,
        **extra,
    )


def communes_of(district: Unit, on: datetime.date) -> list[Unit]:
    return list(Unit.objects.in_force(on).filter(parent=district).order_by("code"))


@pytest.fixture
def vinh_linh():
    return unit("464", JAN_2024)


# --- The seeds' examples -------------------------------------------------------------


def test_cho_don_digital_signatures_own_and_communes():
    cho_don = unit("064", datetime.date(2021, 7, 31))
    q3 = parse_period("2021Q3")
    own = analytics.rollup_value(indicator("APP_DIGSIG_DOCS"), cho_don, q3)
    offices = analytics.rollup_value(indicator("APP_DIGSIG_DOCS"), cho_don, q3, "district_offices")
    communes = analytics.rollup_value(indicator("APP_DIGSIG_DOCS"), cho_don, q3, "communes")
    # The district tier's rate is not the district's: no commune reported one of its own.
    assert (own.value, own.origin) == (None, "none")
    assert (offices.value, offices.origin) == (90, "reported")
    assert (communes.value, communes.origin) == (60, "reported")
    # A figure for a whole tier covers every commune of it.
    assert communes.covered == communes.expected == cho_don.children.count()
    assert communes.coverage_level == "commune"


def test_dak_lak_websites_18_of_29_departments():
    dak_lak = unit("66", datetime.date(2016, 7, 13))
    rolled = analytics.rollup_value(
        indicator("WEB_PORTAL"), dak_lak, parse_period("2016Q3"), "departments"
    )
    assert (rolled.numerator, rolled.denominator) == (18, 29)
    assert float(rolled.value) == pytest.approx(62.069, abs=1e-3)
    assert rolled.origin == "reported"
    assert rolled.source.startswith("003_03567fd821d6ea94.txt")


# --- Rules over units ----------------------------------------------------------------


def test_ratio_of_sums_when_counts_are_known(vinh_linh):
    first, second, third = communes_of(vinh_linh, JAN_2024)[:3]
    add(first, "HR_COMPUTER_USE", "2024Q1", numerator=1, denominator=2)
    add(second, "HR_COMPUTER_USE", "2024Q1", numerator=9, denominator=10)
    rolled = analytics.rollup_value(indicator("HR_COMPUTER_USE"), vinh_linh, parse_period("2024Q1"))
    # (1 + 9) / (2 + 10) = 83.33 %, not the mean of 50 % and 90 % (70 %).
    assert float(rolled.value) == pytest.approx(83.3333, abs=1e-4)
    assert (rolled.numerator, rolled.denominator) == (10, 12)
    assert rolled.origin == "computed"
    assert (rolled.covered, rolled.expected) == (2, len(communes_of(vinh_linh, JAN_2024)))

    # One commune with a percentage only: the counts are kept, 10/12, and it is said apart
    # (no longer the mean of the three percentages, 60 %).
    add(third, "HR_COMPUTER_USE", "2024Q1", value=40)
    rolled = analytics.rollup_value(indicator("HR_COMPUTER_USE"), vinh_linh, parse_period("2024Q1"))
    assert float(rolled.value) == pytest.approx(83.3333, abs=1e-4)
    assert (rolled.numerator, rolled.denominator, rolled.percent_only) == (10, 12, 1)
    assert rolled.covered == 3


def test_share_of_yes_over_communes(vinh_linh):
    communes = communes_of(vinh_linh, JAN_2024)
    for commune, answer in zip(communes[:4], (1, 1, 1, 0), strict=True):
        add(commune, "SVC_ONE_STOP", "2024Q2", value=answer)
    rolled = analytics.rollup_value(
        indicator("SVC_ONE_STOP"), vinh_linh, parse_period("2024Q2"), "communes"
    )
    assert rolled.value == 75
    assert (rolled.numerator, rolled.denominator) == (3, 4)
    assert f"4/{len(communes)}" in analytics.coverage_label(rolled)


def test_sum_of_counts(vinh_linh):
    communes = communes_of(vinh_linh, JAN_2024)
    add(communes[0], "HR_IT_STAFF", "2024Q1", value=2)
    add(communes[1], "HR_IT_STAFF", "2024Q1", value=3)
    add(vinh_linh, "HR_IT_STAFF", "2024Q1", value=7, scope="communes")
    rolled = analytics.rollup_value(indicator("HR_IT_STAFF"), vinh_linh, parse_period("2024Q1"))
    # Self: no figure of its own, so the sum of its communes' (the tier figure is another scope).
    assert (rolled.value, rolled.origin) == (5, "computed")
    tier = analytics.rollup_value(
        indicator("HR_IT_STAFF"), vinh_linh, parse_period("2024Q1"), "communes"
    )
    assert (tier.value, tier.origin) == (7, "reported")


def test_own_figure_wins_over_the_units_below(vinh_linh):
    add(communes_of(vinh_linh, JAN_2024)[0], "HR_PROFICIENT", "2024Q1", value=10)
    add(vinh_linh, "HR_PROFICIENT", "2024Q1", value=95)
    rolled = analytics.rollup_value(indicator("HR_PROFICIENT"), vinh_linh, parse_period("2024Q1"))
    assert (rolled.value, rolled.origin) == (95, "reported")


def test_province_from_districts_each_own_or_from_communes(vinh_linh):
    quang_tri = vinh_linh.parent
    other = Unit.objects.in_force(JAN_2024).filter(parent=quang_tri).exclude(pk=vinh_linh.pk)[0]
    add(vinh_linh, "SEC_ANTIVIRUS", "2024Q1", numerator=30, denominator=40)
    commune = communes_of(other, JAN_2024)[0]
    add(commune, "SEC_ANTIVIRUS", "2024Q1", numerator=10, denominator=10)
    rolled = analytics.rollup_value(indicator("SEC_ANTIVIRUS"), quang_tri, parse_period("2024Q1"))
    assert (rolled.numerator, rolled.denominator) == (40, 50)
    assert rolled.value == 80
    districts = quang_tri.children.filter(valid_to=vinh_linh.valid_to).count()
    assert (rolled.covered, rolled.expected, rolled.coverage_level) == (2, districts, "district")
    children = analytics.rollup_children(
        indicator("SEC_ANTIVIRUS"), quang_tri, parse_period("2024Q1")
    )
    by_code = {c.unit.code: c for c in children}
    assert by_code["464"].origin == "reported"
    assert by_code[other.code].origin == "computed"
    assert by_code[other.code].value == 100
    assert len(children) == districts


def test_yes_no_district_computed_from_communes_enters_as_a_percentage(vinh_linh):
    quang_tri = vinh_linh.parent
    other = Unit.objects.in_force(JAN_2024).filter(parent=quang_tri).exclude(pk=vinh_linh.pk)[0]
    add(vinh_linh, "WEB_PORTAL", "2024Q1", value=1)
    for commune, answer in zip(communes_of(other, JAN_2024)[:4], (1, 0, 0, 0), strict=True):
        add(commune, "WEB_PORTAL", "2024Q1", value=answer)
    rolled = analytics.rollup_value(indicator("WEB_PORTAL"), quang_tri, parse_period("2024Q1"))
    # Vĩnh Linh: yes (100 %); the other district: 1 of 4 communes (25 %). Mean: 62.5 %.
    # Adding counts across tiers would give (1 + 1) / (1 + 4) = 40 %.
    assert rolled.value == 62.5
    assert rolled.numerator is None


def test_agencies_of_a_unit_and_the_peoples_committee(vinh_linh):
    committee = Agency.objects.get(unit=vinh_linh, kind="peoples_committee")
    office = Agency.objects.get(unit=vinh_linh, kind="office")
    add(committee, "APP_DOC_MGMT", "2024Q1", value=1)
    add(office, "APP_DOC_MGMT", "2024Q1", value=0)
    q1 = parse_period("2024Q1")
    # The People's Committee speaks for its unit when the unit has no figure of its own.
    own = analytics.rollup_value(indicator("APP_DOC_MGMT"), vinh_linh, q1)
    assert (own.value, own.origin) == (1, "reported")
    offices = analytics.rollup_value(indicator("APP_DOC_MGMT"), vinh_linh, q1, "district_offices")
    assert (offices.value, offices.covered, offices.expected) == (0, 1, 1)
    everyone = analytics.rollup_value(indicator("APP_DOC_MGMT"), vinh_linh, q1, "all_agencies")
    assert (everyone.value, everyone.numerator, everyone.denominator) == (50, 1, 2)
    assert everyone.coverage_level == "agency"


@pytest.mark.parametrize("id_list_max", [analytics.ID_LIST_MAX, 0], ids=["by ids", "by join"])
def test_all_agencies_counts_the_communes_agencies_however_the_subtree_is_read(
    vinh_linh, monkeypatch, id_list_max
):
    """A subtree is read by its ids, or (most of the country) by a join: either way the
    agencies of its communes count for scope all_agencies."""
    monkeypatch.setattr(analytics, "ID_LIST_MAX", id_list_max)
    office = Agency.objects.get(unit=vinh_linh, kind="office")
    school = Agency.objects.create(
        unit=communes_of(vinh_linh, JAN_2024)[0], kind="school", name="Trường Tiểu học số 1"
    )
    add(office, "APP_DOC_MGMT", "2024Q1", value=0)
    add(school, "APP_DOC_MGMT", "2024Q1", value=1)
    everyone = analytics.rollup_value(
        indicator("APP_DOC_MGMT"), vinh_linh, parse_period("2024Q1"), "all_agencies"
    )
    assert (everyone.value, everyone.numerator, everyone.denominator) == (50, 1, 2)


def test_only_approved_figures_count_unless_asked(vinh_linh):
    add(vinh_linh, "HR_PROFICIENT", "2024Q1", value=95, status=Figure.Status.DRAFT)
    q1 = parse_period("2024Q1")
    assert analytics.rollup_value(indicator("HR_PROFICIENT"), vinh_linh, q1).value is None
    with_drafts = analytics.rollup_value(
        indicator("HR_PROFICIENT"), vinh_linh, q1, statuses=[Figure.Status.DRAFT]
    )
    assert with_drafts.value == 95


# --- Rules over time -----------------------------------------------------------------


def test_status_takes_the_latest_figure_in_the_period(vinh_linh):
    add(vinh_linh, "HR_PROFICIENT", "2024Q1", value=80)
    add(vinh_linh, "HR_PROFICIENT", "2024Q3", value=90)
    add(vinh_linh, "HR_PROFICIENT", "2024Q2", value=85)
    year = analytics.rollup_value(indicator("HR_PROFICIENT"), vinh_linh, parse_period("2024"))
    assert (year.value, year.figure_period) == (90, "2024Q3")
    half = analytics.rollup_value(indicator("HR_PROFICIENT"), vinh_linh, parse_period("2024S1"))
    assert (half.value, half.figure_period) == (85, "2024Q2")
    # A figure for the year itself beats its fourth quarter's (same end, wider period).
    add(vinh_linh, "HR_PROFICIENT", "2024Q4", value=91)
    add(vinh_linh, "HR_PROFICIENT", "2024", value=92)
    year = analytics.rollup_value(indicator("HR_PROFICIENT"), vinh_linh, parse_period("2024"))
    assert (year.value, year.figure_period) == (92, "2024")


def test_status_latest_is_per_unit(vinh_linh):
    first, second = communes_of(vinh_linh, JAN_2024)[:2]
    add(first, "HR_IT_STAFF", "2024Q1", value=1)
    add(first, "HR_IT_STAFF", "2024Q4", value=4)
    add(second, "HR_IT_STAFF", "2024Q2", value=2)
    year = analytics.rollup_value(indicator("HR_IT_STAFF"), vinh_linh, parse_period("2024"))
    # First commune's Q4 (4) plus second commune's only figure, Q2 (2).
    assert year.value == 6


def test_flow_adds_up_the_quarters(vinh_linh):
    add(vinh_linh, "APP_DIGSIG_DOCS", "2024Q1", numerator=50, denominator=100)
    add(vinh_linh, "APP_DIGSIG_DOCS", "2024Q2", numerator=90, denominator=100)
    add(vinh_linh, "INF_ONLINE_MEETING_COUNT", "2024Q1", value=3)
    add(vinh_linh, "INF_ONLINE_MEETING_COUNT", "2024Q2", value=4)
    add(vinh_linh, "INF_ONLINE_MEETING_COUNT", "202407", value=1)
    half = analytics.rollup_value(indicator("APP_DIGSIG_DOCS"), vinh_linh, parse_period("2024S1"))
    assert (half.value, half.numerator, half.denominator) == (70, 140, 200)
    year = analytics.rollup_value(
        indicator("INF_ONLINE_MEETING_COUNT"), vinh_linh, parse_period("2024")
    )
    assert year.value == 8
    # A half-year figure covers its quarters: they are not added to it.
    add(vinh_linh, "INF_ONLINE_MEETING_COUNT", "2024S1", value=10)
    year = analytics.rollup_value(
        indicator("INF_ONLINE_MEETING_COUNT"), vinh_linh, parse_period("2024")
    )
    assert year.value == 11


# --- Across the 2025 reorganisation --------------------------------------------------


def test_a_2025_commune_before_july_2025_comes_from_its_predecessors():
    vinh_linh_2025 = unit("19363", TODAY_2026)  # Xã Vĩnh Linh, from three 2024 communes
    assert vinh_linh_2025.valid_from == datetime.date(2025, 7, 1)
    ho_xa, vinh_chap, vinh_long = (unit(code, JAN_2024) for code in ("19363", "19375", "19387"))
    add(ho_xa, "HR_COMPUTER_USE", "2024Q4", numerator=20, denominator=20)
    add(vinh_chap, "HR_COMPUTER_USE", "2024Q4", numerator=5, denominator=10)
    rolled = analytics.rollup_value(
        indicator("HR_COMPUTER_USE"), vinh_linh_2025, parse_period("2024Q4")
    )
    assert rolled.origin == "predecessors"
    assert (rolled.numerator, rolled.denominator) == (25, 30)
    assert (rolled.covered, rolled.expected) == (2, 3)
    assert {p.code for p in rolled.predecessors} == {"19363", "19375", "19387"}
    assert not rolled.is_partial
    assert vinh_long in rolled.predecessors


def test_a_commune_formed_in_part_says_so():
    edge = (
        UnitChange.objects.filter(
            is_partial=True, predecessor__level="commune", successor__level="commune"
        )
        .select_related("predecessor", "successor")
        .order_by("successor__code")
        .first()
    )
    add(edge.predecessor, "HR_IT_STAFF", "2025Q1", value=3)
    rolled = analytics.rollup_value(
        indicator("HR_IT_STAFF"), edge.successor, parse_period("2025Q1")
    )
    assert rolled.origin == "predecessors"
    assert rolled.is_partial
    assert rolled.value >= 3


def test_new_quang_tri_before_july_2025_from_old_quang_binh_and_quang_tri():
    new_quang_tri = unit("44", TODAY_2026)
    rolled = analytics.rollup_value(
        indicator("INF_LAN"), new_quang_tri, parse_period("2020Q4"), "communes"
    )
    # Vĩnh Linh's 18 of 18 communes (a seed figure) are all old Quảng Trị has reported.
    assert rolled.origin == "predecessors"
    assert (rolled.value, rolled.numerator, rolled.denominator) == (100, 18, 18)
    assert rolled.covered == 18
    assert {p.name for p in rolled.predecessors} == {"Tỉnh Quảng Bình", "Tỉnh Quảng Trị"}


def test_a_unit_formed_mid_period_uses_its_own_figures_first():
    new_commune = unit("19363", TODAY_2026)
    add(unit("19363", JAN_2024), "HR_IT_STAFF", "2025Q1", value=1)
    add(new_commune, "HR_IT_STAFF", "2025Q3", value=4)
    year = analytics.rollup_value(indicator("HR_IT_STAFF"), new_commune, parse_period("2025"))
    assert (year.value, year.origin) == (4, "reported")


def test_an_old_unit_after_it_ended_has_no_value(vinh_linh):
    rolled = analytics.rollup_value(indicator("HR_IT_STAFF"), vinh_linh, parse_period("2026Q1"))
    assert rolled.value is None
    assert rolled.origin == "none"


# --- Scale: a constant number of queries ---------------------------------------------


def _one_figure_per_commune(code: str, period: str, limit: int) -> int:
    p = parse_period(period)
    target = indicator(code)
    communes = Unit.objects.in_force(JAN_2024).filter(level="commune").order_by("code")[:limit]
    Figure.objects.bulk_create(
        Figure(
            unit=commune,
            indicator=target,
            period=p.id,
            period_start=p.start,
            period_end=p.end,
            value=n % 2,
            status=Figure.Status.APPROVED,
        )
        for n, commune in enumerate(communes)
    )
    return len(communes)


@pytest.mark.parametrize("communes", [10, 3000])
def test_national_rollup_by_province_takes_a_few_queries(communes, django_assert_max_num_queries):
    _one_figure_per_commune("INF_LAN", "2024Q1", communes)
    target = indicator("INF_LAN")
    # Provinces, "any sub-period figures?", units, communes per parent, communes added up,
    # the other units' figures: six, whatever the number of communes.
    with django_assert_max_num_queries(6):
        provinces = analytics.rollup_provinces(target, parse_period("2024Q1"))
    assert len(provinces) == 63
    assert sum(p.covered > 0 for p in provinces) >= 1


def test_national_rollup_through_todays_provinces_takes_a_few_queries(
    django_assert_max_num_queries,
):
    _one_figure_per_commune("INF_LAN", "2024Q1", 3000)
    target = indicator("INF_LAN")
    with django_assert_max_num_queries(9):
        provinces = analytics.rollup_provinces(target, parse_period("2024Q1"), on=TODAY_2026)
    assert len(provinces) == 34
    assert all(p.origin in ("predecessors", "none") for p in provinces)


def test_national_totals_match_a_plain_count():
    _one_figure_per_commune("INF_LAN", "2024Q1", 3000)
    provinces = analytics.rollup_provinces(indicator("INF_LAN"), parse_period("2024Q1"), "communes")
    assert sum(p.covered for p in provinces) == 3000
    assert sum(p.numerator or 0 for p in provinces) == 1500
