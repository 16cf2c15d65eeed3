"""The national data generator, at a small scale: deterministic, plausible, valid."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q

from indicators import synthetic
from indicators.models import Figure, Indicator
from indicators.periods import parse_period

pytestmark = pytest.mark.django_db


def generate(**options):
    # One province (Quảng Trị, 45 until 30/06/2025), a third of its communes.
    defaults = {
        "periods": "2024Q1:2024Q2",
        "scale": 0.3,
        "seed": 7,
        "provinces": "45",
        "stdout": io.StringIO(),
    }
    call_command("generate_national_data", **(defaults | options))
    return Figure.objects.filter(source=synthetic.SOURCE)


def test_figures_for_every_level_period_and_applicable_indicator():
    figures = generate()
    assert figures.count() > 1000
    assert set(figures.values_list("unit__province__code", flat=True)) - {None} == {"45"}
    assert set(figures.values_list("period", flat=True)) == {"2024Q1", "2024Q2"}
    assert set(figures.values_list("unit__level", flat=True)) == {"province", "district", "commune"}
    assert set(figures.values_list("status", flat=True)) <= {
        "approved",
        "submitted",
        "draft",
        "returned",
    }
    approved = figures.filter(status="approved").count() / figures.count()
    assert 0.75 < approved < 0.95
    # Only indicators that apply to the unit's level and are valid in the period.
    for code, levels in Indicator.objects.values_list("code", "levels"):
        levels_used = set(
            figures.filter(indicator__code=code).values_list("unit__level", flat=True)
        )
        assert all(f",{level}," in levels for level in levels_used), code
    assert not figures.filter(indicator__code="SVC_ONLINE_L34").exists()  # ended in 2022


def test_values_pass_the_figure_rules():
    figures = generate()
    ratios = figures.filter(indicator__value_type="ratio")
    assert ratios.exists()
    assert not ratios.filter(Q(value__lt=0) | Q(value__gt=100)).exists()
    assert not ratios.filter(numerator__gt=F("denominator")).exists()
    assert set(figures.filter(indicator__value_type="boolean").values_list("value", flat=True)) <= {
        0,
        1,
    }


def test_the_same_seed_gives_the_same_data_and_a_second_run_adds_nothing():
    first = sorted(generate().values_list("unit_id", "indicator_id", "period", "value"))
    synthetic.clear()
    assert sorted(generate().values_list("unit_id", "indicator_id", "period", "value")) == first
    count = Figure.objects.filter(source=synthetic.SOURCE).count()
    assert generate().count() == count


def test_readiness_rises_over_time():
    figures = generate(periods="2023Q1:2024Q4", scale=0.6)
    share = {}
    for period in ("2023Q1", "2024Q4"):
        answers = figures.filter(period=period, indicator__code="INF_LAN")
        share[period] = answers.filter(value=1).count() / answers.count()
    assert share["2024Q4"] > share["2023Q1"]


def test_the_2025_structure_after_july():
    # 44 is Quảng Bình until 30/06/2025 and the new Quảng Trị since.
    figures = generate(periods="2025Q2:2025Q3", structure="both", provinces="44")
    assert figures.filter(period="2025Q2", unit__valid_to=parse_period("2025Q2").end).exists()
    assert not figures.filter(period="2025Q3", unit__level="district").exists()
    assert figures.filter(period="2025Q3", unit__valid_from__isnull=False).exists()


def test_seed_figures_are_left_alone():
    figures = generate(periods="2020Q4")  # districts are always generated
    vinh_linh = Figure.objects.get(
        indicator__code="APP_DIGSIG_DOCS", unit__code="464", scope="self"
    )
    assert vinh_linh.source != synthetic.SOURCE and vinh_linh.value == 70
    assert figures.exists()


def test_bad_options():
    with pytest.raises(CommandError):
        generate(scale=0)
    with pytest.raises(CommandError):
        generate(periods="2024Q9:2024Q1")


def test_clearing_writes_no_history():
    generate(periods="2024Q4", scale=0.3)
    history = Figure.history.count()
    assert synthetic.clear() > 0
    assert not Figure.objects.filter(source=synthetic.SOURCE).exists()
    assert Figure.history.count() == history
