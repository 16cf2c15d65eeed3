"""Honest coverage (issue 18, point 2): a unit's own report says so, a merged province counts
the provinces it was formed from, a value covering too few members is greyed and flagged,
and approximate figures say so."""

import datetime
import re

import numpy as np
import pandas as pd
import pytest

from indicators import analytics, rollup
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from indicators.services import FigureInput
from indicators.writes.figures import figures_save_many
from units.models import Unit

pytestmark = pytest.mark.django_db

ANALYTICS = "/api/v1/analytics/"


def unit(code: str, on: str) -> Unit:
    return Unit.objects.in_force(datetime.date.fromisoformat(on)).get(code=code)


def ask(api_client, **params) -> dict:
    response = api_client.get(ANALYTICS, params)
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    return result


# --- the rule for units formed from others, on hand-built frames ----------------------------


def test_predecessors_coverage_counts_the_predecessors_when_one_has_no_value():
    rule = rollup.Rule("ratio_of_sums", is_boolean=False)
    nodes = pd.DataFrame(
        {
            "value": [100.0, np.nan, 50.0, 70.0],
            "numerator": [np.nan] * 4,
            "denominator": [np.nan] * 4,
            "answer": [False] * 4,
            "origin": ["reported", "none", "reported", "computed"],
            "node_scope": ["departments"] * 4,
            "covered": [0, 0, 10, 5],
            "expected": [0, 0, 10, 20],
        }
    )
    nodes.loc[4] = [np.nan, np.nan, np.nan, False, "none", "departments", 0, 12]
    # Successor 1 from two provinces, one without a value and no department registered:
    # 1 of 2 provinces (passing 0/0 through would claim it complete). Successor 2 from
    # three, the one without a value with 12 departments known: their coverage passes
    # through, 10 + 5 + 0 of 10 + 20 + 12 departments.
    result = rollup.combine_predecessors(nodes, pd.Series([1, 1, 2, 2, 2]), rule)
    assert (result.loc[1, "covered"], result.loc[1, "expected"], result.loc[1, "by_units"]) == (
        1,
        2,
        True,
    )
    assert (result.loc[2, "covered"], result.loc[2, "expected"], result.loc[2, "by_units"]) == (
        15,
        42,
        False,
    )


# --- the seeds, through the API ---------------------------------------------------------------


def test_a_figure_the_unit_reported_says_so_not_18_of_18(reference_data, api_client):
    result = ask(
        api_client,
        indicator="INF_INTERNET",
        unit_code="464",
        on="2020-10-13",
        period="2020Q4",
        scope="communes",
    )
    assert result["value"] == 100
    assert result["coverage"]["basis"] == "unit_report"
    assert result["coverage"]["label"] == "báo cáo của đơn vị"
    assert result["coverage"]["sufficient"] is True


def test_dak_lak_departments_lan_does_not_say_0_of_0(reference_data, api_client):
    result = ask(
        api_client,
        indicator="INF_LAN",
        unit_code="66",
        on="2016-07-13",
        period="2016Q3",
        scope="departments",
    )
    assert result["coverage"]["label"] == "báo cáo của đơn vị"
    assert "0/0" not in result["coverage"]["label"]


def test_a_merged_province_expects_every_province_it_was_formed_from(reference_data, api_client):
    # Đắk Lắk of 2025 was formed from Đắk Lắk and Phú Yên; only the first reported its
    # departments in 2016.
    result = ask(
        api_client,
        indicator="INF_LAN",
        unit_code="66",
        on="2026-01-01",
        period="2016Q3",
        scope="departments",
    )
    assert result["origin"] == "predecessors"
    assert result["coverage"]["basis"] == "predecessors"
    assert (result["coverage"]["covered"], result["coverage"]["expected"]) == (1, 2)
    assert result["coverage"]["level"] == "province"
    assert result["coverage"]["label"] == "1/2 tỉnh"


def approve_2024q1(indicator: str, rows: list[tuple[Unit, str | None, str | None, str | None]]):
    """Approved 2024Q1 figures of communes of 2024: (commune, value, numerator, denominator)."""
    figures_save_many(
        inputs=[
            FigureInput(
                unit_code=commune.code,
                unit_on=datetime.date(2024, 3, 31),
                indicator=indicator,
                period="2024Q1",
                value=value,
                numerator=numerator,
                denominator=denominator,
            )
            for commune, value, numerator, denominator in rows
        ],
        status=Figure.Status.APPROVED,
        reference_files=True,
    )


def _approve_commune_figure(vinh_linh: Unit, indicator: str, value: str) -> Unit:
    commune = vinh_linh.children.order_by("code").first()
    approve_2024q1(indicator, [(commune, value, None, None)])
    return commune


def test_one_commune_of_eighteen_does_not_stand_for_the_district(
    reference_data, api_client, admin_client
):
    vinh_linh = unit("464", "2024-01-01")
    _approve_commune_figure(vinh_linh, "HR_COMPUTER_USE", "90")
    result = ask(
        api_client, indicator="HR_COMPUTER_USE", unit_code="464", on="2024-01-01", period="2024Q1"
    )
    assert result["value"] == 90
    assert result["coverage"]["covered"] == 1
    assert result["coverage"]["sufficient"] is False
    rolled = analytics.rollup_value(
        Indicator.objects.get(code="HR_COMPUTER_USE"), vinh_linh, parse_period("2024Q1")
    )
    assert rolled.low_coverage
    # Below a third it is greyed on the indicator's page, with its coverage.
    page = admin_client.get(
        f"/dashboard/{vinh_linh.pk}/indicator/HR_COMPUTER_USE/?period=2024Q1"
    ).content.decode()
    row = re.search(r'<tr[^>]*data-period="2024Q1".*?</tr>', page, re.S).group(0)
    assert "low-coverage" in row
    assert f"1/{result['coverage']['expected']} xã" in row


def test_a_third_of_the_members_is_enough(reference_data):
    vinh_linh = unit("464", "2024-01-01")
    communes = list(vinh_linh.children.order_by("code"))
    enough = -(-len(communes) // 3)  # a third, rounded up
    approve_2024q1("HR_COMPUTER_USE", [(c, "80", None, None) for c in communes[:enough]])
    indicator = Indicator.objects.get(code="HR_COMPUTER_USE")
    rolled = analytics.rollup_value(indicator, vinh_linh, parse_period("2024Q1"))
    assert rolled.covered == enough and not rolled.low_coverage


def test_mixed_counts_and_percentages_keep_the_counts(reference_data, api_client):
    vinh_linh = unit("464", "2024-01-01")
    communes = list(vinh_linh.children.order_by("code"))
    rows = [("1", "4"), ("3", "4"), (None, None)]
    approve_2024q1(
        "APP_DIGSIG_DOCS",
        [
            (c, None if num else "90", num, den)
            for c, (num, den) in zip(communes, rows, strict=False)
        ],
    )
    result = ask(
        api_client, indicator="APP_DIGSIG_DOCS", unit_code="464", on="2024-01-01", period="2024Q1"
    )
    # (1 + 3) / (4 + 4) = 50 %, the commune with only 90 % said apart (the old unweighted
    # mean of 25, 75 and 90 was 63.3).
    assert result["value"] == 50
    assert (result["numerator"], result["denominator"]) == (4, 8)
    assert result["coverage"]["percent_only"] == 1
    assert "1 chỉ có tỷ lệ %" in result["coverage"]["label"]


def test_approximate_figures_say_so_on_the_dashboard_and_in_analytics(
    reference_data, api_client, admin_client
):
    cho_don = unit("064", "2021-07-31")
    page = admin_client.get(f"/dashboard/{cho_don.pk}/?period=2021Q3").content.decode()
    card = re.search(r'<article[^>]*data-indicator="APP_DIGSIG_DOCS".*?</article>', page, re.S)
    offices = re.search(r'<li[^>]*data-scope="district_offices".*?</li>', card.group(0), re.S)
    assert "khoảng" in offices.group(0)
    result = ask(
        api_client,
        indicator="APP_DIGSIG_DOCS",
        unit_code="064",
        on="2021-07-31",
        period="2021Q3",
        scope="communes",
    )
    assert (result["value"], result["approximate"]) == (60, True)


def test_the_readiness_index_leaves_out_a_value_of_too_few_members(reference_data):
    vinh_linh = unit("464", "2024-01-01")
    _approve_commune_figure(vinh_linh, "HR_COMPUTER_USE", "90")
    indicator = Indicator.objects.get(code="HR_COMPUTER_USE")
    period = parse_period("2024Q1")
    kept = analytics.percent_values([indicator], [vinh_linh], period)
    left_out = analytics.percent_values([indicator], [vinh_linh], period, sufficient_only=True)
    assert kept.loc[vinh_linh.pk, "HR_COMPUTER_USE"] == 90
    assert np.isnan(left_out.loc[vinh_linh.pk, "HR_COMPUTER_USE"])


def test_a_ratio_resting_on_one_members_counts_does_not_stand_and_says_so_above(
    reference_data, api_client
):
    vinh_linh = unit("464", "2024-01-01")
    communes = list(vinh_linh.children.order_by("code"))
    approve_2024q1(
        "APP_DIGSIG_DOCS",
        [(communes[0], None, "5", "10"), *((c, "90", None, None) for c in communes[1:])],
    )
    bare = len(communes) - 1
    district = ask(
        api_client, indicator="APP_DIGSIG_DOCS", unit_code="464", on="2024-01-01", period="2024Q1"
    )
    # 5/10 from the one commune with counts; every commune reported, but the value rests on
    # one of them: not sufficient.
    assert district["value"] == 50
    assert district["coverage"]["covered"] == len(communes)
    assert district["coverage"]["percent_only"] == bare
    assert district["coverage"]["sufficient"] is False
    # The province's communes: what the district left out is still said, in communes.
    province = ask(
        api_client,
        indicator="APP_DIGSIG_DOCS",
        unit_code="45",
        on="2024-01-01",
        period="2024Q1",
        scope="communes",
    )
    assert province["value"] == 50
    assert province["coverage"]["percent_only"] == bare
    assert f"; {bare} chỉ có tỷ lệ %" in province["coverage"]["label"]


def test_the_figure_lists_say_approximate_too(reference_data, admin_client, client):
    cho_don = unit("064", "2021-07-31")
    page = admin_client.get(f"/dashboard/{cho_don.pk}/?period=2021Q3").content.decode()
    figures = re.search(r'class="[^"]*dashboard-figures.*?</table>', page, re.S).group(0)
    assert figures.count("khoảng") == 2  # the district tier's ~90% and the communes' ~60%
    catalogue = client.get("/indicators/APP_DIGSIG_DOCS/").content.decode()
    assert "khoảng" in catalogue
