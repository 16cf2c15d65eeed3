"""The data-quality page and its XLSX (issue 20, item 5), on the demo's reports: what
`make run` plants on Vĩnh Linh's pages (a broken rule, an outlier, a follow-up, missing
evidence) shows on the reviewer's report page and the quality page, counted per commune."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from accounts.services import demo_users_create
from entry.demo_reports import DEMO_PERIOD, PLANTED, demo_reports_create
from indicators.models import Submission
from units.models import Unit

pytestmark = pytest.mark.django_db
OLD = datetime.date(2024, 1, 1)


@pytest.fixture
def demo(reference_data, settings, tmp_path) -> dict:
    demo_users_create()
    done = demo_reports_create()
    assert len(done) == 5
    return {u.username: u for u in get_user_model().objects.all()}


def test_the_demo_is_made_once(demo):
    assert demo_reports_create() == ["Đã có báo cáo mẫu: giữ nguyên."]
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    statuses = dict(Submission.objects.filter(unit=hoxa).values_list("period", "status"))
    assert statuses == {
        "2024Q1": "approved",
        "2024Q2": "approved",
        "2024Q3": "approved",
        "2024Q4": "approved",
        DEMO_PERIOD: "submitted",
    }


def test_the_command_runs_only_with_debug(reference_data, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_reports", stdout=io.StringIO())


def test_vinh_linhs_reviewer_sees_each_planted_problem_on_the_report(demo, client):
    report = Submission.objects.get(unit__code="19363", period=DEMO_PERIOD)
    client.force_login(demo["vinhlinh.duyet"])
    page = client.get(f"/entry/reports/{report.pk}/").content.decode()
    assert f'data-rule="{PLANTED["rule"]}"' in page
    # HR_IT_STAFF (3–4 in 2024, 40 now) and FIN_IT_RECURRENT (50 million, now 90): outliers.
    assert 'data-outlier-count="2"' in page
    assert 'data-follow-up-count="1"' in page
    assert 'data-evidence-missing-count="1"' in page and PLANTED["evidence"] in page


def test_the_quality_page_lists_and_counts_per_commune(demo, client):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    client.force_login(demo["vinhlinh.duyet"])
    page = client.get(f"/quality/?unit={vinh_linh.pk}&period={DEMO_PERIOD}").content.decode()
    counts = {"violations": 1, "outliers": 2, "follow-ups": 1, "evidence": 1}
    for kind, n in counts.items():
        assert f'<strong data-count="{kind}">{n}</strong>' in page, kind
    hoxa_row = page.split('data-unit="19363"')[1].split("</tr>")[0]
    cells = [cell.split("<")[0] for cell in hoxa_row.split('class="text-end">')[1:]]
    assert cells == ["1", "2", "1", "1"]
    assert 'data-unit="19366"' in page  # Bến Quan: listed, nothing to report
    # The commune's own page lists the same.
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    own = client.get(f"/quality/?unit={hoxa.pk}&period={DEMO_PERIOD}").content.decode()
    assert f'data-rule="{PLANTED["rule"]}"' in own


def test_the_quality_page_as_xlsx(demo, client):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    client.force_login(demo["vinhlinh.duyet"])
    answer = client.get(f"/quality/?unit={vinh_linh.pk}&period={DEMO_PERIOD}&format=xlsx")
    assert answer["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Loại"
    kinds = [r[0] for r in rows[1:]]
    assert kinds.count("Cảnh báo") == 1 and kinds.count("Cần theo dõi") == 1
    assert kinds.count("Thiếu minh chứng") == 1
    assert kinds.count("Bất thường") == 4  # two figures, each out of range and a jump
    assert all(r[1] == "19363" for r in rows[1:])


def test_the_quality_page_is_for_the_units_readers_only(demo, client):
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    client.force_login(demo["xavinhlinh.nhaplieu"])  # today's Xã Vĩnh Linh: not the district
    assert client.get(f"/quality/?unit={vinh_linh.pk}&period={DEMO_PERIOD}").status_code == 403
    client.force_login(demo["vinhlinh.duyet"])
    assert client.get(f"/quality/?unit={vinh_linh.pk}&period=2025").status_code == 404
    assert client.get("/quality/?unit=abc").status_code == 404


def test_the_admin_lists_every_quality_table(demo, client):
    client.force_login(demo["admin"])
    for model in ("validationrule", "minmax", "evidencerequirement", "followup", "comment"):
        answer = client.get(f"/admin/quality/{model}/")
        assert answer.status_code == 200, model
    rule = client.get("/admin/quality/validationrule/add/")
    assert rule.status_code == 200
    # A rule that does not parse is refused by the admin's form, saying where.
    refused = client.post(
        "/admin/quality/validationrule/add/",
        {
            "code": "x",
            "left": "HR_IT_STAFF **",
            "operator": ">=",
            "right": "0",
            "message": "x",
            "severity": "error",
            "is_active": "on",
        },
    )
    assert refused.status_code == 200 and "ký tự thứ" in refused.content.decode()
