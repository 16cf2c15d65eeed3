"""/dashboard/compare/ (units picked by name, indicators by name, side by side) and
/dashboard/<id>/compare/ (every unit below one, a page at a time): what a person chooses,
what they are told when the choice cannot be compared, who may compare what, and queries
that do not grow with the number of units."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from indicators.periods import parse_period
from reports import compare as compare_reads
from reports import forms
from tests.test_csp import inline_parts
from units.models import Unit

pytestmark = pytest.mark.django_db

SEEDS_DAY = datetime.date(2020, 10, 13)  # the day of the Vĩnh Linh article in the seeds
PERIOD = "2020Q4"


@pytest.fixture
def users():
    demo_users_create()


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def committee(client, users):
    """quangtri.bcd: the steering committee of the old Tỉnh Quảng Trị (until 30/06/2025)."""
    return login(client, "quangtri.bcd")


def unit(code: str, on: datetime.date = SEEDS_DAY) -> Unit:
    return Unit.objects.in_force(on).get(code=code)


def text_of(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def header_units(text: str) -> list[str]:
    """The pks of the units in the comparison table's columns, in order."""
    return re.findall(r'<th scope="col" class="text-end compare-unit" data-unit="(\d+)"', text)


def child_rows(text: str) -> list[str]:
    return re.findall(r'<tr data-unit="(\d+)">', text)


# --- picking units by name ------------------------------------------------------------------


def test_a_search_lists_units_by_name_to_add_without_typing_ids(committee):
    vinh_linh = unit("464")
    response = committee.get("/dashboard/compare/", {"q": "vinh linh", "on": "2020-10-13"})
    assert response.status_code == 200
    text = text_of(response)
    matches = response.context["search"]["matches"]
    assert matches[0]["unit"] == vinh_linh  # the name without its type word ranks first
    assert matches[0]["may_compare"]
    # Each addable match is a button that sends units=<id> with the form: no id typed.
    assert f'name="units" value="{vinh_linh.pk}"' in text
    assert "ví dụ: 30, 42" not in text


def add_buttons(text: str) -> dict[str, str]:
    """The search's "Thêm" buttons: {unit name: the units= value the button sends}."""
    found = re.findall(
        r'<li[^>]*data-match="\d+">\s*<span>([^<]+?) <span class="unit-code">.*?'
        r'<button type="submit" name="units" value="(\d+)"',
        text,
        re.S,
    )
    return {name: value for name, value in found}


def test_without_javascript_units_are_added_one_search_at_a_time(committee):
    """What the form sends when a person searches, presses "Thêm", searches again."""
    first = add_buttons(text_of(committee.get("/dashboard/compare/", {"q": "vinh linh"})))
    vinh_linh = first["Huyện Vĩnh Linh"]
    step = committee.get("/dashboard/compare/", {"q": "vinh linh", "units": [vinh_linh]})
    assert [c["unit"].name for c in step.context["chips"]] == ["Huyện Vĩnh Linh"]
    assert "Huyện Vĩnh Linh" not in add_buttons(text_of(step))  # already chosen
    second = committee.get("/dashboard/compare/", {"q": "gio linh", "units": [vinh_linh]})
    gio_linh = add_buttons(text_of(second))["Huyện Gio Linh"]
    done = committee.get("/dashboard/compare/", {"units": [vinh_linh, gio_linh], "period": PERIOD})
    assert done.status_code == 200
    assert [u.name for u in done.context["units"]] == ["Huyện Vĩnh Linh", "Huyện Gio Linh"]


def test_the_search_day_defaults_to_a_day_the_users_own_unit_was_in_force(committee):
    """The old Quảng Trị's committee finds the old districts without choosing a date."""
    response = committee.get("/dashboard/compare/", {"q": "vinh linh"})
    assert response.context["search_on"] == datetime.date(2025, 6, 30)
    names = [m["unit"].name for m in response.context["search"]["matches"]]
    assert names[0] == "Huyện Vĩnh Linh"


def test_units_chosen_by_their_ids_in_the_url_are_compared_as_chips_and_columns(committee):
    vinh_linh, gio_linh = unit("464"), unit("466")
    response = committee.get(
        "/dashboard/compare/", {"units": [vinh_linh.pk, gio_linh.pk], "period": PERIOD}
    )
    assert response.status_code == 200
    text = text_of(response)
    assert header_units(text) == [str(vinh_linh.pk), str(gio_linh.pk)]
    # A chip removes its unit through a link that keeps the other one.
    chips = response.context["chips"]
    assert [c["unit"] for c in chips] == [vinh_linh, gio_linh]
    assert f"?units={gio_linh.pk}&amp;period={PERIOD}" in text
    # Indicators are rows, named; the code is secondary, with what the value is counted in.
    row = re.search(r'<tr data-indicator="APP_DIGSIG_DOCS">.*?</tr>', text, re.S).group(0)
    assert "Tỷ lệ văn bản điện tử được ký số" in row
    assert "70,0%" in row  # Vĩnh Linh's 70% from the seeds
    assert '<span class="compare-code"' in row
    # Every unit above a commune leads on to all of its own units.
    assert f"/dashboard/{vinh_linh.pk}/compare/?period={PERIOD}" in text


def test_one_unit_chosen_is_a_step_not_an_error(committee):
    response = committee.get("/dashboard/compare/", {"units": [unit("464").pk]})
    assert response.status_code == 200
    assert shown_messages(response) == ["Chọn ít nhất 2 đơn vị để so sánh (đang có 1)."]
    assert "rows" not in response.context


def test_indicators_are_chosen_by_name_grouped_by_pillar(committee):
    vinh_linh, gio_linh = unit("464"), unit("466")
    response = committee.get(
        "/dashboard/compare/",
        {
            "units": [vinh_linh.pk, gio_linh.pk],
            "period": PERIOD,
            "indicators": ["WEB_PORTAL", "APP_DIGSIG_DOCS", "HR_PROFICIENT"],
        },
    )
    assert response.status_code == 200
    text = text_of(response)
    # In the catalogue's order, whatever order they were asked in.
    assert [r["indicator"].code for r in response.context["rows"]] == [
        "HR_PROFICIENT",
        "APP_DIGSIG_DOCS",
        "WEB_PORTAL",
    ]
    legends = re.findall(r'<legend class="h6 mb-1">([^<]+)</legend>', text)
    assert legends[:2] == ["Hạ tầng kỹ thuật", "Nhân lực"]
    label = re.search(r'<label[^>]*for="indicator-WEB_PORTAL"[^>]*>(.*?)</label>', text, re.S)
    assert label.group(1).startswith(response.context["rows"][2]["indicator"].name)
    assert 'value="WEB_PORTAL" id="indicator-WEB_PORTAL" checked' in text


def test_the_default_indicators_are_the_dashboards_headline_ones(committee):
    response = committee.get(
        "/dashboard/compare/", {"units": [unit("464").pk, unit("466").pk], "period": PERIOD}
    )
    codes = [r["indicator"].code for r in response.context["rows"]]
    assert "APP_DIGSIG_DOCS" in codes and "INF_LAN" in codes
    assert len(codes) >= 8


def test_codes_on_a_day_still_name_units(committee):
    response = committee.get(
        "/dashboard/compare/", {"codes": "464, 466", "on": "2020-10-13", "period": PERIOD}
    )
    assert response.status_code == 200
    assert [u.code for u in response.context["units"]] == ["464", "466"]


# --- what cannot be compared, said ------------------------------------------------------------


def test_an_unknown_unit_is_named_in_a_message(committee):
    response = committee.get("/dashboard/compare/", {"units": [unit("464").pk, 99999999]})
    assert response.status_code == 400
    assert shown_messages(response) == ["Không có đơn vị mã số 99999999: hãy tìm đơn vị theo tên."]


def test_a_word_for_a_unit_is_named_in_a_message(committee):
    response = committee.get("/dashboard/compare/", {"units": ["Vĩnh Linh"]})
    assert response.status_code == 400
    assert "«Vĩnh» không phải mã số đơn vị." in shown_messages(response)


@pytest.mark.parametrize("word", ["²", "9" * 30, "-3"])
def test_what_is_no_id_at_all_is_said_not_looked_up(committee, word):
    response = committee.get("/dashboard/compare/", {"units": [unit("464").pk, word]})
    assert response.status_code == 400
    assert shown_messages(response) == [f"«{word}» không phải mã số đơn vị."]


def test_an_unknown_indicator_is_named_in_a_message(committee):
    response = committee.get(
        "/dashboard/compare/",
        {"units": [unit("464").pk, unit("466").pk], "indicators": ["WEB_PORTAL", "NOPE"]},
    )
    assert response.status_code == 400
    assert shown_messages(response) == ["Không có chỉ tiêu mã NOPE."]
    assert len(response.context["chips"]) == 2  # the units chosen stay chosen


def test_more_units_than_the_limit_are_refused_saying_the_limit(committee):
    districts = list(
        Unit.objects.in_force(SEEDS_DAY)
        .filter(parent=unit("45"))
        .order_by("code")
        .values_list("pk", flat=True)
    )
    assert len(districts) > forms.COMPARE_MAX
    response = committee.get("/dashboard/compare/", {"units": districts[: forms.COMPARE_MAX + 1]})
    assert response.status_code == 400
    assert shown_messages(response) == [
        f"So sánh tối đa {forms.COMPARE_MAX} đơn vị (đang có {forms.COMPARE_MAX + 1})."
    ]


def test_a_bad_period_is_named_in_a_message(committee):
    response = committee.get(
        "/dashboard/compare/", {"units": [unit("464").pk, unit("466").pk], "period": "2020Q9"}
    )
    assert response.status_code == 400
    assert len(shown_messages(response)) == 1
    assert "2020Q9" in shown_messages(response)[0]


def test_pages_with_choices_and_results_hold_no_inline_script_or_style(committee):
    vinh_linh = unit("464")
    for url, params in (
        ("/dashboard/compare/", {"q": "vinh linh", "units": [vinh_linh.pk, unit("466").pk]}),
        (f"/dashboard/{vinh_linh.pk}/compare/", {"period": PERIOD, "sort": "APP_DIGSIG_DOCS"}),
    ):
        response = committee.get(url, {**params, "period": PERIOD})
        assert response.status_code == 200
        assert inline_parts(text_of(response)).blocked == [], url


# --- who may compare what ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in ("/dashboard/compare/", f"/dashboard/{unit('464').pk}/compare/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_any_unit_compares_its_approved_figures(client, users):
    """Approved figures are open data (issue 19, item 1): a district of another province
    compares as one's own does, and the search offers every match."""
    login(client, "vinhlinh.nhaplieu")
    vinh_linh, ho_xa = unit("464"), unit("19363")
    assert client.get("/dashboard/compare/", {"units": [vinh_linh.pk, ho_xa.pk]}).status_code == 200
    other = unit("064", datetime.date(2021, 7, 31))
    response = client.get("/dashboard/compare/", {"units": [vinh_linh.pk, other.pk]})
    assert response.status_code == 200
    assert shown_messages(response) == []
    assert "rows" in response.context
    response = client.get("/dashboard/compare/", {"q": "gio linh", "on": "2020-10-13"})
    first = response.context["search"]["matches"][0]
    assert first["unit"].name == "Huyện Gio Linh"
    assert first["may_compare"]
    assert "ngoài phạm vi bạn được xem" not in text_of(response)


def test_the_units_below_are_for_every_signed_in_user(client, users):
    vinh_linh = unit("464")
    assert client.get(f"/dashboard/{vinh_linh.pk}/compare/").status_code == 302  # sign in
    login(client, "vinhlinh.nhaplieu")
    assert client.get(f"/dashboard/{vinh_linh.pk}/compare/").status_code == 200
    login(client, "xavinhlinh.nhaplieu")  # today's Xã Vĩnh Linh: another unit
    assert client.get(f"/dashboard/{vinh_linh.pk}/compare/").status_code == 200
    assert client.get("/dashboard/999999/compare/").status_code == 404


# --- every unit below one ---------------------------------------------------------------------


def communes_of_vinh_linh() -> list[Unit]:
    return list(Unit.objects.in_force(SEEDS_DAY).filter(parent=unit("464")).order_by("code"))


def test_every_commune_of_vinh_linh_is_reachable_page_by_page(committee, monkeypatch):
    communes = communes_of_vinh_linh()
    assert len(communes) == 18  # the reference data on 13/10/2020
    monkeypatch.setattr(compare_reads, "CHILDREN_PER_PAGE", 5)
    url = f"/dashboard/{unit('464').pk}/compare/"
    seen = []
    for page in (1, 2, 3, 4):
        response = committee.get(url, {"period": PERIOD, "page": page})
        assert response.status_code == 200
        seen += child_rows(text_of(response))
    assert seen == [str(c.pk) for c in communes]
    last = text_of(committee.get(url, {"period": PERIOD, "page": 4}))
    assert communes[-1].name in last
    assert "Đơn vị 16–18 trong 18" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_all_eighteen_fit_on_one_page_of_twenty(committee):
    response = committee.get(f"/dashboard/{unit('464').pk}/compare/", {"period": PERIOD})
    assert len(child_rows(text_of(response))) == 18
    assert not response.context["page"].has_other_pages()


def test_the_units_below_sort_by_an_indicator_best_first(committee):
    vinh_linh = unit("464")
    response = committee.get(
        f"/dashboard/{vinh_linh.pk}/compare/",
        {"period": "2024", "indicators": "APP_DIGSIG_DOCS", "sort": "APP_DIGSIG_DOCS"},
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    values = [r["cells"][0]["value"].percent_or_value for r in rows]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True)
    assert values[: len(known)] == known  # the units without a value last
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


def test_the_units_below_say_what_is_wrong_with_the_choices(committee):
    url = f"/dashboard/{unit('464').pk}/compare/"
    response = committee.get(url, {"indicators": "NOPE", "period": PERIOD})
    assert response.status_code == 400
    assert shown_messages(response) == ["Không có chỉ tiêu mã NOPE."]
    response = committee.get(url, {"period": "2020Q9"})
    assert response.status_code == 400
    assert "2020Q9" in shown_messages(response)[0]
    # A page out of range or not a number: the nearest page, not an error.
    assert committee.get(url, {"period": PERIOD, "page": "99"}).status_code == 200
    assert committee.get(url, {"period": PERIOD, "page": "x"}).status_code == 200


def test_the_dashboard_links_to_every_unit_below(committee):
    """Not a comparison of its first six (units=…&units=…), but the page of all of them."""
    quang_tri = unit("45")
    text = text_of(committee.get(f"/dashboard/{quang_tri.pk}/", {"period": PERIOD}))
    assert f"/dashboard/{quang_tri.pk}/compare/?period={PERIOD}" in text
    assert "&amp;units=" not in text


# --- queries ----------------------------------------------------------------------------------

# Session, user, membership; the indicators; the chosen units (or the unit and its children);
# the district and province aggregates; the engine's reads for what they lack (units,
# indicators present, members' counts, figures); the approximate figures among the values;
# the request log's unit code; the header's unread notifications. None is per unit: 2 units
# or 6, 10 children or 18, the same.
MAX_QUERIES = 15


def test_comparing_more_units_costs_no_more_queries(committee, django_assert_max_num_queries):
    districts = list(Unit.objects.in_force(SEEDS_DAY).filter(parent=unit("45")).order_by("code"))
    for n in (2, 6):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = committee.get(
                "/dashboard/compare/", {"units": [d.pk for d in districts[:n]], "period": PERIOD}
            )
        assert len(header_units(text_of(response))) == n


def test_the_units_below_cost_the_same_queries_for_few_or_many(
    committee, django_assert_max_num_queries
):
    """Huyện Vĩnh Linh's 18 communes, Tỉnh Quảng Trị's 10 districts, sorted or not."""
    for code, params in (
        ("464", {"period": PERIOD}),
        ("464", {"period": PERIOD, "sort": "APP_DIGSIG_DOCS"}),
        ("45", {"period": PERIOD}),
    ):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = committee.get(f"/dashboard/{unit(code).pk}/compare/", params)
        assert len(child_rows(text_of(response))) >= 10


# --- the search's day -------------------------------------------------------------------------

TODAY = datetime.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("valid_to", "period", "expected"),
    [
        # The old Quảng Trị (ended 30/06/2025): its last day, unless a period says otherwise.
        (datetime.date(2025, 6, 30), None, datetime.date(2025, 6, 30)),
        (datetime.date(2025, 6, 30), "2020Q4", datetime.date(2020, 12, 31)),
        # A unit in force today: today; a period not yet over: today, not its end.
        (None, None, TODAY),
        (None, "2026Q4", TODAY),
    ],
)
def test_the_search_day(valid_to, period, expected):
    own = Unit(code="45", name="Tỉnh Quảng Trị", valid_from=None, valid_to=valid_to)
    day = compare_reads.search_day(
        member_unit=own, period=parse_period(period) if period else None, today=TODAY
    )
    assert day == expected


def test_the_search_day_without_a_unit_is_today():
    assert compare_reads.search_day(member_unit=None, period=None, today=TODAY) == TODAY
