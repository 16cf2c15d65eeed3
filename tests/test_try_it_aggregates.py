"""The README's "Try it" journey on the demo data `make run` makes: signing in, the quarter's
form and the review desk through the pages (the evidence the report needs is linked through
its service), then `verify_aggregates`: the live aggregates the approvals wrote equal a
recompute from the figures (issue 17's "done when")."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.services import demo_users_create
from entry.demo_reports import demo_reports_create
from indicators.models import Aggregate, Figure, Submission
from quality.evidence import evidence_link

from .test_entry_pages import form_url, full_data

pytestmark = pytest.mark.django_db

Q2 = "2025Q2"


def last_quarters_values(unit) -> dict:
    """The unit's approved 2024Q4 figures, typed again (the demo's last approved quarter)."""
    data = {}
    for figure in Figure.objects.filter(unit=unit, agency=None, period="2024Q4", scope="self"):
        code = figure.indicator.code
        for name in ("value", "numerator", "denominator"):
            if getattr(figure, name) is not None:
                data[f"{code}-{name}"] = str(getattr(figure, name))
    return data


def sign_in(client, username: str):
    """With the demo accounts' password, as the README says."""
    client.logout()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_the_journey_leaves_the_aggregates_equal_to_a_recompute(client, hoxa):
    demo_users_create()
    demo_reports_create()  # what `make run` does (create_demo_reports)
    # hoxa.nhaplieu fills in a quarter and sends it for review.
    sign_in(client, "hoxa.nhaplieu")
    data = {
        **full_data(hoxa, Q2),
        **last_quarters_values(hoxa),
        "warning_comment": "Như quý trước.",
    }
    assert client.post(form_url(hoxa, Q2), data).status_code == 302
    report = Submission.objects.get(unit=hoxa, agency=None, period=Q2)
    assert report.status == Submission.Status.SUBMITTED
    # The evidence SVC_ONLINE_FULL requires, as a link the official adds on its page.
    figure = Figure.objects.get(unit=hoxa, period=Q2, indicator__code="SVC_ONLINE_FULL")
    evidence_link(
        user=get_user_model().objects.get(username="hoxa.nhaplieu"),
        figure=figure,
        link="https://dichvucong.quangtri.gov.vn/bao-cao-2025q2",
    )
    above = [hoxa.parent_id, hoxa.province_id]
    assert not Aggregate.objects.filter(unit_id__in=above, period=Q2).exists()
    # vinhlinh.duyet approves it from the review desk.
    sign_in(client, "vinhlinh.duyet")
    assert client.post(f"/entry/reports/{report.pk}/", {"action": "approve"}).status_code == 302
    report.refresh_from_db()
    assert report.status == Submission.Status.APPROVED
    # The approval wrote the rows above Hồ Xá (Vĩnh Linh, Quảng Trị) for the quarter, its
    # half-year and its year; and those of the demo's approved 2024 quarters are there too.
    for period in (Q2, "2025S1", "2025", "2024Q4", "2024"):
        assert Aggregate.objects.filter(unit_id__in=above, period=period).exists(), period
    out = io.StringIO()
    call_command("verify_aggregates", "--unit", "19363", stdout=out)
    assert "Bảng tổng hợp khớp với số liệu." in out.getvalue()
