"""The figure admin checks figures with the same rules as every other way in."""

import pytest
from django.contrib.auth import get_user_model

from indicators.models import Figure, Indicator
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    return client


def post(client, **overrides):
    data = {
        "unit": Unit.objects.get(code="464", valid_from__isnull=True).pk,
        "agency": "",
        "indicator": Indicator.objects.get(code="HR_PROFICIENT").pk,
        "period": "2024Q1",
        "scope": "self",
        "numerator": "45",
        "denominator": "50",
        "value": "",
        "status": "draft",
        "source": "Báo cáo quý",
        "source_on": "",
        "note": "",
    } | overrides
    return client.post("/admin/indicators/figure/add/", data)


def test_a_valid_figure_is_saved_with_its_period_dates(admin_client):
    assert post(admin_client).status_code == 302
    figure = Figure.objects.get(period="2024Q1", indicator__code="HR_PROFICIENT")
    assert (figure.value, str(figure.period_start), str(figure.period_end)) == (
        90,
        "2024-01-01",
        "2024-03-31",
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"numerator": "60"}, "numerator", "lớn hơn mẫu số"),
        ({"period": "2024Q9"}, "period", "không hợp lệ"),
        ({"period": "2026Q1"}, "unit", "không tồn tại"),
        ({"scope": "departments"}, "scope", "không dùng được"),
    ],
)
def test_bad_figures_are_refused_on_their_field(admin_client, overrides, field, message):
    response = post(admin_client, **overrides)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(field, []))
    assert not Figure.objects.filter(indicator__code="HR_PROFICIENT", unit__code="464").exists()
