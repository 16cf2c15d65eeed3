"""The admin for plans and targets: pages load, and targets meet the same rules as the forms."""

import pytest
from django.contrib.auth import get_user_model

from indicators.models import Indicator
from plans.models import Plan, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(user)
    return client


def test_changelists_and_a_plan_page_load(admin_client):
    assert admin_client.get("/admin/plans/plan/").status_code == 200
    assert admin_client.get("/admin/plans/target/").status_code == 200
    plan = Plan.objects.get(code="DL-KH-2016")
    page = admin_client.get(f"/admin/plans/plan/{plan.pk}/change/")
    assert page.status_code == 200
    assert "309000000000" in page.content.decode()
    assert admin_client.get("/admin/plans/target/add/").status_code == 200


def target_post(plan: Plan, **overrides) -> dict:
    return {
        "plan": plan.pk,
        "indicator": Indicator.objects.get(code="APP_EDOC_EXCHANGE").pk,
        "scope": "self",
        "mode": "whole_scope",
        "comparator": "between",
        "value": "60",
        "value_max": "80",
        "deadline": "2019",
        "baseline_value": "",
        "baseline_period": "",
        "note": "",
    } | overrides


def test_admin_adds_a_checked_target(admin_client):
    plan = Plan.objects.get(code="QB-2342-2018")
    response = admin_client.post("/admin/plans/target/add/", target_post(plan))
    assert response.status_code == 302
    target = Target.objects.get(plan=plan, deadline="2019")
    assert (target.value, target.value_max, str(target.deadline_end)) == (60, 80, "2019-12-31")


def test_admin_refuses_a_reversed_range_on_its_field(admin_client):
    plan = Plan.objects.get(code="QB-2342-2018")
    response = admin_client.post(
        "/admin/plans/target/add/", target_post(plan, value="80", value_max="60")
    )
    assert response.status_code == 200
    assert "value_max" in response.context["adminform"].form.errors
    assert not Target.objects.filter(plan=plan, deadline="2019").exists()


def test_admin_refuses_a_tier_a_district_does_not_have(admin_client):
    plan = Plan.objects.get(code="VL-KH-2021")
    response = admin_client.post(
        "/admin/plans/target/add/", target_post(plan, scope="departments", deadline="2025")
    )
    assert "scope" in response.context["adminform"].form.errors
