"""/entry/: the entry list, a report's form (save, submit, conflicts), review, completeness;
and the login pages (/accounts/), with django-axes' lockout."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from entry.services import applicable_indicators, fingerprint
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from units.models import Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
Q1 = "2025Q1"


@pytest.fixture
def users():
    demo_users_create()


@pytest.fixture
def hoxa():
    return Unit.objects.in_force(OLD).get(code="19363")


@pytest.fixture
def vinhlinh(hoxa):
    return hoxa.parent


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def form_url(unit: Unit, period: str = Q1) -> str:
    return f"/entry/{unit.pk}/{period}/"


def full_data(unit: Unit, period: str = Q1, *, version: int = 0, action: str = "submit"):
    """Every applicable indicator filled in with a valid value, over what the form showed
    (each row's fingerprint of the figure stored now, as the page sends it back)."""
    data = {"version": str(version), "action": action}
    shown = {
        f.indicator.code: fingerprint(f)
        for f in Figure.objects.filter(
            unit=unit, agency=None, period=period, scope="self"
        ).select_related("indicator")
    }
    for indicator in applicable_indicators(unit, None, parse_period(period)):
        code = indicator.code
        data[f"{code}-opened"] = shown.get(code, "")
        if indicator.value_type == Indicator.ValueType.RATIO:
            data[f"{code}-numerator"] = "1"
            data[f"{code}-denominator"] = "1"
        elif indicator.value_type == Indicator.ValueType.BOOLEAN:
            data[f"{code}-value"] = "1"
        else:
            data[f"{code}-value"] = "2"
    return data


def submitted_report(client, unit: Unit) -> Submission:
    login(client, "hoxa.nhaplieu")
    response = client.post(form_url(unit), full_data(unit))
    assert response.status_code == 302
    return Submission.objects.get(unit=unit, agency=None, period=Q1)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/entry/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/entry/")


def test_commune_official_lists_its_quarters_until_the_commune_ended(client, users, hoxa):
    response = login(client, "hoxa.nhaplieu").get("/entry/")
    assert response.status_code == 200
    periods = [row.period.id for row in response.context["rows"]]
    assert periods[0] == "2025Q2"  # the 2024 commune ended on 30/06/2025
    assert Q1 in periods
    text = response.content.decode()
    assert f'href="{form_url(hoxa)}"' in text
    assert "Thị trấn Hồ Xá" in text
    assert "quá hạn" in text  # nothing was submitted, and the quarters are long past due


def test_user_without_entry_role_sees_a_message(client, users):
    response = login(client, "vinhlinh.duyet").get("/entry/")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "không có vai trò nhập số liệu" in response.content.decode()


def test_form_groups_the_indicators_by_pillar(client, users, hoxa):
    response = login(client, "hoxa.nhaplieu").get(form_url(hoxa))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g.label for g in groups][:2] == ["Hạ tầng kỹ thuật", "Nhân lực"]
    codes = [row.indicator.code for g in groups for row in g.rows]
    wanted = applicable_indicators(hoxa, None, parse_period(Q1))
    assert sorted(codes) == sorted(i.code for i in wanted)
    text = response.content.decode()
    assert 'name="INF_PC_EQUIPPED-numerator"' in text
    assert 'name="INF_PC_EQUIPPED-denominator"' in text
    assert 'name="INF_PC_EQUIPPED-value"' in text
    assert 'name="HR_IT_STAFF-value"' in text
    assert 'inputmode="decimal"' in text
    assert 'name="INF_LAN-note"' in text and 'name="INF_LAN-source"' in text
    assert 'name="INF_LAN-opened"' in text
    assert '<option value="1">Có</option>' in text
    assert 'name="version" value="0"' in text
    assert 'name="action" value="save"' in text and 'name="action" value="submit"' in text
    assert "Hạ tầng kỹ thuật" in text
    assert "js/entry.js" in text and "onclick" not in text


def test_form_shows_the_plan_target_for_communes(client, users, hoxa):
    response = login(client, "hoxa.nhaplieu").get(form_url(hoxa))
    rows = {row.indicator.code: row for g in response.context["groups"] for row in g.rows}
    # QĐ 942/QĐ-TTg and 749/QĐ-TTg: 60% of a commune's work online by 2025.
    assert rows["APP_WORK_ONLINE"].target_label == "≥ 60%"
    assert "Mục tiêu ≥ 60%" in response.content.decode()


def test_others_forms_are_refused_with_a_reason(client, users, hoxa, vinhlinh):
    login(client, "hoxa.nhaplieu")
    other = Unit.objects.in_force(OLD).filter(parent=vinhlinh).exclude(pk=hoxa.pk).first()
    assert client.get(form_url(other)).status_code == 403
    assert client.get(form_url(vinhlinh)).status_code == 403
    assert client.get(form_url(hoxa, "2025Q9")).status_code == 404
    assert client.get(form_url(hoxa, "2025Q3")).status_code == 404  # the commune had ended
    assert client.get("/entry/999999/2025Q1/").status_code == 404
    assert client.get("/entry/agency/999999/2025Q1/").status_code == 404


def test_draft_keeps_valid_values_and_explains_the_invalid_one(client, users, hoxa):
    login(client, "hoxa.nhaplieu")
    data = {
        "version": "0",
        "action": "save",
        "INF_PC_EQUIPPED-numerator": "5",
        "INF_PC_EQUIPPED-denominator": "3",
        "HR_IT_STAFF-value": "3",
        "WEB_PORTAL-value": "1",
        "FIN_IT_BUDGET-value": "12,5",
        "INF_PC_INTERNET-numerator": "2",
        "INF_PC_INTERNET-denominator": "4",
    }
    response = client.post(form_url(hoxa), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tử số (5) lớn hơn mẫu số (3)." in text
    assert 'value="5"' in text  # what was typed stays in the form
    figures = dict(
        Figure.objects.filter(unit=hoxa, period=Q1).values_list("indicator__code", "value")
    )
    assert "INF_PC_EQUIPPED" not in figures
    assert figures["HR_IT_STAFF"] == 3
    assert figures["WEB_PORTAL"] == 1
    assert str(figures["FIN_IT_BUDGET"]) == "12.5000"
    assert figures["INF_PC_INTERNET"] == 50
    submission = Submission.objects.get(unit=hoxa, period=Q1)
    assert submission.status == "draft"
    assert f'name="version" value="{submission.version}"' in text


def test_submit_without_the_required_indicators_lists_them_by_pillar(client, users, hoxa):
    login(client, "hoxa.nhaplieu")
    response = client.post(
        form_url(hoxa), {"version": "0", "action": "submit", "HR_IT_STAFF-value": "3"}, follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Chưa gửi duyệt được" in text
    listed = text[text.index('class="alert alert-warning entry-missing"') :]
    listed = listed[: listed.index("</div>")]
    # A list under each pillar's heading: required ones only (INF_LAN is optional).
    assert listed.count("<ul") >= 2
    assert "WEB_PORTAL" in listed and "Thông tin và cổng thông tin điện tử" in listed
    assert "INF_LAN" not in listed
    assert Submission.objects.get(unit=hoxa, period=Q1).status == "draft"


def test_a_full_form_submitted_goes_to_review(client, users, hoxa):
    login(client, "hoxa.nhaplieu")
    response = client.post(form_url(hoxa), full_data(hoxa), follow=True)
    assert response.redirect_chain[-1][0] == form_url(hoxa)
    assert "Đã gửi duyệt" in response.content.decode()
    submission = Submission.objects.get(unit=hoxa, period=Q1)
    assert submission.status == "submitted"
    # A submitted report is read-only for its official too.
    assert 'name="HR_IT_STAFF-value"' not in response.content.decode()


def test_a_stale_form_is_a_conflict_and_saves_nothing(client, users, hoxa):
    login(client, "hoxa.nhaplieu")
    first = {"version": "0", "action": "save", "HR_IT_STAFF-value": "3"}
    assert client.post(form_url(hoxa), first).status_code == 302
    stale = {"version": "0", "action": "save", "HR_IT_STAFF-value": "7", "INF_LAN-value": "1"}
    response = client.post(form_url(hoxa), stale)
    assert response.status_code == 409
    text = response.content.decode()
    assert "Số liệu đã được người khác thay đổi sau khi bạn mở biểu mẫu" in text
    assert "HR_IT_STAFF" in text
    assert 'name="version" value="1"' in text
    figure = Figure.objects.get(unit=hoxa, period=Q1, indicator__code="HR_IT_STAFF")
    assert figure.value == 3
    assert not Figure.objects.filter(unit=hoxa, period=Q1, indicator__code="INF_LAN").exists()
    # The form shown again carries the new version: saving it again goes through.
    again = {**stale, "version": "1"}
    assert client.post(form_url(hoxa), again).status_code == 302
    figure.refresh_from_db()
    assert figure.value == 7


def test_review_return_and_approve(client, users, hoxa):
    submission = submitted_report(client, hoxa)
    detail = f"/entry/reports/{submission.pk}/"

    login(client, "vinhlinh.duyet")
    inbox = client.get("/entry/review/")
    assert inbox.status_code == 200
    assert submission in inbox.context["waiting"]
    assert f'href="{detail}"' in inbox.content.decode()

    response = client.post(detail, {"action": "return", "reason": ""})
    assert response.status_code == 200
    assert "Cần ghi lý do." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "submitted"

    reason = "Thiếu nguồn số liệu cho tỷ lệ máy tính."
    response = client.post(detail, {"action": "return", "reason": reason})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "returned"

    login(client, "hoxa.nhaplieu")
    form = client.get(form_url(hoxa))
    assert form.status_code == 200
    assert reason in form.content.decode()
    assert "Báo cáo bị trả lại" in form.content.decode()

    data = full_data(hoxa, version=submission.version)
    assert client.post(form_url(hoxa), data).status_code == 302
    submission.refresh_from_db()
    assert submission.status == "submitted"

    login(client, "vinhlinh.duyet")
    assert client.post(detail, {"action": "approve", "reason": ""}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == "approved"
    statuses = set(
        Figure.objects.filter(unit=hoxa, period=Q1, scope="self").values_list("status", flat=True)
    )
    assert statuses == {"approved"}
    assert submission in client.get("/entry/review/").context["reviewed"]

    response = client.post(detail, {"action": "reopen", "reason": " "})
    assert "Cần ghi lý do." in response.content.decode()
    assert (
        client.post(detail, {"action": "reopen", "reason": "Sửa số máy tính."}).status_code == 302
    )
    submission.refresh_from_db()
    assert submission.status == "returned"


def test_steering_member_reads_but_cannot_write(client, users, hoxa):
    submission = submitted_report(client, hoxa)
    login(client, "quangtri.bcd")
    response = client.get(form_url(hoxa))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="HR_IT_STAFF-value"' not in text
    assert 'name="action"' not in text
    assert "Bạn chỉ được xem báo cáo này" in text
    assert client.post(form_url(hoxa), full_data(hoxa, version=9)).status_code == 403

    detail = f"/entry/reports/{submission.pk}/"
    response = client.get(detail)
    assert response.status_code == 200
    assert 'value="approve"' not in response.content.decode()
    assert client.post(detail, {"action": "approve"}).status_code == 403
    assert client.post(detail, {"action": "nonsense"}).status_code == 403
    submission.refresh_from_db()
    assert submission.status == "submitted"


def test_a_report_is_hidden_from_other_units(client, users, hoxa):
    submission = submitted_report(client, hoxa)
    login(client, "xavinhlinh.nhaplieu")  # the 2025 commune: not the 2024 one's official
    assert client.get(f"/entry/reports/{submission.pk}/").status_code == 403
    assert client.get(form_url(hoxa)).status_code == 403


def test_completeness_of_vinh_linh(client, users, hoxa, vinhlinh):
    submitted_report(client, hoxa)
    login(client, "vinhlinh.duyet")
    url = f"/entry/completeness/?unit={vinhlinh.pk}&period={Q1}"
    response = client.get(url)
    assert response.status_code == 200
    rows = {row.unit.code: row for row in response.context["rows"] if row.agency is None}
    communes = Unit.objects.in_force(parse_period(Q1).end).filter(parent=vinhlinh)
    assert set(rows) == {u.code for u in communes}
    assert rows["19363"].status == "submitted"
    assert dict(response.context["counts"])["submitted"] == 1
    text = response.content.decode()
    assert "Thị trấn Hồ Xá" in text and "Đã gửi" in text

    csv = client.get(url + "&export=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert "Thị trấn Hồ Xá" in csv.content.decode("utf-8-sig")

    # By default: the reviewer's own unit, and its latest quarter.
    default = client.get("/entry/completeness/")
    assert default.status_code == 200
    assert default.context["unit"] == vinhlinh
    assert default.context["period"].id == "2025Q2"


def test_completeness_of_another_unit_is_refused(client, users, vinhlinh):
    login(client, "hoxa.nhaplieu")
    assert client.get(f"/entry/completeness/?unit={vinhlinh.pk}").status_code == 403


def test_navigation_for_a_reviewer(client, users):
    text = login(client, "vinhlinh.duyet").get("/entry/review/").content.decode()
    assert "Cán bộ duyệt số liệu huyện Vĩnh Linh" in text
    assert 'href="/entry/review/"' in text
    assert "Đăng xuất" in text and 'action="/accounts/logout/"' in text
    assert 'href="/accounts/password_change/"' in text


def test_login_page_in_vietnamese_and_english(client):
    vi = client.get("/accounts/login/")
    assert vi.status_code == 200
    assert 'lang="vi"' in vi.content.decode()
    assert "Đăng nhập" in vi.content.decode()
    assert "Mật khẩu" in vi.content.decode()
    en = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 200
    assert 'lang="en"' in en.content.decode()
    assert "Password" in en.content.decode()


def test_login_then_logout(client, users):
    response = client.post(
        "/accounts/login/", {"username": "hoxa.nhaplieu", "password": "egov-demo-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/entry/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/entry/").status_code == 302


def test_password_change_pages(client, users):
    login(client, "hoxa.nhaplieu")
    response = client.get("/accounts/password_change/")
    assert response.status_code == 200
    assert 'name="old_password"' in response.content.decode()
    assert client.get("/accounts/password_change/done/").status_code == 200


def test_five_failed_logins_lock_the_account(client, users):
    wrong = {"username": "hoxa.nhaplieu", "password": "sai-mat-khau"}
    for _ in range(4):
        response = client.post("/accounts/login/", wrong)
        assert response.status_code == 200
    locked = client.post("/accounts/login/", wrong)
    assert locked.status_code >= 400
    assert "Tài khoản tạm khóa" in locked.content.decode()
    assert "thử lại sau 1 giờ" in locked.content.decode()
    # Even the right password is refused until the hour is over.
    right = {"username": "hoxa.nhaplieu", "password": "egov-demo-2026"}
    again = client.post("/accounts/login/", right)
    assert "Tài khoản tạm khóa" in again.content.decode()
