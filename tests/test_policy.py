"""accounts.policy on the demo users and the real units: who reads, enters and reviews what.

Each table below is one permission, one row per user, one column per unit (or report);
"x" allows, "." refuses. The list queries (unit_subtree_q, reviewable_q) must agree with
the per-object checks on the same tables.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts import policy
from accounts.models import Membership
from accounts.services import demo_users_create
from indicators.models import Submission
from indicators.periods import parse_period
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)  # the three-tier structure
NEW = datetime.date(2025, 7, 1)  # the two-tier structure

# key → (GSO code, a day it was in force)
UNITS = {
    "QT45": ("45", OLD),  # Tỉnh Quảng Trị (old): quangtri.bcd
    "VL": ("464", OLD),  # Huyện Vĩnh Linh: vinhlinh.nhaplieu, vinhlinh.duyet
    "HX": ("19363", OLD),  # Thị trấn Hồ Xá, under Vĩnh Linh: hoxa.nhaplieu
    "BQ": ("19366", OLD),  # Thị trấn Bến Quan, another Vĩnh Linh commune
    "GL": ("466", OLD),  # Huyện Gio Linh, another district of Quảng Trị
    "GLX": ("19495", OLD),  # Thị trấn Gio Linh, a commune of Gio Linh
    "QB": ("44", OLD),  # Tỉnh Quảng Bình: code 44 until 2025-06-30
    "HNX": ("00004", OLD),  # Phường Trúc Bạch, Hà Nội: another province
    "QT44": ("44", NEW),  # Tỉnh Quảng Trị (new): quangtri.duyet, quangtri2025.bcd
    "XVL": ("19363", NEW),  # Xã Vĩnh Linh: xavinhlinh.nhaplieu
    "X25": ("18880", NEW),  # Phường Đồng Hới, another commune of the new Quảng Trị
}
UNIT_KEYS = tuple(UNITS)

OFFICE = "Văn phòng HĐND và UBND huyện Vĩnh Linh"
VL_COMMITTEE = "Ủy ban nhân dân huyện Vĩnh Linh"
QT_COMMITTEE = "Ủy ban nhân dân tỉnh Quảng Trị"

# key → (unit key, agency name or None, period)
SUBMISSIONS = {
    "HX": ("HX", None, "2025Q1"),
    "VL": ("VL", None, "2025Q1"),
    "BQ": ("BQ", None, "2025Q1"),
    "GLX": ("GLX", None, "2025Q1"),
    "OFFICE": ("VL", OFFICE, "2025Q1"),  # an agency of Huyện Vĩnh Linh
    "HNX": ("HNX", None, "2025Q1"),
    "XVL": ("XVL", None, "2025Q3"),
    "QT44A": ("QT44", QT_COMMITTEE, "2025Q3"),  # an agency of the new province
}
SUBMISSION_KEYS = tuple(SUBMISSIONS)

USERS = (
    "admin",
    "vinhlinh.nhaplieu",
    "vinhlinh.duyet",
    "hoxa.nhaplieu",
    "quangtri.bcd",
    "xavinhlinh.nhaplieu",
    "quangtri.duyet",
    "quangtri2025.bcd",
    "nomember",  # logged in, without a membership
    "anonymous",
)


def allowed(keys: tuple[str, ...], row: str) -> dict[str, bool]:
    """A table row ("x" allows, "." refuses; spaces ignored) as {column: allowed}."""
    marks = row.replace(" ", "")
    assert len(marks) == len(keys), f"row {row!r} has {len(marks)} marks for {len(keys)} columns"
    return {key: mark == "x" for key, mark in zip(keys, marks, strict=True)}


# fmt: off
# can_view_unit: a member reads their unit's subtree, in the structure they belong to.
VIEW_UNIT = {
    #                       QT45 VL HX BQ GL GLX QB HNX QT44 XVL X25
    "admin":               " x   x  x  x  x  x   x  x   x    x   x ",
    "vinhlinh.nhaplieu":   " .   x  x  x  .  .   .  .   .    .   . ",
    "vinhlinh.duyet":      " .   x  x  x  .  .   .  .   .    .   . ",
    "hoxa.nhaplieu":       " .   .  x  .  .  .   .  .   .    .   . ",
    "quangtri.bcd":        " x   x  x  x  x  x   .  .   .    .   . ",
    "xavinhlinh.nhaplieu": " .   .  .  .  .  .   .  .   .    x   . ",
    "quangtri.duyet":      " .   .  .  .  .  .   .  .   x    x   x ",
    "quangtri2025.bcd":    " .   .  .  .  .  .   .  .   x    x   x ",
    "nomember":            " .   .  .  .  .  .   .  .   .    .   . ",
    "anonymous":           " .   .  .  .  .  .   .  .   .    .   . ",
}

# can_enter(user, unit) for each unit, and (last column) for the agency OFFICE of Vĩnh Linh.
# Only a data-entry official, only for their own unit; nobody here belongs to an agency.
ENTER_KEYS = (*UNIT_KEYS, "OFFICE")
ENTER = {
    #                       QT45 VL HX BQ GL GLX QB HNX QT44 XVL X25 OFFICE
    "admin":               " x   x  x  x  x  x   x  x   x    x   x   x   ",
    "vinhlinh.nhaplieu":   " .   x  .  .  .  .   .  .   .    .   .   .   ",
    "vinhlinh.duyet":      " .   .  .  .  .  .   .  .   .    .   .   .   ",
    "hoxa.nhaplieu":       " .   .  x  .  .  .   .  .   .    .   .   .   ",
    "quangtri.bcd":        " .   .  .  .  .  .   .  .   .    .   .   .   ",
    "xavinhlinh.nhaplieu": " .   .  .  .  .  .   .  .   .    x   .   .   ",
    "quangtri.duyet":      " .   .  .  .  .  .   .  .   .    .   .   .   ",
    "quangtri2025.bcd":    " .   .  .  .  .  .   .  .   .    .   .   .   ",
    "nomember":            " .   .  .  .  .  .   .  .   .    .   .   .   ",
    "anonymous":           " .   .  .  .  .  .   .  .   .    .   .   .   ",
}

# can_review: a reviewer acts on the units directly below their unit and on its agencies;
# not on their own unit's report, not two levels down, not elsewhere.
REVIEW = {
    #                       HX VL BQ GLX OFFICE HNX XVL QT44A
    "admin":               " x  x  x  x   x      x   x   x   ",
    "vinhlinh.nhaplieu":   " .  .  .  .   .      .   .   .   ",
    "vinhlinh.duyet":      " x  .  x  .   x      .   .   .   ",
    "hoxa.nhaplieu":       " .  .  .  .   .      .   .   .   ",
    "quangtri.bcd":        " .  .  .  .   .      .   .   .   ",
    "xavinhlinh.nhaplieu": " .  .  .  .   .      .   .   .   ",
    "quangtri.duyet":      " .  .  .  .   .      .   x   x   ",
    "quangtri2025.bcd":    " .  .  .  .   .      .   .   .   ",
    "nomember":            " .  .  .  .   .      .   .   .   ",
    "anonymous":           " .  .  .  .   .      .   .   .   ",
}

# can_view_submission: its reporter, its reviewers, and whoever reads the unit's subtree.
VIEW_SUBMISSION = {
    #                       HX VL BQ GLX OFFICE HNX XVL QT44A
    "admin":               " x  x  x  x   x      x   x   x   ",
    "vinhlinh.nhaplieu":   " x  x  x  .   x      .   .   .   ",
    "vinhlinh.duyet":      " x  x  x  .   x      .   .   .   ",
    "hoxa.nhaplieu":       " x  .  .  .   .      .   .   .   ",
    "quangtri.bcd":        " x  x  x  x   x      .   .   .   ",
    "xavinhlinh.nhaplieu": " .  .  .  .   .      .   x   .   ",
    "quangtri.duyet":      " .  .  .  .   .      .   x   x   ",
    "quangtri2025.bcd":    " .  .  .  .   .      .   x   x   ",
    "nomember":            " .  .  .  .   .      .   .   .   ",
    "anonymous":           " .  .  .  .   .      .   .   .   ",
}
# fmt: on
# The report tables' columns, in the order of their header comments.
REVIEW_KEYS = SUBMISSION_KEYS


@pytest.fixture
def users(settings) -> dict:
    """The demo users (fast password hashing: these tests never log in), a user without a
    membership, and the anonymous user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    User = get_user_model()
    found = {u.username: u for u in User.objects.filter(username__in=USERS)}
    found["nomember"] = User.objects.create_user("nomember", password="x")
    found["anonymous"] = AnonymousUser()
    return found


@pytest.fixture
def units() -> dict[str, Unit]:
    return {key: Unit.objects.in_force(on).get(code=code) for key, (code, on) in UNITS.items()}


def agency(unit: Unit, name: str) -> Agency:
    return Agency.objects.get(unit=unit, name=name)


def build_submissions(units: dict[str, Unit]) -> dict[str, Submission]:
    """Unsaved reports, one per column of the report tables."""
    built = {}
    for key, (unit_key, agency_name, period_id) in SUBMISSIONS.items():
        unit = units[unit_key]
        period = parse_period(period_id)
        built[key] = Submission(
            unit=unit,
            agency=agency(unit, agency_name) if agency_name else None,
            period=period.id,
            period_start=period.start,
            period_end=period.end,
        )
    return built


@pytest.fixture
def submissions(units) -> dict[str, Submission]:
    return build_submissions(units)


def test_the_tables_cover_every_user_and_column():
    for table in (VIEW_UNIT, ENTER, REVIEW, VIEW_SUBMISSION):
        assert tuple(table) == USERS
    assert REVIEW_KEYS == ("HX", "VL", "BQ", "GLX", "OFFICE", "HNX", "XVL", "QT44A")


def test_the_demo_users_have_the_memberships_the_tables_assume(users, units):
    expected = {
        "admin": ("QT45", "administrator"),
        "vinhlinh.nhaplieu": ("VL", "data_entry"),
        "vinhlinh.duyet": ("VL", "reviewer"),
        "hoxa.nhaplieu": ("HX", "data_entry"),
        "quangtri.bcd": ("QT45", "steering"),
        "xavinhlinh.nhaplieu": ("XVL", "data_entry"),
        "quangtri.duyet": ("QT44", "reviewer"),
        "quangtri2025.bcd": ("QT44", "steering"),
    }
    for username, (unit_key, role) in expected.items():
        member = users[username].membership
        roles = [
            r
            for r in ("data_entry", "reviewer", "steering", "administrator")
            if getattr(member, f"is_{r}")
        ]
        assert (member.unit, member.agency, roles) == (units[unit_key], None, [role]), username
    assert users["admin"].is_superuser


@pytest.mark.parametrize("username", USERS)
def test_can_view_unit(users, units, username):
    user = users[username]
    actual = {key: policy.can_view_unit(user, unit) for key, unit in units.items()}
    assert actual == allowed(UNIT_KEYS, VIEW_UNIT[username])


@pytest.mark.parametrize("username", USERS)
def test_can_enter(users, units, username):
    user = users[username]
    actual = {key: policy.can_enter(user, unit) for key, unit in units.items()}
    actual["OFFICE"] = policy.can_enter(user, units["VL"], agency(units["VL"], OFFICE))
    assert actual == allowed(ENTER_KEYS, ENTER[username])


@pytest.mark.parametrize("username", USERS)
def test_can_review(users, submissions, username):
    user = users[username]
    actual = {key: policy.can_review(user, s) for key, s in submissions.items()}
    assert actual == allowed(REVIEW_KEYS, REVIEW[username])


@pytest.mark.parametrize("username", USERS)
def test_can_view_submission(users, submissions, username):
    user = users[username]
    actual = {key: policy.can_view_submission(user, s) for key, s in submissions.items()}
    assert actual == allowed(REVIEW_KEYS, VIEW_SUBMISSION[username])


@pytest.mark.parametrize("username", USERS)
def test_reviewable_q_lists_exactly_what_can_review_allows(users, submissions, username):
    saved = {}
    for key, submission in submissions.items():
        submission.save()
        saved[submission.pk] = key
    listed = Submission.objects.filter(policy.reviewable_q(users[username]))
    actual = {key: False for key in REVIEW_KEYS} | {saved[s.pk]: True for s in listed}
    assert actual == allowed(REVIEW_KEYS, REVIEW[username])


@pytest.mark.parametrize("username", USERS)
def test_unit_subtree_q_through_a_relation_agrees_with_can_view(users, submissions, username):
    """Reports listed through unit_subtree_q(user, "unit__") are those the user may open."""
    saved = {}
    for key, submission in submissions.items():
        submission.save()
        saved[submission.pk] = key
    listed = Submission.objects.filter(policy.unit_subtree_q(users[username], "unit__"))
    actual = {key: False for key in REVIEW_KEYS} | {saved[s.pk]: True for s in listed}
    assert actual == allowed(REVIEW_KEYS, VIEW_SUBMISSION[username])


def subtree(user) -> set[Unit]:
    return set(Unit.objects.filter(policy.unit_subtree_q(user)))


def test_unit_subtree_q_of_a_district_is_the_district_and_its_communes(users, units):
    vinh_linh = units["VL"]
    communes = set(Unit.objects.filter(parent=vinh_linh))
    assert len(communes) == 18
    assert all(c.level == Unit.Level.COMMUNE for c in communes)
    for username in ("vinhlinh.duyet", "vinhlinh.nhaplieu"):
        assert subtree(users[username]) == {vinh_linh} | communes


def test_unit_subtree_q_of_a_commune_is_the_commune(users, units):
    assert subtree(users["hoxa.nhaplieu"]) == {units["HX"]}
    assert subtree(users["xavinhlinh.nhaplieu"]) == {units["XVL"]}


def test_unit_subtree_q_of_a_province_is_its_three_tiers_in_its_own_structure(users, units):
    old = units["QT45"]
    by_parent = Unit.objects.filter(Q(pk=old.pk) | Q(parent=old) | Q(parent__parent=old))
    assert subtree(users["quangtri.bcd"]) == set(by_parent)
    assert len(by_parent) == 1 + 10 + 119  # the province, its 10 districts, their communes
    new = units["QT44"]
    assert subtree(users["quangtri2025.bcd"]) == {new, *Unit.objects.filter(parent=new)}
    assert len(subtree(users["quangtri2025.bcd"])) == 1 + 78


def test_unit_subtree_q_is_everything_for_an_administrator_and_nothing_without_a_member(users):
    assert Unit.objects.filter(policy.unit_subtree_q(users["admin"])).count() == (
        Unit.objects.count()
    )
    for username in ("nomember", "anonymous"):
        assert Unit.objects.filter(policy.unit_subtree_q(users[username])).count() == 0
        assert not Submission.objects.filter(policy.reviewable_q(users[username])).exists()
        assert policy.reporters_of(users[username]) == (None, None)
        assert policy.membership(users[username]) is None


def make_user(username: str, unit: Unit, *, superuser=False, staff=False, agency=None, **roles):
    user = get_user_model().objects.create_user(
        username, password="x", is_superuser=superuser, is_staff=staff or superuser
    )
    if roles:
        Membership.objects.create(user=user, unit=unit, agency=agency, **roles)
    return user


def test_is_administrator_for_a_superuser_and_for_the_membership_flag(users, units):
    assert policy.is_administrator(users["admin"])
    root = make_user("root", units["HX"], superuser=True)  # no membership at all
    assert policy.is_administrator(root)
    flagged = make_user("ql.hoxa", units["HX"], is_administrator=True)
    assert not flagged.is_superuser and not flagged.is_staff
    assert policy.is_administrator(flagged)
    # An administrator reads every unit, whatever unit their membership names.
    for user in (root, flagged):
        assert all(policy.can_view_unit(user, unit) for unit in units.values())
        assert Unit.objects.filter(policy.unit_subtree_q(user)).count() == Unit.objects.count()


@pytest.mark.parametrize(
    "username",
    [u for u in USERS if u != "admin"],
)
def test_nobody_else_is_an_administrator(users, username):
    assert not policy.is_administrator(users[username])


def test_staff_without_superuser_is_not_an_administrator_but_manages_reference_data(units):
    staff = make_user("bientap", units["HX"], staff=True)
    assert not policy.is_administrator(staff)
    assert policy.can_manage_reference_data(staff)
    assert not policy.can_view_unit(staff, units["HX"])


def test_is_administrator_and_can_manage_reference_data_refuse_none_and_anonymous():
    for user in (None, AnonymousUser()):
        assert not policy.is_administrator(user)
        assert not policy.can_manage_reference_data(user)
        assert policy.membership(user) is None


def test_the_roles_of_a_member_stay_separate(units):
    """A reviewer who is also a data-entry official of the same district enters its report
    and reviews its communes', but does not review their own."""
    both = make_user("vinhlinh.ca2", units["VL"], is_data_entry=True, is_reviewer=True)
    subs = build_submissions(units)
    assert policy.can_enter(both, units["VL"])
    assert policy.can_review(both, subs["HX"])
    assert not policy.can_review(both, subs["VL"])


@pytest.fixture
def office_official(units):
    """A data-entry official of the agency "Văn phòng HĐND và UBND huyện Vĩnh Linh"."""
    return make_user(
        "vanphong.vinhlinh",
        units["VL"],
        agency=agency(units["VL"], OFFICE),
        is_data_entry=True,
    )


def test_an_agency_official_enters_for_their_agency_only(units, office_official):
    vinh_linh = units["VL"]
    office = agency(vinh_linh, OFFICE)
    assert policy.reporters_of(office_official) == (vinh_linh, office)
    assert policy.can_enter(office_official, vinh_linh, office)
    assert not policy.can_enter(office_official, vinh_linh)  # not the district's own report
    assert not policy.can_enter(office_official, vinh_linh, agency(vinh_linh, VL_COMMITTEE))
    # The agency's report is reviewed by the district's reviewer, and read by its members.
    subs = build_submissions(units)
    assert policy.can_view_submission(office_official, subs["OFFICE"])
    assert not policy.can_review(office_official, subs["OFFICE"])


def test_an_agency_official_cannot_enter_their_agency_under_another_unit(units, office_official):
    office = agency(units["VL"], OFFICE)
    assert not policy.can_enter(office_official, units["HX"], office)
    assert not policy.can_enter(office_official, units["HNX"], office)


def test_officials_enter_their_own_figures_only_staff_any_scope(users):
    staff = get_user_model().objects.create_user("warehouse", is_staff=True)
    for user in (users["admin"], staff):
        assert policy.writes_any_figure(user)
        assert policy.can_enter_scope(user, "communes")
    official = users["hoxa.nhaplieu"]
    assert not policy.writes_any_figure(official)
    assert policy.can_enter_scope(official, "self")
    assert not policy.can_enter_scope(official, "communes")
    assert not policy.writes_any_figure(AnonymousUser())
