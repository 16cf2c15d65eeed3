"""/api/v1/readiness/ and the dashboard's ranking on the seeded data: the readiness index of
decision 0016, worked out by hand in the comments (the method itself: test_readiness_index.py).
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Value
from django.db.models.functions import Replace

from accounts.services import demo_users_create
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from indicators.validation import indicator_valid_in
from plans.models import Plan, Target
from reports.dashboard import dashboard_build
from reports.index import shown
from reports.serializers import BY_INVALID
from units.models import Unit

pytestmark = pytest.mark.django_db
URL = "/api/v1/readiness/"
OLD = datetime.date(2024, 1, 1)
Q4_2024 = parse_period("2024Q4")
TODAY = datetime.date(2026, 11, 23)
PILLARS = [
    "infrastructure",
    "human_resources",
    "internal_apps",
    "public_services",
    "information",
    "security",
]
# The commune catalogue cut to these for the Hồ Xá cases, so that they can be worked by hand
# whatever the rest of the catalogue becomes: 5 infrastructure, 3 internal applications and
# 2 security indicators, and a count (HR_IT_STAFF) that no target gives a reference.
CUT = (
    "INF_LAN",
    "INF_BROADBAND",
    "INF_PC_EQUIPPED",
    "INF_ONLINE_MEETING",
    "INF_PC_INTERNET",
    "APP_EDOC_EXCHANGE",
    "APP_DIGSIG_DOCS",
    "APP_OFFICIAL_EMAIL",
    "SEC_ANTIVIRUS",
    "SEC_LEVEL_APPROVED",
    "HR_IT_STAFF",
)
# Hồ Xá's figures of 49–90 % for 2024Q4 (yes/no answers as 1 or 0).
HO_XA = {
    "INF_LAN": 1,
    "INF_BROADBAND": 1,
    "INF_PC_EQUIPPED": 90,
    "INF_ONLINE_MEETING": 0,
    "APP_EDOC_EXCHANGE": 49,
    "APP_DIGSIG_DOCS": 70,
    "SEC_ANTIVIRUS": 85,
    "HR_IT_STAFF": 2,
}


def unit(code: str, on: datetime.date) -> Unit:
    return Unit.objects.in_force(on).get(code=code)


def cut_catalogue(level: str, codes=CUT) -> None:
    """Only `codes` apply to units of `level` in this test (the others lose that level)."""
    Indicator.objects.filter(levels__contains=f",{level},").exclude(code__in=codes).update(
        levels=Replace("levels", Value(f",{level},"), Value(","))
    )


def report(who: Unit, values: dict, *, status=Figure.Status.APPROVED, period=Q4_2024) -> None:
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=values)}
    Figure.objects.bulk_create(
        Figure(
            unit=who,
            indicator=indicators[code],
            period=period.id,
            period_start=period.start,
            period_end=period.end,
            value=Decimal(value),
            status=status,
        )
        for code, value in values.items()
    )


def pillars(result: dict) -> dict:
    return {p["pillar"]: p for p in result["pillars"]}


def percentage_indicators(level: str, period) -> dict[str, int]:
    """The rule, said once more for the check: every ratio and yes/no indicator that applies
    to the level and is valid in the period, by pillar (no count has a target in the plans)."""
    found: dict[str, int] = {}
    for i in Indicator.objects.filter(
        levels__contains=f",{level},", value_type__in=["ratio", "boolean"]
    ):
        if indicator_valid_in(i, period):
            found[i.pillar] = found.get(i.pillar, 0) + 1
    return found


# --- the seeded Vĩnh Linh ---------------------------------------------------------------


def test_vinh_linh_2020q4_no_longer_scores_100(api_client):
    body = api_client.get(URL, {"unit": "464", "period": "2020Q4"}).json()
    assert body["unit"]["name"] == "Huyện Vĩnh Linh"  # 464 on the period's last day
    assert (body["period"], body["by"], body["min_coverage"]) == ("2020Q4", "unit", 60.0)
    (result,) = body["results"]
    # Its five approved figures of its own: INF_ONLINE_MEETING (yes), HR_COMPUTER_USE
    # (100 %), APP_DIGSIG_DOCS (70 %), APP_DIGSIG_LEADERS (yes), WEB_PORTAL (yes). Its
    # communes' tier figures (INF_LAN 18/18…) and its office's one-stop shop are not the
    # district's own values. Against the district catalogue of 2020 (9, 7, 14, 10, 3, 2
    # percentage indicators when this was written): 1/9, 1/7, 2/14, 0, 1/3, 0, all under
    # 60 %: no pillar has a score, so no total (the old index gave 100.0 everywhere).
    by_pillar = pillars(result)
    assert list(by_pillar) == PILLARS
    assert {p: by_pillar[p]["counted"] for p in PILLARS} == {
        "infrastructure": 1,
        "human_resources": 1,
        "internal_apps": 2,
        "public_services": 0,
        "information": 1,
        "security": 0,
    }
    assert {p: by_pillar[p]["applicable"] for p in PILLARS} == percentage_indicators(
        "district", parse_period("2020Q4")
    )
    assert result["score"] is None
    assert all(p["score"] is None for p in result["pillars"])
    for p in result["pillars"]:
        assert p["coverage"] == round(100 * p["counted"] / p["applicable"], 1)
    # The total coverage is the pillars' mean (equal weights): 12.2 with that catalogue.
    mean = sum(p["counted"] / p["applicable"] for p in result["pillars"]) / 6
    assert result["coverage"] == float(shown(mean))
    assert by_pillar["information"]["name"] == "Thông tin và cổng thông tin điện tử"


def test_quang_tri_children_score_as_each_does_alone(api_client):
    """by=children: the ten districts of 2020, each as it scores alone (the index does not
    depend on who else is compared)."""
    body = api_client.get(
        URL, {"unit": "45", "period": "2020Q4", "on": "2020-10-13", "by": "children"}
    ).json()
    assert body["unit"]["name"] == "Tỉnh Quảng Trị"
    by_code = {r["unit"]["code"]: r for r in body["results"]}
    assert len(by_code) == 10 and list(by_code) == sorted(by_code)
    alone = api_client.get(URL, {"unit": "464", "period": "2020Q4"}).json()["results"][0]
    assert by_code["464"] == alone
    others = [r for code, r in by_code.items() if code != "464"]
    assert all(r["score"] is None and r["coverage"] == 0.0 for r in others)


def test_a_unit_that_has_ended_has_no_children_after_it(api_client):
    # Vĩnh Linh ended on 30/06/2025: its communes are not listed for 2025Q3 (as analytics).
    query = {"unit": "464", "on": "2024-01-01", "period": "2025Q3", "by": "children"}
    body = api_client.get(URL, query).json()
    assert (body["unit"]["name"], body["results"]) == ("Huyện Vĩnh Linh", [])


def test_a_2025_province_reads_2020_through_its_predecessors(api_client):
    body = api_client.get(URL, {"unit": "44", "period": "2020Q4", "on": "2026-01-01"}).json()
    (result,) = body["results"]
    assert body["unit"]["name"] == "Tỉnh Quảng Trị"  # today's, from Quảng Bình and Quảng Trị
    # Vĩnh Linh's five figures, rolled up through the old Quảng Trị, are all it has: one
    # district of ten in one province of two covers too little to stand for the province
    # (docs/decisions/0017), so nothing is counted.
    assert sum(p["counted"] for p in result["pillars"]) == 0
    assert result["score"] is None


# --- Hồ Xá, by hand ----------------------------------------------------------------------


def test_ho_xa_pillars_by_hand_and_drafts_do_not_count(api_client):
    cut_catalogue("commune")
    ho_xa = unit("19363", OLD)
    report(ho_xa, HO_XA)
    report(ho_xa, {"SEC_LEVEL_APPROVED": 60}, status=Figure.Status.DRAFT)
    query = {"unit": "19363", "period": "2024Q4"}
    body = api_client.get(URL, query).json()
    (result,) = body["results"]
    assert result["unit"]["name"] == "Thị trấn Hồ Xá"
    by_pillar = pillars(result)
    # Infrastructure 4 of 5 (80 %): (1 + 1 + 0.90 + 0) / 4 = 0.725 → 72.5.
    # Internal applications 2 of 3 (66.7 %): (0.49 + 0.70) / 2 = 0.595 → 59.5.
    # Security 1 of 2 (50 % < 60 %): no score; the draft of SEC_LEVEL_APPROVED is not counted.
    # HR_IT_STAFF (a count, no target) is not scored: no human resources pillar.
    assert {
        p: (d["score"], d["coverage"], d["counted"], d["applicable"]) for p, d in by_pillar.items()
    } == {
        "infrastructure": (72.5, 80.0, 4, 5),
        "internal_apps": (59.5, 66.7, 2, 3),
        "security": (None, 50.0, 1, 2),
    }
    # No total without security; coverage (0.8 + 0.6667 + 0.5) / 3 = 0.6556 → 65.6.
    assert (result["score"], result["coverage"]) == (None, 65.6)

    # Approved, the 60 % completes security: (0.85 + 0.60) / 2 = 0.725 → 72.5, and the total
    # (0.725 + 0.595 + 0.725) / 3 = 0.6817 → 68.2, coverage (0.8 + 0.6667 + 1) / 3 → 82.2.
    Figure.objects.filter(unit=ho_xa, indicator__code="SEC_LEVEL_APPROVED").update(
        status=Figure.Status.APPROVED
    )
    (result,) = api_client.get(URL, query).json()["results"]
    assert pillars(result)["security"]["score"] == 72.5
    assert (result["score"], result["coverage"]) == (68.2, 82.2)


def test_a_count_is_scored_against_the_plan_target_that_reads_on_the_unit(api_client):
    """Vĩnh Linh's plan (2021–2025) asks every commune for at least 4 online meetings by
    2025 (a target made for the test: no plan loaded sets a count): Hồ Xá's 2 score 0.5."""
    cut_catalogue("commune", (*CUT, "INF_ONLINE_MEETING_COUNT"))
    deadline = parse_period("2025")
    Target.objects.create(
        plan=Plan.objects.get(code="VL-KH-2021"),
        indicator=Indicator.objects.get(code="INF_ONLINE_MEETING_COUNT"),
        scope=Target.Scope.COMMUNES,
        mode=Target.Mode.EVERY_UNIT,
        value=Decimal(4),
        deadline=deadline.id,
        deadline_start=deadline.start,
        deadline_end=deadline.end,
    )
    report(unit("19363", OLD), {**HO_XA, "INF_ONLINE_MEETING_COUNT": 2})
    (result,) = api_client.get(URL, {"unit": "19363", "period": "2024Q4"}).json()["results"]
    infrastructure = pillars(result)["infrastructure"]
    # 5 of 6 (83.3 %): (1 + 1 + 0.90 + 0 + 2/4) / 5 = 0.68 → 68.0.
    assert (infrastructure["counted"], infrastructure["applicable"]) == (5, 6)
    assert (infrastructure["score"], infrastructure["coverage"]) == (68.0, 83.3)


def test_the_dashboard_ranks_with_the_apis_scores(api_client):
    """Vĩnh Linh's communes in 2024Q4: the ranking's index is the API's score."""
    cut_catalogue("commune")
    vinh_linh = unit("464", OLD)
    ho_xa = unit("19363", OLD)
    other = Unit.objects.in_force(OLD).filter(parent=vinh_linh).exclude(pk=ho_xa.pk).first()
    report(ho_xa, {**HO_XA, "SEC_LEVEL_APPROVED": 60})  # 68.2, as above
    # The other commune: infrastructure 1 (all yes, 100 %), internal applications
    # (0.8 + 0.9 + 1) / 3 = 0.9, security (1 + 0.5) / 2 = 0.75: (1 + 0.9 + 0.75) / 3 → 88.3.
    report(
        other,
        {
            "INF_LAN": 1,
            "INF_BROADBAND": 1,
            "INF_PC_EQUIPPED": 100,
            "INF_ONLINE_MEETING": 1,
            "INF_PC_INTERNET": 100,
            "APP_EDOC_EXCHANGE": 80,
            "APP_DIGSIG_DOCS": 90,
            "APP_OFFICIAL_EMAIL": 1,
            "SEC_ANTIVIRUS": 100,
            "SEC_LEVEL_APPROVED": 50,
        },
    )
    board = dashboard_build(vinh_linh, Q4_2024, today=TODAY)
    ranked = [(r.key.code, r.rank, shown(r.index)) for r in board.ranking]
    assert ranked[:2] == [(other.code, 1, Decimal("88.3")), (ho_xa.code, 2, Decimal("68.2"))]
    assert all(rank is None and score is None for _code, rank, score in ranked[2:])
    assert len(board.ranking_indicators) == 10  # the count without a target is not compared
    body = api_client.get(URL, {"unit": "464", "period": "2024Q4", "by": "children"}).json()
    scores = {r["unit"]["code"]: r["score"] for r in body["results"]}
    assert (scores[other.code], scores[ho_xa.code]) == (88.3, 68.2)
    assert len(scores) == len(board.ranking)


def test_the_province_dashboard_shows_no_bar_for_a_lone_reporter(client):
    """Quảng Trị 2020Q4: Vĩnh Linh, the one district with figures, has too few for an index
    (it had the only bar, at 100): a sentence says so, and the chart lists every district
    without a bar, each saying why (issue 19, item 10)."""
    demo_users_create()
    client.force_login(get_user_model().objects.get(username="admin"))
    quang_tri = unit("45", datetime.date(2020, 10, 1))
    text = client.get(f"/dashboard/{quang_tri.pk}/?period=2020Q4").content.decode()
    chart = re.search(r'<script id="chart-ranking" type="application/json">(.*?)</script>', text)
    data = json.loads(chart.group(1))
    assert data["datasets"][0]["data"] == [None] * 10
    assert data["notes"][0] == "chưa đủ số liệu"
    assert "Chưa đơn vị nào có đủ số liệu để tính chỉ số." in text
    assert "ít nhất 60% chỉ tiêu" in text


# --- errors, access, queries --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"unit": "464", "period": "2020Q5"}, "period", "Kỳ «2020Q5» không hợp lệ"),
        ({"period": "2020Q4"}, "unit", "Trường này là bắt buộc."),
        ({"unit": "464"}, "period", "Trường này là bắt buộc."),
        ({"unit": "464", "period": "2020Q4", "by": "x"}, "by", "«x» không hợp lệ"),
        ({"unit": "464", "period": "2020Q4", "on": "31/12/2020"}, "on", "Ngày"),
    ],
)
def test_bad_queries_are_400s_in_vietnamese(api_client, query, field, message):
    response = api_client.get(URL, query)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_the_by_message_is_translated(api_client):
    response = api_client.get(URL, {"unit": "464", "period": "2020Q4", "by": "x"})
    assert response.json()["by"] == [BY_INVALID.format(input="x")]
    english = api_client.get(
        URL, {"unit": "464", "period": "2020Q4", "by": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["by"][0].startswith("«x» is not valid")


def test_an_unknown_unit_is_a_404_that_names_the_code_and_day(api_client):
    response = api_client.get(URL, {"unit": "464", "period": "2026Q1"})  # gone since 07/2025
    assert response.status_code == 404
    assert response.json()["detail"] == "Không có đơn vị mã 464 vào ngày 31/03/2026."


def test_everyone_reads_the_same_open_answer(api_client):
    """Approved figures are open data: anonymous visitors, an official of another unit and
    the unit's own official get the same answer (and no draft: see the Hồ Xá case)."""
    demo_users_create()
    users = get_user_model().objects
    answers = []
    for username in (None, "xavinhlinh.nhaplieu", "vinhlinh.nhaplieu"):
        api_client.force_authenticate(users.get(username=username) if username else None)
        response = api_client.get(URL, {"unit": "464", "period": "2020Q4"})
        assert response.status_code == 200
        answers.append(response.json())
    assert answers[0] == answers[1] == answers[2]
    api_client.force_authenticate(users.get(username="vinhlinh.nhaplieu"))
    assert api_client.post(URL, {"unit": "464"}).status_code == 403


def test_by_children_queries_do_not_grow_with_the_children(
    api_client, django_assert_max_num_queries
):
    # Measured, 12: the unit; its children; the plans; the weights; the subtree's ids and the
    # indicators reported in it; the catalogue; the live aggregates, then the engine's reads
    # for what they do not hold (the tree, the indicators with figures, the communes added up
    # per district, the figures). No plan covers Quảng Trị's 2020, so no target is read.
    ten_districts = {"unit": "45", "period": "2020Q4", "on": "2020-10-13", "by": "children"}
    with django_assert_max_num_queries(12):
        response = api_client.get(URL, ten_districts)
    assert len(response.json()["results"]) == 10
    # Today's Quảng Trị, its communes read through their predecessors: 12 too (its
    # predecessors and theirs in place of the engine's communes added up).
    communes = {"unit": "44", "period": "2020Q4", "on": "2026-01-01", "by": "children"}
    with django_assert_max_num_queries(12):
        response = api_client.get(URL, communes)
    quang_tri = unit("44", datetime.date(2026, 1, 1))
    expected = Unit.objects.in_force(quang_tri.valid_from).filter(parent=quang_tri).count()
    assert len(response.json()["results"]) == expected > 10
