"""Dashboards kept in the cache (reports/dashboard_cache.py) are served while the data versions
they were built at stand (indicators/versions.py), and built again as soon as something they
show changes: an approval under the province, a report's status in their period, a plan's
target. A change in another province, a report of another period, or a draft's figures,
keeps them."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from accounts.models import Membership
from accounts.services import demo_users_create
from entry.services import EntryValue, applicable_indicators, entry_save, submission_act
from indicators import versions
from indicators.models import DataVersion, Figure, Indicator, Submission
from indicators.periods import parse_period
from indicators.reports import submission_get
from indicators.services import FigureInput
from indicators.writes.bulk import figures_import
from indicators.writes.figures import figure_api_save
from plans.models import Target
from plans.services import plans_load
from reports import dashboard
from units.models import Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
PERIOD = "2025Q2"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def builds(monkeypatch):
    """The units whose dashboard was built (not served from the cache), in order."""
    built = []
    build = dashboard.dashboard_build

    def counted(unit, period, *, today):
        built.append(unit.code)
        return build(unit, period, today=today)

    monkeypatch.setattr("reports.dashboard_cache.dashboard_build", counted)
    return built


@pytest.fixture
def admin(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    return get_user_model().objects.get(username="admin")


@pytest.fixture
def client(admin):
    client = Client()
    client.force_login(admin)
    return client


def page(client: Client, unit: Unit, query: str = "", *, period: str = PERIOD) -> str:
    response = client.get(f"/dashboard/{unit.pk}/?period={period}{query}")
    assert response.status_code == 200
    return CSRF_TOKEN.sub("", response.content.decode())


def approve(admin, code: str, indicator: str, value: str) -> None:
    item = FigureInput(unit_code=code, unit_on=OLD, indicator=indicator, period=PERIOD, value=value)
    figure_api_save(user=admin, item=item, status=Figure.Status.APPROVED)


def form_save(official, unit: Unit, value: str, *, submit: bool, period: str = PERIOD) -> None:
    """The official's quarterly form with every indicator (as a submission needs), `value`
    out of 10."""
    period = parse_period(period)
    values = {}
    for indicator in applicable_indicators(unit, None, period):
        if indicator.value_type == Indicator.ValueType.BOOLEAN:
            values[indicator.code] = EntryValue(value="1")
        elif indicator.value_type == Indicator.ValueType.RATIO:
            values[indicator.code] = EntryValue(numerator=value, denominator="10")
        else:
            values[indicator.code] = EntryValue(value=value)
    report = submission_get(unit, None, period)
    result = entry_save(
        user=official,
        unit=unit,
        agency=None,
        period=period,
        values=values,
        version=report.version if report else 0,
        submit=submit,
    )
    assert result.submitted == submit


def reference_number() -> int:
    return DataVersion.objects.get(area=versions.REFERENCE).number


def official_of(unit: Unit):
    user = get_user_model().objects.create_user(f"official-{unit.code}", password="x")
    Membership.objects.create(user=user, unit=unit, is_data_entry=True)
    return user


def test_a_dashboard_is_built_once_while_nothing_changes(client, builds, settings):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    first = page(client, vinh_linh)
    assert page(client, vinh_linh) == first
    assert builds == ["464"]
    # Another trend shown: the same data, its sections drawn again. Another language: the
    # data built again too (what it holds may be worded in it).
    page(client, vinh_linh, "&trend=INF_LAN")
    assert builds == ["464"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Key indicators" in page(client, vinh_linh)
    assert builds == ["464", "464"]


def test_an_approval_under_the_province_is_shown_at_once(admin, client, builds):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    before = page(client, vinh_linh)
    approve(admin, "19363", "INF_ONLINE_MEETING_COUNT", "987654")
    after = page(client, vinh_linh)
    assert "987.654" in after and "987.654" not in before
    assert builds == ["464", "464"]


def test_an_approval_in_another_province_keeps_the_page(admin, client, builds):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    before = page(client, vinh_linh)
    ba_dinh_commune = Unit.objects.in_force(OLD).filter(province__code="01", level="commune")
    approve(admin, ba_dinh_commune.order_by("code").first().code, "INF_LAN", "1")
    assert page(client, vinh_linh) == before
    assert builds == ["464"]


def test_a_report_submitted_moves_its_provinces_reports_and_a_draft_does_not(admin, client, builds):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    ho_xa = Unit.objects.in_force(OLD).get(code="19363")
    official = official_of(ho_xa)
    province = versions.read_page(ho_xa.province_id, PERIOD)

    form_save(official, ho_xa, "3", submit=False)  # the report made: a draft counted on the page
    made = versions.read_page(ho_xa.province_id, PERIOD)
    assert made[2] > province[2]  # the reports of the quarter
    assert made[:2] == province[:2]  # no approved figure changed
    page(client, vinh_linh)
    form_save(official, ho_xa, "4", submit=False)  # the draft's figures and version only
    assert versions.read_page(ho_xa.province_id, PERIOD) == made
    before = page(client, vinh_linh)
    assert builds == ["464"]
    form_save(official, ho_xa, "5", submit=True)
    assert versions.read_page(ho_xa.province_id, PERIOD)[2] > made[2]
    assert page(client, vinh_linh) != before
    assert builds == ["464", "464"]
    # Approving it: the figures are published, the dashboard built again.
    report = submission_get(ho_xa, None, parse_period(PERIOD))
    reviewer = get_user_model().objects.get(username="vinhlinh.duyet")
    submission_act(user=reviewer, submission=report, action="approve")
    page(client, vinh_linh)
    assert builds == ["464", "464", "464"]


def test_a_report_of_another_quarter_keeps_the_page_and_moves_those_containing_it(client, builds):
    """Officials drafting 2025Q1 while the committee reads 2025Q2: its page is kept, and so is
    that of May (in 2025Q2). The pages of 2025Q1, of February (a month's page shows who has
    reported in its quarter), of the half-year and of the year show who has reported in
    2025Q1, and are built again."""
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    ho_xa = Unit.objects.in_force(OLD).get(code="19363")
    periods = ["2025Q1", "202502", "2025S1", "2025"]
    quarter, may = page(client, vinh_linh), page(client, vinh_linh, period="202505")
    before = {p: page(client, vinh_linh, period=p) for p in periods}
    province = versions.read_page(ho_xa.province_id, PERIOD)
    assert len(builds) == 6

    form_save(official_of(ho_xa), ho_xa, "3", submit=False, period="2025Q1")  # a report made
    assert page(client, vinh_linh) == quarter
    assert page(client, vinh_linh, period="202505") == may
    assert len(builds) == 6
    for period in periods:  # a draft now counted
        assert page(client, vinh_linh, period=period) != before[period], period
    assert len(builds) == 10
    # The province's own number did not move (no approved figure changed), nor did the
    # reports number of its 2025Q2.
    assert versions.read_page(ho_xa.province_id, PERIOD) == province


def test_a_report_made_around_the_write_path_moves_its_quarter_once_committed(
    client, builds, django_capture_on_commit_callbacks
):
    """The admin saves a report itself: the reports version of its quarter moves after the
    commit (versions.after_commit), and the page is built again."""
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    ho_xa = Unit.objects.in_force(OLD).get(code="19363")
    before = page(client, vinh_linh)
    reports = versions.read_page(ho_xa.province_id, PERIOD)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Submission.objects.create(
            unit=ho_xa,
            period=PERIOD,
            period_start=parse_period(PERIOD).start,
            period_end=parse_period(PERIOD).end,
        )
        assert versions.read_page(ho_xa.province_id, PERIOD) == reports
    assert versions.read_page(ho_xa.province_id, PERIOD)[2] > reports[2]
    assert page(client, vinh_linh) != before
    assert builds == ["464", "464"]


def test_a_plans_target_saved_is_shown_once_committed(
    client, builds, django_capture_on_commit_callbacks
):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    page(client, vinh_linh)
    reference = reference_number()
    target = Target.objects.order_by("pk").first()
    target.note = "changed"
    # Moved after the commit, not inside the transaction (versions.after_commit).
    with django_capture_on_commit_callbacks(execute=True) as moves:
        target.save()
        assert reference_number() == reference
    assert moves
    assert reference_number() > reference
    page(client, vinh_linh)
    assert builds == ["464", "464"]


def test_the_plans_loader_moves_the_reference_version(settings):
    before = reference_number()
    Target.objects.filter(pk=Target.objects.order_by("pk").first().pk).update(note="by hand")
    plans_load(directory=Path(settings.BASE_DIR) / "fixtures" / "plans")  # put back in bulk
    assert reference_number() > before


def test_the_reference_version_starts_at_the_migration_not_at_0():
    assert DataVersion.objects.get(area=versions.REFERENCE).number > 0


def test_an_officials_import_making_reports_moves_the_province(client, builds):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    ho_xa = Unit.objects.in_force(OLD).get(code="19363")
    official = official_of(ho_xa)
    before = page(client, vinh_linh)
    item = FigureInput(
        unit_code="19363",
        unit_on=OLD,
        indicator="INF_LAN",
        period=PERIOD,
        value="1",
    )
    summary = figures_import([item], user=official)
    assert summary.created == 1
    assert submission_get(ho_xa, None, parse_period(PERIOD)) is not None  # made by the import
    assert page(client, vinh_linh) != before  # a draft now counted
    assert builds == ["464", "464"]


def test_reopening_an_approved_report_is_shown_at_once(client, builds):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    ho_xa = Unit.objects.in_force(OLD).get(code="19363")
    form_save(official_of(ho_xa), ho_xa, "5", submit=True)
    reviewer = get_user_model().objects.get(username="vinhlinh.duyet")
    report = submission_get(ho_xa, None, parse_period(PERIOD))
    submission_act(user=reviewer, submission=report, action="approve")
    approved = page(client, vinh_linh)
    report.refresh_from_db()
    submission_act(user=reviewer, submission=report, action="reopen", reason="Sai số liệu")
    assert page(client, vinh_linh) != approved  # its figures no longer published
    assert builds == ["464", "464"]


def test_with_no_time_to_keep_a_dashboard_is_built_for_every_request(client, builds, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    assert page(client, vinh_linh) == page(client, vinh_linh)
    assert builds == ["464", "464"]
