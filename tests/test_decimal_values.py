"""Values are Decimals from the database to the API; ids are never floats in the engine
(issue 17 item 4, docs/decisions/0037-decimal-values.md)."""

import datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from dhis2_api.analytics import _number as dhis2_number
from indicators import aggregate_table, analytics, rollup
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from units.models import Unit

pytestmark = pytest.mark.django_db

ON = datetime.date(2024, 1, 1)


def approved(unit: Unit, code: str, period: str, value: str) -> Figure:
    p = parse_period(period)
    return Figure.objects.create(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=p.id,
        period_start=p.start,
        period_end=p.end,
        value=Decimal(value),
        status=Figure.Status.APPROVED,
    )


def test_a_rolled_value_is_a_decimal_to_the_4_decimals_shown(reference_data):
    # Đắk Lắk 2016: 18 of 29 departments have a portal, 62.068965…%.
    dak_lak = Unit.objects.in_force(datetime.date(2016, 7, 13)).get(code="66")
    indicator = Indicator.objects.get(code="WEB_PORTAL")
    rolled = analytics.rollup_value(indicator, dak_lak, parse_period("2016Q3"), "departments")
    assert rolled.value == Decimal("62.0690") and rolled.value.as_tuple().exponent == -4
    assert (rolled.numerator, rolled.denominator) == (Decimal(18), Decimal(29))
    assert all(isinstance(n, Decimal) for n in (rolled.value, rolled.numerator))


def test_the_api_writes_a_figure_with_the_digits_it_was_stored_with(reference_data, api_client):
    hoxa = Unit.objects.in_force(ON).get(code="19363")
    figure = approved(hoxa, "FIN_IT_BUDGET", "2024Q1", "12345678901.2345")  # 15 digits
    response = api_client.get(
        "/api/v1/analytics/",
        {"indicator": "FIN_IT_BUDGET", "unit": hoxa.pk, "period": "2024Q1"},
    )
    assert b'"value":12345678901.2345,' in response.content
    result = response.json()["results"][0]
    assert (result["origin"], result["figure_id"]) == ("reported", figure.pk)


def test_a_flow_added_up_has_no_figure_and_its_exact_sum(reference_data, api_client):
    hoxa = Unit.objects.in_force(ON).get(code="19363")
    approved(hoxa, "FIN_IT_BUDGET", "202401", "1000000000.5")
    approved(hoxa, "FIN_IT_BUDGET", "202402", "0.25")
    response = api_client.get(
        "/api/v1/analytics/",
        {"indicator": "FIN_IT_BUDGET", "unit": hoxa.pk, "period": "2024Q1"},
    )
    assert b'"value":1000000000.75,' in response.content
    result = response.json()["results"][0]
    assert result["figure_id"] is None  # two figures, none is the value's
    assert result["figure_period"] == "202401, 202402"


@pytest.mark.parametrize("value", ["123456789012.3456", "0.1234", "1234567890123456"])
def test_the_engine_reads_a_figure_as_the_float_of_its_decimal(reference_data, value):
    """The engine's figure frame (PostgreSQL: cast by the database) holds float(Figure.value),
    the Decimal as Django reads it (on SQLite, to 15 significant digits), on both."""
    hoxa = Unit.objects.in_force(ON).get(code="19363")
    figure = approved(hoxa, "FIN_IT_BUDGET", "202401", value)
    frame = analytics._figures_frame(Figure.objects.filter(pk=figure.pk))
    assert frame["value"].tolist() == [float(Figure.objects.get(pk=figure.pk).value)]


def test_the_engine_frames_hold_ids_as_integers():
    columns = analytics._FIGURE_FIELDS
    own = dict.fromkeys(columns) | {"agency_id": 0}  # as the query gives a unit's own
    rows = [
        {**own, "indicator_id": 1, "unit_id": 7, "scope": "self", "value": Decimal("2.5"),
         "id": 2**53 + 1, "period": "202401", "source": ""},
        {**own, "indicator_id": 1, "unit_id": 7, "scope": "self", "value": Decimal("1.5"),
         "id": 2**53 + 3, "period": "202402", "source": ""},
        {**own, "indicator_id": 1, "unit_id": 8, "agency_id": 2**53 + 5, "agency__kind": "x",
         "scope": "self", "value": Decimal(4), "id": 2**53 + 7, "period": "202401",
         "source": ""},
    ]  # fmt: skip
    frame = analytics._frame_of([tuple(r[c] for c in columns) for r in rows])
    assert frame["agency_id"].dtype == pd.Int64Dtype()
    for totals in (
        analytics._flow_totals(frame, set()),  # unit 7 has two figures: added up
        analytics._flow_totals(frame.iloc[1:], set()),  # one each
    ):
        assert totals["figure_id"].dtype == pd.Int64Dtype()
        assert totals["agency_id"].dtype == pd.Int64Dtype()
        by_unit = totals.set_index("unit_id")
        # (2**53 + 7 is no float: as one, it would read 2**53 + 8.)
        assert by_unit.loc[8, "figure_id"] == 2**53 + 7
        assert by_unit.loc[8, "agency_id"] == 2**53 + 5
        assert pd.isna(by_unit.loc[7, "agency_id"])
    added = analytics._flow_totals(frame, set()).set_index("unit_id")
    assert pd.isna(added.loc[7, "figure_id"]) and added.loc[7, "value"] == 4.0


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("62.0689655172"), Decimal("62.0690")),
        (Decimal("0.1234500000"), Decimal("0.1234")),  # half to even, on the digits
        (0.12345, Decimal("0.1234")),  # a float is read by its repr, as the table stores it
        (0.78125, Decimal("0.7812")),
        (2 / 3 * 100, Decimal("66.6667")),
        (None, None),
        (float("nan"), None),
        (Decimal("NaN"), None),
        (np.float32("nan"), None),
        (pd.NA, None),
    ],
)
def test_shown_rounds_once_from_the_tables_digits(value, shown):
    assert aggregate_table.shown(value) == shown
    if shown is not None:
        assert aggregate_table.shown(aggregate_table.stored_number(value)) == shown


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("70.0000"), "70"),
        (Decimal("62.0690"), "62.069"),
        (Decimal("1234567.5000"), "1234567.5"),  # ":g" wrote 1.23457e+06
        (Decimal("100.0000"), "100"),
    ],
)
def test_dhis2_writes_a_values_own_digits(value, text):
    assert dhis2_number(value) == text


def test_a_trees_parents_are_integers(reference_data):
    quang_tri = Unit.objects.in_force(ON).get(code="45")
    tree = analytics._tree_read([quang_tri], ON)
    assert tree["parent_id"].dtype == np.int64
    assert tree.set_index("id").loc[quang_tri.pk, "parent_id"] == rollup.NO_PARENT
    assert len(tree) > 100  # its districts and communes
