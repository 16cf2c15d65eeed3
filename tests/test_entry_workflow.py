"""Entering a quarter's figures and taking the report through review, on the services
(entry.services, entry.selectors), without HTTP, on the real units and indicators."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from accounts.models import Membership
from accounts.services import demo_users_create
from entry import selectors
from entry.models import ReportingDeadline, ReportingRequirement
from entry.requirements import required_codes
from entry.services import (
    EntryConflict,
    EntryValue,
    MissingRequired,
    WorkflowError,
    applicable_indicators,
    entry_save,
    fingerprint,
    missing_indicators,
    review_inbox,
    reviewed_by,
    submission_act,
)
from indicators.analytics import rollup_value
from indicators.models import Figure, Indicator, Submission, Transition
from indicators.periods import Period, parse_period
from indicators.reports import report_figures, submission_get
from indicators.writes.reports import ReportLocked
from plans.models import Plan
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
NEW = datetime.date(2025, 7, 1)
Q1 = parse_period("2025Q1")
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = "Văn phòng HĐND và UBND huyện Vĩnh Linh"
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
def vinh_linh() -> Unit:
    return Unit.objects.in_force(OLD).get(code="464")


@pytest.fixture
def ben_quan() -> Unit:
    return Unit.objects.in_force(OLD).get(code="19366")


def member(username: str, unit: Unit, agency: Agency | None = None, **roles):
    user = get_user_model().objects.create_user(username, password="x")
    Membership.objects.create(user=user, unit=unit, agency=agency, **roles)
    return user


def complete_values(unit: Unit, agency: Agency | None, period: Period) -> dict[str, EntryValue]:
    """A valid value for every indicator the unit reports: yes, 1/1, or 2."""
    values = {}
    for indicator in applicable_indicators(unit, agency, period):
        if indicator.value_type == Indicator.ValueType.BOOLEAN:
            values[indicator.code] = EntryValue(value="1")
        elif indicator.value_type == Indicator.ValueType.RATIO:
            values[indicator.code] = EntryValue(numerator="1", denominator="1")
        else:
            values[indicator.code] = EntryValue(value="2")
    return values


def save(user, unit, values, *, period=Q1, agency=None, submit=False, **extra):
    """entry_save from a form opened just now (the report's current version)."""
    submission = submission_get(unit, agency, period)
    return entry_save(
        user=user,
        unit=unit,
        agency=agency,
        period=period,
        values=values,
        version=submission.version if submission else 0,
        submit=submit,
        **extra,
    )


def figures(submission: Submission) -> dict[str, Figure]:
    return {f.indicator.code: f for f in report_figures(submission).select_related("indicator")}


def steps(submission: Submission) -> list[tuple]:
    return [
        (t.by.username, t.from_status, t.to_status, t.reason)
        for t in Transition.objects.filter(submission=submission).select_related("by")
    ]


@pytest.fixture
def submitted(users, hoxa) -> Submission:
    """Hồ Xá's complete 2025Q1 report, submitted by hoxa.nhaplieu."""
    result = save(users["hoxa.nhaplieu"], hoxa, complete_values(hoxa, None, Q1), submit=True)
    assert result.submitted
    return result.submission


# --- saving a draft -------------------------------------------------------------------------


def test_valid_values_are_saved_as_draft_and_invalid_ones_reported_in_vietnamese(users, hoxa):
    result = save(
        users["hoxa.nhaplieu"],
        hoxa,
        {
            "INF_LAN": EntryValue(value="1"),
            "FIN_IT_BUDGET": EntryValue(value="12,5"),  # decimal comma: 12.5
            "HR_IT_STAFF": EntryValue(value="3"),
            "INF_PC_EQUIPPED": EntryValue(numerator="5", denominator="3"),
            "HR_IT_TRAINED": EntryValue(value="12,5"),  # a count must be whole
            "INF_BROADBAND": EntryValue(value="2"),
            "SEC_INCIDENTS": EntryValue(value="nhiều"),
            "HR_PROFICIENT": EntryValue(numerator="4"),
            "FIN_IT_INVEST": EntryValue(value="-1"),
        },
    )
    assert result.errors == {
        "INF_PC_EQUIPPED": {"numerator": ["Tử số (5) lớn hơn mẫu số (3)."]},
        "HR_IT_TRAINED": {"value": ["Số lượng phải là số nguyên."]},
        "INF_BROADBAND": {"value": ["Chỉ tiêu có/không chỉ nhận giá trị có (1) hoặc không (0)."]},
        "SEC_INCIDENTS": {"value": ["«nhiều» không phải là số."]},
        "HR_PROFICIENT": {"denominator": ["Cần nhập cả tử số và mẫu số."]},
        "FIN_IT_INVEST": {"value": ["Giá trị không được âm."]},
    }
    assert result.saved == 3
    assert not result.submitted
    submission = result.submission
    assert (submission.status, submission.version) == (Status.DRAFT, 1)
    saved = figures(submission)
    assert {code: f.value for code, f in saved.items()} == {
        "INF_LAN": Decimal(1),
        "FIN_IT_BUDGET": Decimal("12.5"),
        "HR_IT_STAFF": Decimal(3),
    }
    assert {f.status for f in saved.values()} == {Status.DRAFT}
    assert {f.entered_by for f in saved.values()} == {users["hoxa.nhaplieu"]}
    # What was not given (or not valid) is still missing.
    applicable = [i.code for i in applicable_indicators(hoxa, None, Q1)]
    assert result.missing == [c for c in applicable if c not in saved and c not in result.errors]


def test_a_ratio_is_stored_as_its_percentage_with_its_fraction(users, hoxa):
    result = save(
        users["hoxa.nhaplieu"],
        hoxa,
        {"INF_PC_EQUIPPED": EntryValue(numerator="3", denominator="4")},
    )
    figure = figures(result.submission)["INF_PC_EQUIPPED"]
    assert (figure.value, figure.numerator, figure.denominator) == (75, 3, 4)


def test_each_save_is_kept_in_the_figure_history_with_its_user(users, hoxa):
    official = users["hoxa.nhaplieu"]
    first = save(official, hoxa, {"INF_LAN": EntryValue(value="1")})
    figure = figures(first.submission)["INF_LAN"]
    second = save(official, hoxa, {"INF_LAN": EntryValue(value="0", note="Mạng LAN hỏng")})
    assert second.saved == 1
    records = list(figure.history.order_by("history_id"))
    assert [(r.history_type, r.value, r.note) for r in records] == [
        ("+", 1, ""),
        ("~", 0, "Mạng LAN hỏng"),
    ]
    assert {r.history_user for r in records} == {official}
    # An unchanged value writes nothing.
    third = save(official, hoxa, {"INF_LAN": EntryValue(value="0", note="Mạng LAN hỏng")})
    assert third.saved == 0
    assert figure.history.count() == 2


def test_a_cleared_value_on_a_draft_removes_the_figure(users, hoxa):
    official = users["hoxa.nhaplieu"]
    first = save(official, hoxa, {"INF_LAN": EntryValue(value="1"), "HR_IT_STAFF": EntryValue("2")})
    lan = figures(first.submission)["INF_LAN"]
    result = save(official, hoxa, {"HR_IT_STAFF": EntryValue(value="2"), "INF_LAN": EntryValue()})
    assert (result.saved, result.cleared) == (0, 1)
    assert set(figures(result.submission)) == {"HR_IT_STAFF"}
    assert not Figure.objects.filter(pk=lan.pk).exists()
    deleted = lan.history.order_by("history_id").last()
    assert (deleted.history_type, deleted.history_user) == ("-", official)
    assert "INF_LAN" in result.missing


# --- submitting -----------------------------------------------------------------------------


def test_submit_is_refused_while_required_indicators_are_missing(users, hoxa):
    values = complete_values(hoxa, None, Q1)
    # Required by default (a plan sets targets for them); INF_LAN is optional.
    del values["WEB_PORTAL"], values["APP_WORK_ONLINE"], values["INF_LAN"]
    result = save(users["hoxa.nhaplieu"], hoxa, values, submit=True)
    assert not result.submitted
    # In the order of applicable_indicators (pillar code, position).
    assert result.missing_required == ["WEB_PORTAL", "APP_WORK_ONLINE"]
    assert "INF_LAN" in result.missing
    assert result.errors == {}
    submission = Submission.objects.get(pk=result.submission.pk)
    assert submission.status == Status.DRAFT
    assert submission.submitted_at is None
    assert not submission.transitions.exists()
    # The values given are kept as a draft.
    assert len(figures(submission)) == len(values)
    assert {f.status for f in figures(submission).values()} == {Status.DRAFT}
    assert missing_indicators(submission) == ["APP_WORK_ONLINE", "WEB_PORTAL"]
    # Submitting the draft as it stands is refused too, saying what is missing by pillar.
    with pytest.raises(MissingRequired) as refused:
        submission_act(user=users["hoxa.nhaplieu"], submission=submission, action="submit")
    assert [(g.pillar, [i.code for i in g.indicators]) for g in refused.value.groups] == [
        ("internal_apps", ["APP_WORK_ONLINE"]),
        ("information", ["WEB_PORTAL"]),
    ]
    assert "còn thiếu 2 chỉ tiêu bắt buộc" in str(refused.value)


def test_submit_is_accepted_with_only_the_required_indicators(users, hoxa):
    period_indicators = applicable_indicators(hoxa, None, Q1)
    required = required_codes(hoxa, None, Q1, period_indicators)
    assert 0 < len(required) < len(period_indicators)
    values = {c: v for c, v in complete_values(hoxa, None, Q1).items() if c in required}
    result = save(users["hoxa.nhaplieu"], hoxa, values, submit=True)
    assert result.submitted, (result.errors, result.missing_required)
    assert len(result.missing) == len(period_indicators) - len(required)


def test_the_administrator_decides_what_is_required(users, hoxa):
    # Named for communes: only these; the plans' default no longer applies to them.
    inf_lan = Indicator.objects.get(code="INF_LAN")
    ReportingRequirement.objects.create(indicator=inf_lan, reporter="commune")
    period_indicators = applicable_indicators(hoxa, None, Q1)
    assert required_codes(hoxa, None, Q1, period_indicators) == {"INF_LAN"}
    result = save(users["hoxa.nhaplieu"], hoxa, {"HR_IT_STAFF": EntryValue("2")}, submit=True)
    assert result.missing_required == ["INF_LAN"]
    # A plan's requirement holds in the plan's years only.
    plan = Plan.objects.filter(issuing_unit__isnull=True).order_by("year_from").first()
    staff = Indicator.objects.get(code="HR_IT_STAFF")
    ReportingRequirement.objects.create(indicator=staff, reporter="commune", plan=plan)
    inside = parse_period(f"{plan.year_from}Q1")
    outside = parse_period(f"{plan.year_to + 1}Q1")
    assert "HR_IT_STAFF" in required_codes(
        hoxa, None, inside, applicable_indicators(hoxa, None, inside)
    )
    assert "HR_IT_STAFF" not in required_codes(
        hoxa, None, outside, applicable_indicators(hoxa, None, outside)
    )


def test_submit_is_refused_while_a_value_is_invalid(users, hoxa):
    values = complete_values(hoxa, None, Q1)
    values["INF_PC_EQUIPPED"] = EntryValue(numerator="2", denominator="1")
    result = save(users["hoxa.nhaplieu"], hoxa, values, submit=True)
    assert not result.submitted
    assert result.missing == []
    assert result.errors == {"INF_PC_EQUIPPED": {"numerator": ["Tử số (2) lớn hơn mẫu số (1)."]}}
    assert result.submission.status == Status.DRAFT


def test_submit_is_accepted_when_complete(users, hoxa):
    official = users["hoxa.nhaplieu"]
    values = complete_values(hoxa, None, Q1)
    result = save(official, hoxa, values, submit=True)
    assert result.submitted
    assert (result.errors, result.missing) == ({}, [])
    assert result.saved == len(values) == len(applicable_indicators(hoxa, None, Q1))
    submission = Submission.objects.get(pk=result.submission.pk)
    assert submission.status == Status.SUBMITTED
    assert submission.submitted_at is not None
    assert (submission.period_start, submission.period_end) == (Q1.start, Q1.end)
    saved = figures(submission)
    assert set(saved) == set(values)
    assert {f.status for f in saved.values()} == {Status.SUBMITTED}
    assert steps(submission) == [("hoxa.nhaplieu", "draft", "submitted", "")]
    assert list(review_inbox(users["vinhlinh.duyet"])) == [submission]
    assert not review_inbox(users["quangtri.duyet"]).exists()


def test_every_step_is_recorded_with_who_from_to_and_why(users, hoxa, submitted):
    official, reviewer = users["hoxa.nhaplieu"], users["vinhlinh.duyet"]
    submission_act(user=reviewer, submission=submitted, action="return", reason="Thiếu nguồn")
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert {f.status for f in figures(submitted).values()} == {Status.RETURNED}
    assert not review_inbox(reviewer).exists()
    # A returned report is edited again and resubmitted.
    values = complete_values(hoxa, None, Q1) | {"HR_IT_STAFF": EntryValue(value="4")}
    assert save(official, hoxa, values, submit=True).submitted
    submission_act(user=reviewer, submission=submitted, action="approve")
    submission_act(user=reviewer, submission=submitted, action="reopen", reason="Sai số liệu  ")
    assert steps(submitted) == [
        ("hoxa.nhaplieu", "draft", "submitted", ""),
        ("vinhlinh.duyet", "submitted", "returned", "Thiếu nguồn"),
        ("hoxa.nhaplieu", "returned", "submitted", ""),
        ("vinhlinh.duyet", "submitted", "approved", ""),
        ("vinhlinh.duyet", "approved", "returned", "Sai số liệu"),
    ]
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert figures(submitted)["HR_IT_STAFF"].value == 4
    assert {s.status for s in reviewed_by(reviewer)} == {Status.RETURNED}


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "unit_code"),
    [
        ("vinhlinh.nhaplieu", "19363"),  # another unit's official (the district above)
        ("hoxa.nhaplieu", "19366"),  # another commune's official
        ("quangtri.bcd", "19363"),  # the steering committee reads, never edits
        ("vinhlinh.duyet", "19363"),  # the reviewer does not enter
        ("xavinhlinh.nhaplieu", "19363"),  # the 2025 commune of the same code
    ],
)
def test_entry_is_refused_to_anyone_but_the_units_own_official(users, username, unit_code):
    unit = Unit.objects.in_force(OLD).get(code=unit_code)
    with pytest.raises(PermissionDenied):
        save(users[username], unit, complete_values(unit, None, Q1), submit=True)
    assert not Submission.objects.filter(unit=unit).exists()
    assert not Figure.objects.filter(unit=unit, period=Q1.id).exists()


def test_an_administrator_may_approve_any_report(users, submitted):
    submission_act(user=users["admin"], submission=submitted, action="approve")
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED


@pytest.mark.parametrize(
    "username",
    ["quangtri.bcd", "hoxa.nhaplieu", "vinhlinh.nhaplieu", "quangtri.duyet"],
)
@pytest.mark.parametrize("action", ["approve", "return"])
def test_only_the_reviewer_directly_above_approves_or_returns(users, submitted, username, action):
    with pytest.raises(PermissionDenied):
        submission_act(user=users[username], submission=submitted, action=action, reason="x")
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert len(steps(submitted)) == 1


@pytest.mark.parametrize("username", ["quangtri.bcd", "hoxa.nhaplieu", "quangtri.duyet"])
def test_only_the_reviewer_directly_above_reopens(users, submitted, username):
    submission_act(user=users["vinhlinh.duyet"], submission=submitted, action="approve")
    with pytest.raises(PermissionDenied):
        submission_act(user=users[username], submission=submitted, action="reopen", reason="x")
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED


def test_the_reviewer_of_a_district_does_not_review_its_own_report(users, vinh_linh):
    result = save(
        users["vinhlinh.nhaplieu"], vinh_linh, complete_values(vinh_linh, None, Q1), submit=True
    )
    assert result.submitted
    with pytest.raises(PermissionDenied):
        submission_act(user=users["vinhlinh.duyet"], submission=result.submission, action="approve")
    assert not review_inbox(users["vinhlinh.duyet"]).exists()


@pytest.mark.parametrize("action", ["return", "reopen"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_return_and_reopen_need_a_reason(users, submitted, action, reason):
    reviewer = users["vinhlinh.duyet"]
    if action == "reopen":
        submission_act(user=reviewer, submission=submitted, action="approve")
    before = submitted.transitions.count()
    with pytest.raises(WorkflowError, match="Cần ghi lý do"):
        submission_act(user=reviewer, submission=submitted, action=action, reason=reason)
    assert submitted.transitions.count() == before


# (the report's status, an action it does not allow, who tries)
WRONG_STATE = [
    ("draft", "approve", "vinhlinh.duyet"),
    ("draft", "return", "vinhlinh.duyet"),
    ("draft", "reopen", "vinhlinh.duyet"),
    ("submitted", "submit", "hoxa.nhaplieu"),
    ("submitted", "reopen", "vinhlinh.duyet"),
    ("approved", "approve", "vinhlinh.duyet"),
    ("approved", "return", "vinhlinh.duyet"),
    ("approved", "submit", "hoxa.nhaplieu"),
    ("returned", "approve", "vinhlinh.duyet"),
    ("returned", "return", "vinhlinh.duyet"),
    ("returned", "reopen", "vinhlinh.duyet"),
]


def report_in(status: str, users, hoxa) -> Submission:
    official, reviewer = users["hoxa.nhaplieu"], users["vinhlinh.duyet"]
    result = save(official, hoxa, complete_values(hoxa, None, Q1), submit=status != "draft")
    submission = result.submission
    if status == "approved":
        submission_act(user=reviewer, submission=submission, action="approve")
    elif status == "returned":
        submission_act(user=reviewer, submission=submission, action="return", reason="Xem lại")
    submission.refresh_from_db()
    assert submission.status == status
    return submission


@pytest.mark.parametrize(("status", "action", "username"), WRONG_STATE)
def test_an_action_the_status_does_not_allow_is_a_workflow_error(
    users, hoxa, status, action, username
):
    submission = report_in(status, users, hoxa)
    before = submission.transitions.count()
    with pytest.raises(WorkflowError, match=f"đang ở trạng thái «{Status(status).label}»"):
        submission_act(user=users[username], submission=submission, action=action, reason="x")
    submission.refresh_from_db()
    assert submission.status == status
    assert submission.transitions.count() == before


def test_an_unknown_action_is_a_workflow_error(users, submitted):
    with pytest.raises(WorkflowError, match="Thao tác không hợp lệ"):
        submission_act(user=users["vinhlinh.duyet"], submission=submitted, action="delete")


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_submitted_or_approved_report_is_locked(users, hoxa, status):
    submission = report_in(status, users, hoxa)
    before = {code: fingerprint(f) for code, f in figures(submission).items()}
    with pytest.raises(ReportLocked, match=f"«{Status(status).label}»"):
        save(users["hoxa.nhaplieu"], hoxa, {"INF_LAN": EntryValue(value="0")})
    assert {code: fingerprint(f) for code, f in figures(submission).items()} == before


# --- approved figures count -----------------------------------------------------------------


def test_approved_figures_count_in_the_rollup_and_others_do_not(users, hoxa, vinh_linh, submitted):
    lan = Indicator.objects.get(code="INF_LAN")

    def communes():
        return rollup_value(lan, vinh_linh, Q1, "communes")

    before = communes()
    assert (before.covered, before.expected, before.value) == (0, 18, None)
    submission_act(user=users["vinhlinh.duyet"], submission=submitted, action="approve")
    assert {f.status for f in figures(submitted).values()} == {Status.APPROVED}
    after = communes()
    assert (after.covered, after.expected, after.value) == (1, 18, 100)
    assert after.origin == "computed"
    # Hồ Xá's own answer is an approved "yes" too.
    own = rollup_value(lan, hoxa, Q1)
    assert (own.value, own.is_answer, own.origin) == (1, True, "reported")
    # Reopened, it no longer counts.
    submission_act(
        user=users["vinhlinh.duyet"], submission=submitted, action="reopen", reason="Kiểm tra lại"
    )
    assert communes().covered == 0


# --- two forms at once ----------------------------------------------------------------------


def test_a_save_from_an_outdated_form_is_a_conflict_naming_what_changed(users, hoxa):
    first_official = users["hoxa.nhaplieu"]
    second_official = member("hoxa.nhaplieu2", hoxa, is_data_entry=True)
    shown = {
        "INF_LAN": EntryValue(value="1"),
        "HR_IT_STAFF": EntryValue(value="2"),
        "SEC_INCIDENTS": EntryValue(value="0"),
    }
    start = save(first_official, hoxa, shown)
    # Both open the form at this version, showing these values.
    version = start.submission.version
    current = figures(start.submission)
    opened = {
        i.code: fingerprint(current.get(i.code)) for i in applicable_indicators(hoxa, None, Q1)
    }
    assert (opened["INF_LAN"], opened["INF_BROADBAND"]) == ("1||", "")

    def form(**changes):
        return shown | changes

    first = entry_save(
        user=first_official,
        unit=hoxa,
        agency=None,
        period=Q1,
        version=version,
        opened=opened,
        values=form(
            INF_LAN=EntryValue(value="0"),  # changed
            FIN_IT_BUDGET=EntryValue(value="1500000"),  # added
            SEC_INCIDENTS=EntryValue(),  # cleared
        ),
    )
    assert (first.saved, first.cleared) == (2, 1)
    after_first = {code: fingerprint(f) for code, f in figures(first.submission).items()}

    with pytest.raises(EntryConflict) as conflict:
        entry_save(
            user=second_official,
            unit=hoxa,
            agency=None,
            period=Q1,
            version=version,
            opened=opened,
            values=form(INF_BROADBAND=EntryValue(value="1"), HR_IT_STAFF=EntryValue(value="5")),
        )
    changed = conflict.value.changed
    assert set(changed) == {"INF_LAN", "FIN_IT_BUDGET", "SEC_INCIDENTS"}
    assert changed["INF_LAN"].value == 0
    assert changed["FIN_IT_BUDGET"].value == 1500000
    assert changed["SEC_INCIDENTS"] is None  # now empty
    # Nothing of the second form was written.
    submission = Submission.objects.get(pk=first.submission.pk)
    assert submission.version == version + 1
    assert {code: fingerprint(f) for code, f in figures(submission).items()} == after_first
    assert not Figure.history.filter(history_user=second_official).exists()


def test_a_form_saved_again_from_its_new_version_is_no_conflict(users, hoxa):
    official = users["hoxa.nhaplieu"]
    first = save(official, hoxa, {"INF_LAN": EntryValue(value="1")})
    second = entry_save(
        user=official,
        unit=hoxa,
        agency=None,
        period=Q1,
        values={"INF_LAN": EntryValue(value="0")},
        version=first.submission.version,
    )
    assert second.saved == 1
    assert second.submission.version == first.submission.version + 1


# --- what is due, and who has reported ------------------------------------------------------


def test_entry_list_of_a_2024_commune_ends_with_its_last_quarter(users, hoxa):
    official = users["hoxa.nhaplieu"]
    q4 = parse_period("2024Q4")
    q3 = parse_period("2024Q3")
    late = save(official, hoxa, complete_values(hoxa, None, q4), period=q4, submit=True)
    on_time = save(official, hoxa, complete_values(hoxa, None, q3), period=q3, submit=True)
    # Due 15 days after the quarter: 2024Q4 on 2025-01-15, 2024Q3 on 2024-10-15.
    Submission.objects.filter(pk=late.submission.pk).update(
        submitted_at=datetime.datetime(2025, 1, 20, 10, tzinfo=LOCAL)
    )
    Submission.objects.filter(pk=on_time.submission.pk).update(
        submitted_at=datetime.datetime(2024, 10, 10, 10, tzinfo=LOCAL)
    )
    save(official, hoxa, {"INF_LAN": EntryValue(value="1")}, period=parse_period("2024Q2"))
    # An administrator gave 2025Q2 until the end of January.
    ReportingDeadline.objects.create(period="2025Q2", due_on=datetime.date(2026, 1, 31))

    rows = selectors.entry_list(official, datetime.date(2026, 1, 15))

    assert [r.period.id for r in rows] == [
        "2025Q2",
        "2025Q1",
        "2024Q4",
        "2024Q3",
        "2024Q2",
        "2024Q1",
        "2023Q4",
        "2023Q3",
    ]
    assert {(r.unit, r.agency) for r in rows} == {(hoxa, None)}
    table = {r.period.id: (r.due_on.isoformat(), r.status, r.is_overdue, r.is_late) for r in rows}
    assert table["2025Q2"] == ("2026-01-31", "none", False, False)  # the override
    assert table["2025Q1"] == ("2025-04-15", "none", True, False)
    assert table["2024Q4"] == ("2025-01-15", "submitted", False, True)
    assert table["2024Q3"] == ("2024-10-15", "submitted", False, False)
    assert table["2024Q2"] == ("2024-07-15", "draft", True, False)


def test_entry_list_before_the_due_date_and_for_a_2025_commune(users):
    # Today 2025-04-10: 2025Q2 is current and 2025Q1 not yet due.
    rows = selectors.entry_list(users["hoxa.nhaplieu"], datetime.date(2025, 4, 10))
    assert [r.period.id for r in rows][:2] == ["2025Q2", "2025Q1"]
    assert not any(r.is_overdue for r in rows[:2])
    assert all(r.is_overdue for r in rows[2:])
    # Xã Vĩnh Linh exists from 2025-07-01: it reports from 2025Q3 on.
    rows = selectors.entry_list(users["xavinhlinh.nhaplieu"], datetime.date(2026, 1, 15))
    assert [r.period.id for r in rows] == ["2026Q1", "2025Q4", "2025Q3"]
    assert rows[0].unit == Unit.objects.in_force(NEW).get(code="19363")


@pytest.mark.parametrize("username", ["vinhlinh.duyet", "quangtri.bcd", "admin"])
def test_entry_list_is_empty_for_who_does_not_enter(users, username):
    assert selectors.entry_list(users[username], datetime.date(2025, 4, 10)) == []


def test_a_report_sent_the_night_after_its_due_date_is_late(users, hoxa):
    q4 = parse_period("2024Q4")  # due 2025-01-15
    result = save(
        users["hoxa.nhaplieu"], hoxa, complete_values(hoxa, None, q4), period=q4, submit=True
    )
    Submission.objects.filter(pk=result.submission.pk).update(
        submitted_at=datetime.datetime(2025, 1, 16, 1, 30, tzinfo=LOCAL)  # 15/01 18:30 UTC
    )
    rows = selectors.entry_list(users["hoxa.nhaplieu"], datetime.date(2025, 2, 1))
    row = next(r for r in rows if r.period.id == "2024Q4")
    assert row.is_late


def test_completeness_of_a_district_lists_its_agencies_and_its_communes(
    users, hoxa, ben_quan, vinh_linh
):
    office = Agency.objects.get(unit=vinh_linh, name=OFFICE)
    office_official = member("vanphong.vinhlinh", vinh_linh, office, is_data_entry=True)
    reviewer = users["vinhlinh.duyet"]
    # The agency reports what agencies of its kind report, and the district approves it.
    result = save(
        office_official,
        vinh_linh,
        complete_values(vinh_linh, office, Q1),
        agency=office,
        submit=True,
    )
    assert result.submitted
    assert result.submission.agency == office
    assert list(review_inbox(reviewer)) == [result.submission]
    submission_act(user=reviewer, submission=result.submission, action="approve")
    # Hồ Xá submitted; Bến Quan has a draft.
    save(users["hoxa.nhaplieu"], hoxa, complete_values(hoxa, None, Q1), submit=True)
    save(
        member("benquan.nhaplieu", ben_quan, is_data_entry=True),
        ben_quan,
        {"INF_LAN": EntryValue("1")},
    )

    rows = selectors.completeness(vinh_linh, Q1, datetime.date(2025, 5, 1))

    communes = list(Unit.objects.filter(parent=vinh_linh).order_by("code"))
    assert len(communes) == 18
    assert [(r.unit, r.agency) for r in rows] == [
        (vinh_linh, office),  # kind "office" sorts before "peoples_committee"
        (vinh_linh, Agency.objects.get(unit=vinh_linh, kind="peoples_committee")),
        *[(c, None) for c in communes],
    ]
    status = {r.name: (r.status, r.is_overdue) for r in rows}
    assert status[OFFICE] == ("approved", False)
    assert status["Ủy ban nhân dân huyện Vĩnh Linh"] == ("none", True)
    assert status["Thị trấn Hồ Xá"] == ("submitted", False)
    assert status["Thị trấn Bến Quan"] == ("draft", True)
    assert status["Xã Vĩnh Ô"] == ("none", True)
    assert {r.due_on for r in rows} == {datetime.date(2025, 4, 15)}
    assert sum(r.status == "none" for r in rows) == 1 + 16


@pytest.mark.parametrize(
    ("username", "code", "on", "period_id"),
    [
        ("hoxa.nhaplieu", "19363", OLD, "2025Q3"),  # Hồ Xá was abolished on 2025-06-30
        ("xavinhlinh.nhaplieu", "19363", NEW, "2025Q1"),  # Xã Vĩnh Linh exists from 2025-07-01
    ],
)
def test_entry_is_refused_for_a_period_the_unit_did_not_exist_in(
    users, username, code, on, period_id
):
    unit = Unit.objects.in_force(on).get(code=code)
    period = parse_period(period_id)
    with pytest.raises(PermissionDenied, match=f"không tồn tại trong kỳ {period_id}"):
        save(users[username], unit, complete_values(unit, None, period), period=period, submit=True)
    assert not Submission.objects.filter(unit=unit, period=period_id).exists()
    assert not Figure.objects.filter(unit=unit, period=period_id).exists()
