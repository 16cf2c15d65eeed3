"""The reviewer's desk (issue 19, item 5): a report's figures in the form's order beside last
quarter's approved value, the change and its flag (entry.review_desk, entry.changes); the
menu's review tab; approving and returning from the inbox, one report or several at once
(entry.services.submissions_act), all or nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import demo_users_create
from entry.changes import LARGE_POINTS, LARGE_RELATIVE, change_of
from entry.review_desk import report_desk
from entry.services import (
    REASON_REQUIRED,
    BulkRefused,
    EntryValue,
    WorkflowError,
    applicable_indicators,
    entry_save,
    submission_act,
    submissions_act,
)
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from units.models import Unit, UnitChange

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
Q4 = parse_period("2024Q4")
Q1 = parse_period("2025Q1")
Status = Figure.Status


@pytest.fixture
def users(settings) -> dict:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def hoxa() -> Unit:
    return Unit.objects.in_force(OLD).get(code="19363")


@pytest.fixture
def neighbour(hoxa) -> Unit:
    """Another commune of Vĩnh Linh, reported by the administrator (it has no demo official)."""
    return (
        Unit.objects.in_force(OLD).filter(parent=hoxa.parent).exclude(pk=hoxa.pk).order_by("code")
    ).first()


def values(unit: Unit, period, **given: str) -> dict[str, EntryValue]:
    """Every applicable indicator filled in (ratios 1/2, yes, counts 10, amounts 1.000.000),
    with `given` instead where named (a ratio as "numerator/denominator")."""
    filled = {}
    for indicator in applicable_indicators(unit, None, period):
        text = given.get(indicator.code)
        if indicator.value_type == Indicator.ValueType.RATIO:
            num, den = (text or "1/2").split("/")
            filled[indicator.code] = EntryValue(numerator=num, denominator=den)
        elif indicator.value_type == Indicator.ValueType.BOOLEAN:
            filled[indicator.code] = EntryValue(value=text or "1")
        elif indicator.value_type == Indicator.ValueType.AMOUNT:
            filled[indicator.code] = EntryValue(value=text or "1000000")
        else:
            filled[indicator.code] = EntryValue(value=text or "10")
    return filled


def submitted(user, unit: Unit, period, **given: str) -> Submission:
    """The unit's report of `period`, filled in and submitted through the services."""
    result = entry_save(
        user=user,
        unit=unit,
        agency=None,
        period=period,
        values=values(unit, period, **given),
        version=0,
        submit=True,
    )
    assert result.submitted, (result.errors, result.missing)
    return result.submission


def approved(user, reviewer, unit: Unit, period, **given: str) -> Submission:
    report = submitted(user, unit, period, **given)
    return submission_act(user=reviewer, submission=report, action="approve")


def rows_by_code(desk) -> dict:
    return {row.indicator.code: row for group in desk.groups for row in group.rows}


def login(client, users, username: str):
    client.force_login(users[username])
    return client


def act(client, data: dict) -> list[str]:
    """Posts to the inbox's action and follows it back to the inbox: the messages shown."""
    response = client.post("/entry/review/act/", data, follow=True)
    assert response.redirect_chain == [("/entry/review/", 302)]
    return [str(m) for m in response.context["messages"]]


# --- the rule (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value_type", "current", "previous", "delta", "relative", "large"),
    [
        ("count", "15", "10", "5", "50", True),  # half as much again: the threshold itself
        ("count", "14", "10", "4", "40", False),
        ("count", "5", "10", "-5", "-50", True),  # halved
        ("amount", "1500000000", "150000000", "1350000000", "900", True),  # a zero too many
        ("count", "3", "0", "3", None, False),  # from zero: no per cent to judge by
        ("count", "0", "0", "0", None, False),
        ("ratio", "70", "50", "20", None, True),  # twenty points
        ("ratio", "69.9", "50", "19.9", None, False),
        ("ratio", "30", "50", "-20", None, True),
        ("boolean", "0", "1", "-1", None, True),  # a yes/no answer that flipped
        ("boolean", "1", "1", "0", None, False),
    ],
)
def test_change_and_its_flag_follow_the_stated_rule(
    value_type, current, previous, delta, relative, large
):
    change = change_of(value_type=value_type, current=Decimal(current), previous=Decimal(previous))
    assert change.delta == Decimal(delta)
    assert change.relative == (None if relative is None else Decimal(relative))
    assert change.is_large is large


def test_no_change_without_both_values():
    assert change_of(value_type="count", current=Decimal(1), previous=None) is None
    assert change_of(value_type="ratio", current=None, previous=Decimal(1)) is None
    assert (Decimal(50), Decimal(20)) == (LARGE_RELATIVE, LARGE_POINTS)


# --- the selector --------------------------------------------------------------------------


def test_figures_are_listed_in_the_forms_order(client, users, hoxa):
    report = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    desk = report_desk(submission=report)
    form = login(client, users, "hoxa.nhaplieu").get(f"/entry/{hoxa.pk}/{Q1.id}/")
    in_form = [row.indicator.code for group in form.context["groups"] for row in group.rows]
    on_desk = [row.indicator.code for group in desk.groups for row in group.rows]
    assert on_desk == in_form
    assert [g.label for g in desk.groups] == [g.label for g in form.context["groups"]]
    # The pillars' own order (infrastructure first), not the alphabet's (human resources).
    assert desk.groups[0].pillar == Indicator.Pillar.INFRASTRUCTURE


def test_each_figure_beside_last_quarters_approved_value_and_the_change(users, hoxa):
    official, reviewer = users["hoxa.nhaplieu"], users["vinhlinh.duyet"]
    approved(
        official,
        reviewer,
        hoxa,
        Q4,
        HR_IT_STAFF="10",
        SEC_INCIDENTS="4",
        HR_PROFICIENT="50/100",
        APP_WORK_ONLINE="50/100",
        INF_LAN="1",
    )
    report = submitted(
        official,
        hoxa,
        Q1,
        HR_IT_STAFF="12",  # +20%: ordinary
        SEC_INCIDENTS="40",  # ten times: flagged
        HR_PROFICIENT="55/100",  # +5 points: ordinary
        APP_WORK_ONLINE="90/100",  # +40 points: flagged
        INF_LAN="0",  # flipped: flagged
    )
    desk = report_desk(submission=report)
    rows = rows_by_code(desk)
    assert (desk.period.id, desk.previous_period.id) == ("2025Q1", "2024Q4")
    assert desk.previous_unit is None and desk.no_previous == ""

    staff = rows["HR_IT_STAFF"]
    assert (staff.figure.value, staff.previous.value) == (12, 10)
    assert (staff.change.delta, staff.change.relative, staff.change.is_large) == (2, 20, False)
    incidents = rows["SEC_INCIDENTS"].change
    assert (incidents.delta, incidents.relative, incidents.is_large) == (36, 900, True)
    assert rows["HR_PROFICIENT"].change.delta == 5
    assert not rows["HR_PROFICIENT"].change.is_large
    assert rows["APP_WORK_ONLINE"].change.is_large
    assert rows["INF_LAN"].change.is_large
    assert rows["FIN_IT_BUDGET"].change.delta == 0
    assert desk.large == 3


def test_no_previous_value_when_last_quarter_was_not_approved(users, hoxa):
    official = users["hoxa.nhaplieu"]
    submitted(official, hoxa, Q4)  # submitted, never approved: nothing accepted to compare
    report = submitted(official, hoxa, Q1)
    desk = report_desk(submission=report)
    rows = rows_by_code(desk)
    assert all(row.previous is None and row.change is None for row in rows.values())
    assert (desk.large, desk.has_previous, desk.no_previous) == (0, False, "")


def test_a_commune_kept_whole_in_2025_compares_with_its_predecessor(
    users, django_assert_num_queries
):
    admin = users["admin"]
    edge = (
        UnitChange.objects.filter(
            kind=UnitChange.Kind.KEPT,
            is_partial=False,
            successor__level="commune",
            predecessor__level="commune",
        )
        .select_related("predecessor", "successor")
        .order_by("successor__code")
        .first()
    )
    old, new = edge.predecessor, edge.successor
    assert UnitChange.objects.filter(successor=new, predecessor__level="commune").count() == 1
    q2, q3 = parse_period("2025Q2"), parse_period("2025Q3")
    approved(admin, admin, old, q2, HR_IT_STAFF="4")
    report = submitted(admin, new, q3, HR_IT_STAFF="9")
    report = Submission.objects.select_related("unit", "agency").get(pk=report.pk)
    # The indicators, the report's figures, the unit's lineage, the predecessor's figures;
    # then data quality (quality.checks): the ranges, last quarter's values, the rules; the
    # comments, follow-ups, evidence and the indicators that require it.
    with django_assert_num_queries(4 + 3 + 4):
        desk = report_desk(submission=report)
    assert desk.previous_unit == old
    staff = rows_by_code(desk)["HR_IT_STAFF"]
    assert (staff.previous.value, staff.change.delta, staff.change.is_large) == (4, 5, True)


def test_a_commune_merged_from_several_has_no_previous_value_and_says_why(users):
    xa_vinh_linh = Unit.objects.in_force(datetime.date(2025, 7, 1)).get(code="19363")
    report = submitted(users["xavinhlinh.nhaplieu"], xa_vinh_linh, parse_period("2025Q3"))
    desk = report_desk(submission=report)
    assert desk.previous_unit is None
    assert "01/07/2025" in desk.no_previous and "3 đơn vị" in desk.no_previous
    assert all(row.previous is None for group in desk.groups for row in group.rows)


def test_the_desk_reads_in_a_fixed_number_of_queries(
    users, hoxa, neighbour, django_assert_num_queries
):
    official, admin = users["hoxa.nhaplieu"], users["admin"]
    approved(official, users["vinhlinh.duyet"], hoxa, Q4)
    full = submitted(official, hoxa, Q1)
    small = Submission.objects.create(
        unit=neighbour, period=Q1.id, period_start=Q1.start, period_end=Q1.end
    )
    entry_save(
        user=admin,
        unit=neighbour,
        agency=None,
        period=Q1,
        values={"HR_IT_STAFF": EntryValue(value="3")},
        version=0,
    )
    for report in (full, small):
        report = Submission.objects.select_related("unit", "agency").get(pk=report.pk)
        # The indicators; the report's figures with their indicators; last quarter's figures;
        # data quality's three (the ranges, last quarter's values, the rules) and four
        # (comments, follow-ups, evidence, the indicators that require it).
        with django_assert_num_queries(3 + 3 + 4):
            desk = report_desk(submission=report)
        assert sum(len(g.rows) for g in desk.groups) == len(
            applicable_indicators(report.unit, None, Q1)
        )


# --- the report's page ---------------------------------------------------------------------


def test_the_report_page_costs_the_same_queries_for_one_figure_or_fifty(
    client, users, hoxa, neighbour
):
    official, admin = users["hoxa.nhaplieu"], users["admin"]
    approved(official, users["vinhlinh.duyet"], hoxa, Q4)
    full = submitted(official, hoxa, Q1)
    entry_save(
        user=admin,
        unit=neighbour,
        agency=None,
        period=Q1,
        values={"HR_IT_STAFF": EntryValue(value="3")},
        version=0,
    )
    small = Submission.objects.get(unit=neighbour, period=Q1.id)
    login(client, users, "vinhlinh.duyet")
    counts = []
    for report in (full, small):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/entry/reports/{report.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_report_page_shows_last_quarter_the_change_and_percentages_with_one_decimal(
    client, users, hoxa
):
    official, reviewer = users["hoxa.nhaplieu"], users["vinhlinh.duyet"]
    approved(official, reviewer, hoxa, Q4, HR_PROFICIENT="50/100", FIN_IT_BUDGET="150000000")
    report = submitted(
        official, hoxa, Q1, HR_PROFICIENT="911/2000", FIN_IT_BUDGET="1500000000", SEC_INCIDENTS="40"
    )
    response = login(client, users, "vinhlinh.duyet").get(f"/entry/reports/{report.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    row = _row(text, "HR_PROFICIENT")
    assert "45,6%" in row and "50%" in row and "-4,5 điểm %" in row  # 45.55, at most one decimal
    assert "45,55" not in text and "45.55" not in text
    budget = _row(text, "FIN_IT_BUDGET")
    assert "1.500.000.000 đ" in budget and "150.000.000 đ" in budget
    assert "+1.350.000.000 đ" in budget and "(+900%)" in budget and "data-large-change" in budget
    assert 'data-large-count="2"' in text  # the budget and the incidents
    assert 'class="table-warning"' in _row(text, "SEC_INCIDENTS")
    assert "data-large-change" not in _row(text, "HR_IT_STAFF")


def _row(text: str, code: str) -> str:
    match = re.search(rf'<tr data-indicator="{code}".*?</tr>', text, re.S)
    assert match, code
    return match.group(0)


def active_tabs(text: str) -> list[str]:
    """The menu links marked as the page's tab."""
    return re.findall(r'class="nav-link active" aria-current="page" href="([^"]+)"', text)


def test_the_review_tab_stays_active_on_the_reviewers_pages(client, users, hoxa):
    report = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    login(client, users, "vinhlinh.duyet")
    for url in ("/entry/review/", f"/entry/reports/{report.pk}/"):
        text = client.get(url).content.decode()
        assert active_tabs(text) == ["/entry/review/"], url
    # Elsewhere the address decides: the units' tab on the units' pages.
    assert active_tabs(client.get("/units/").content.decode()) == ["/units/"]
    # The report's own official reads it under the entry tab.
    login(client, users, "hoxa.nhaplieu")
    text = client.get(f"/entry/reports/{report.pk}/").content.decode()
    assert active_tabs(text) == ["/entry/"]


# --- approving and returning from the inbox ------------------------------------------------


def test_the_inbox_lists_waiting_reports_with_a_checkbox_and_a_form_each(client, users, hoxa):
    report = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    text = login(client, users, "vinhlinh.duyet").get("/entry/review/").content.decode()
    assert f'name="reports" value="{report.pk}:{report.version}"' in text
    assert f'form id="review-{report.pk}"' in text
    assert "Duyệt các báo cáo đã chọn" in text and "Trả lại các báo cáo đã chọn" in text


def test_bulk_approve_acts_on_every_report_chosen(client, users, hoxa, neighbour):
    first = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    second = submitted(users["admin"], neighbour, Q1)
    chosen = [f"{first.pk}:{first.version}", f"{second.pk}:{second.version}"]
    login(client, users, "vinhlinh.duyet")
    assert act(client, {"action": "approve", "reports": chosen}) == ["Đã duyệt 2 báo cáo."]
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == Status.APPROVED
        assert report.transitions.get(to_status=Status.APPROVED).by == users["vinhlinh.duyet"]
    figures = Figure.objects.filter(unit__in=[hoxa, neighbour], period=Q1.id)
    assert set(figures.values_list("status", flat=True)) == {Status.APPROVED}


def test_bulk_return_needs_a_reason_and_gives_it_to_each(client, users, hoxa, neighbour):
    first = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    second = submitted(users["admin"], neighbour, Q1)
    chosen = [f"{first.pk}:{first.version}", f"{second.pk}:{second.version}"]
    login(client, users, "vinhlinh.duyet")
    shown = act(client, {"action": "return", "reports": chosen, "reason": " "})
    assert shown == [str(REASON_REQUIRED)]
    statuses = Submission.objects.filter(pk__in=[first.pk, second.pk]).values_list("status")
    assert set(statuses) == {(Status.SUBMITTED,)}
    reason = "Thiếu nguồn số liệu."
    shown = act(client, {"action": "return", "reports": chosen, "reason": reason})
    assert shown == ["Đã trả lại 2 báo cáo."]
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == Status.RETURNED
        assert report.transitions.get(to_status=Status.RETURNED).reason == reason


def test_bulk_is_all_or_nothing_and_names_the_report_refused(client, users, hoxa, neighbour):
    first = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    second = submitted(users["admin"], neighbour, Q1)
    chosen = [f"{first.pk}:{first.version}", f"{second.pk}:{second.version}"]
    # Someone approved the second meanwhile (another tab, another reviewer).
    submission_act(user=users["admin"], submission=second, action="approve")
    login(client, users, "vinhlinh.duyet")
    (message,) = act(client, {"action": "approve", "reports": chosen})
    assert "Chưa thực hiện thao tác nào" in message
    assert f"{neighbour.name} — {Q1.id}" in message and "«Đã duyệt»" in message
    first.refresh_from_db()
    assert first.status == Status.SUBMITTED
    assert not first.transitions.filter(to_status=Status.APPROVED).exists()


def test_a_report_sent_again_since_the_inbox_was_opened_is_not_approved_unseen(users, hoxa):
    official, reviewer = users["hoxa.nhaplieu"], users["vinhlinh.duyet"]
    report = submitted(official, hoxa, Q1)
    seen = report.version
    submission_act(user=reviewer, submission=report, action="return", reason="Sửa")
    entry_save(
        user=official,
        unit=hoxa,
        agency=None,
        period=Q1,
        values=values(hoxa, Q1, HR_IT_STAFF="99"),
        version=Submission.objects.get(pk=report.pk).version,
        submit=True,
    )
    with pytest.raises(BulkRefused, match="thay đổi sau khi bạn mở trang"):
        submissions_act(user=reviewer, versions={report.pk: seen}, action="approve")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_reviewer_of_another_unit_cannot_act(client, users, hoxa):
    report = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    data = {"action": "approve", "reports": f"{report.pk}:{report.version}"}
    for username in ("quangtri.duyet", "hoxa.nhaplieu", "quangtri.bcd"):
        (message,) = act(login(client, users, username), data)
        assert "không có quyền" in message, username
        # Only those who may read the report see its unit's name in the refusal.
        assert (hoxa.name in message) is (username != "quangtri.duyet"), username
        report.refresh_from_db()
        assert report.status == Status.SUBMITTED
        assert not report.transitions.filter(to_status=Status.APPROVED).exists()


def test_one_rows_form_returns_one_report(client, users, hoxa, neighbour):
    first = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    second = submitted(users["admin"], neighbour, Q1)
    login(client, users, "vinhlinh.duyet")
    data = {"action": "return", "reports": f"{first.pk}:{first.version}", "reason": "Thiếu nguồn"}
    assert act(client, data) == ["Đã trả lại 1 báo cáo."]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.RETURNED, Status.SUBMITTED)


def test_the_inbox_action_is_post_only_and_for_signed_in_users(client, users, hoxa):
    report = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    data = {"action": "approve", "reports": f"{report.pk}:{report.version}"}
    response = client.post("/entry/review/act/", data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    login(client, users, "vinhlinh.duyet")
    assert client.get("/entry/review/act/").status_code == 405
    assert act(client, {"action": "approve"}) == ["Chưa chọn báo cáo nào."]
    unreadable = {"action": "approve", "reports": "x:1"}
    assert act(client, unreadable) == ["Không đọc được danh sách báo cáo đã chọn."]
    reopen = {"action": "reopen", "reports": f"{report.pk}:0"}
    assert act(client, reopen) == ["Thao tác không hợp lệ."]
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_an_unknown_action_is_refused_by_the_service(users):
    with pytest.raises(WorkflowError, match="Thao tác không hợp lệ"):
        submissions_act(user=users["vinhlinh.duyet"], versions={1: 0}, action="reopen")


@pytest.mark.parametrize(
    "chosen",
    [
        "²:1",  # a digit to str.isdigit, not to int()
        "1:²",
        "99999999999999999999999:1",  # more than an id holds (SQLite, PostgreSQL: an error)
    ],
)
def test_an_unreadable_choice_is_said_not_a_server_error(client, users, hoxa, chosen):
    report = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    login(client, users, "vinhlinh.duyet")
    assert act(client, {"action": "approve", "reports": chosen}) == [
        "Không đọc được danh sách báo cáo đã chọn."
    ]
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_an_unreadable_version_on_the_report_page_is_no_server_error(client, users, hoxa):
    report = submitted(users["hoxa.nhaplieu"], hoxa, Q1)
    login(client, users, "vinhlinh.duyet")
    response = client.post(f"/entry/reports/{report.pk}/", {"action": "approve", "version": "²"})
    assert response.status_code in (200, 302)
