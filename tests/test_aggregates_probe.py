"""benchmarks/aggregates_probe.py, the prototype the live aggregates were designed with, still
reads what it needs of the engine's figure fields (found by a review: its own rule over time
reads each figure's dates, which the engine's frames no longer read)."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from indicators.services import FigureInput
from indicators.writes.figures import figure_api_save
from units.models import Unit

pytestmark = pytest.mark.django_db
OLD = datetime.date(2024, 1, 1)


def probe():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "aggregates_probe.py"
    spec = importlib.util.spec_from_file_location("aggregates_probe", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_probe_s_own_figures_reads_each_figure_s_dates():
    demo_users_create()
    admin = get_user_model().objects.get(username="admin")
    item = FigureInput(
        unit_code="19363", unit_on=OLD, indicator="FIN_IT_BUDGET", period="2024Q1", value="5"
    )
    figure_api_save(user=admin, item=item, status=Figure.Status.APPROVED)
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    indicator = Indicator.objects.get(code="FIN_IT_BUDGET")
    periods = [parse_period("2024Q1"), parse_period("2024S1"), parse_period("2024")]
    found = probe().own_figures([hoxa.pk], periods, [indicator])
    assert {p: rows["value"].tolist() for p, rows in found.items()} == {
        "2024Q1": [5.0],
        "2024S1": [5.0],
        "2024": [5.0],
    }
