"""The seeds read exactly as the articles write them (issue 18, point 1): every figure and
target carries the sentence it comes from, and what the sentence says is what is stored."""

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from indicators.models import Figure
from indicators.services import FigureInput, read_figures_file
from indicators.writes.figures import figures_save_many, reference_figures_load
from plans.models import Plan, Target

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SHARED = Path(settings.BASE_DIR).parent / "shared"
SEEDS = FIXTURES / "figures" / "seeds.csv"
QUOTE = re.compile(r"«(.+?)»")


def _plain(text: str) -> str:
    return " ".join(text.split())


def _article(source: str) -> str:
    name = source.split(" — ")[0].strip()
    return _plain((SHARED / "seeds" / name).read_text(encoding="utf-8"))


def _rows(name: str) -> list[dict]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


needs_shared = pytest.mark.skipif(
    not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not beside the repository"
)


@needs_shared
def test_every_seed_figure_quotes_its_article_word_for_word():
    for number, row in enumerate(_rows("figures/seeds.csv"), start=2):
        quote = QUOTE.match(row["note"])
        assert quote, f"seeds.csv line {number}: the note does not start with «the sentence»"
        assert _plain(quote.group(1)) in _article(row["source"]), f"seeds.csv line {number}"


@needs_shared
def test_every_target_quotes_its_source_word_for_word():
    plans = {row["code"]: row for row in _rows("plans/plans.csv")}
    national = _plain((SHARED / "NATIONAL_TARGETS.md").read_text(encoding="utf-8"))
    for number, row in enumerate(_rows("plans/targets.csv"), start=2):
        quote = QUOTE.match(row["note"])
        assert quote, f"targets.csv line {number}: the note does not start with «the sentence»"
        source = plans[row["plan"]]["source"]
        text = national if source.startswith("NATIONAL_TARGETS.md") else _article(source)
        assert _plain(quote.group(1)) in text, f"targets.csv line {number}"


def _figures(unit_code: str, indicator: str) -> dict[str, Figure]:
    return {
        f.scope: f for f in Figure.objects.filter(unit__code=unit_code, indicator__code=indicator)
    }


def test_vinh_linh_communes_have_internet_not_said_to_be_broadband(reference_data):
    assert _figures("464", "INF_BROADBAND") == {}
    internet = _figures("464", "INF_INTERNET")["communes"]
    assert (internet.numerator, internet.denominator, internet.value) == (18, 18, 100)


def test_dak_lak_departments_have_internet_and_their_offices_broadband(reference_data):
    assert _figures("66", "INF_INTERNET")["departments"].value == 100
    assert set(_figures("66", "INF_BROADBAND")) == {"district_offices", "communes"}


def test_cho_don_can_use_or_proficient_is_not_proficiency(reference_data):
    assert _figures("064", "HR_PROFICIENT") == {}
    assert _figures("064", "HR_COMPUTER_SKILLS")["self"].value == 99


def test_cho_don_postal_delivery_is_stored(reference_data):
    assert _figures("064", "SVC_POSTAL_RESULTS")["self"].value == 1


def test_cho_don_signature_rates_are_approximate_tiers_not_the_district(reference_data, api_client):
    figures = _figures("064", "APP_DIGSIG_DOCS")
    assert {s: (f.value, f.is_approximate) for s, f in figures.items()} == {
        "district_offices": (Decimal(90), True),
        "communes": (Decimal(60), True),
    }
    # Neither tier stands for the whole district, so nor for its province, then or now.
    for unit_code, on in (("064", "2021-07-31"), ("06", "2021-07-31"), ("19", "2026-01-01")):
        body = api_client.get(
            "/api/v1/analytics/",
            {"indicator": "APP_DIGSIG_DOCS", "unit_code": unit_code, "on": on, "period": "2021Q3"},
        ).json()
        assert body["results"][0]["value"] is None, unit_code


def test_the_api_says_which_figures_are_approximate(reference_data, api_client):
    body = api_client.get(
        "/api/v1/observations/", {"unit_code": "064", "on": "2021-07-31", "page_size": 100}
    ).json()
    approximate = {(f["indicator"], f["scope"]) for f in body["results"] if f["approximate"]}
    assert approximate == {("APP_DIGSIG_DOCS", "district_offices"), ("APP_DIGSIG_DOCS", "communes")}


def test_vinh_phuc_directive_sets_no_target_for_past_work_or_directions(reference_data):
    codes = set(
        Target.objects.filter(plan__code="VP-CD-2016").values_list("indicator__code", flat=True)
    )
    assert codes == {"APP_DIGSIG_DOCS"}
    goal = Plan.objects.get(code="VP-CD-2016").goal
    assert "tăng cường sử dụng, khai thác" in goal and "không có con số" in goal


def test_a_target_without_deadline_is_due_from_the_documents_issue(reference_data, admin_client):
    from indicators.periods import parse_period
    from plans.progress import Status, plan_progress

    plan = Plan.objects.get(code="VP-CD-2016")
    (row,) = [r for r in plan_progress(plan, parse_period("2016")) if r.target.plan == plan]
    # Nobody reported: no data, and due already (a dated target would be "on track" for years).
    assert row.status == Status.NO_DATA
    page = admin_client.get(f"/plans/{plan.code}/?period=2016").content.decode()
    assert "không nêu thời hạn" in page


def test_dak_lak_decision_date_unknown_article_date_kept(reference_data):
    plan = Plan.objects.get(code="DL-KH-2016")
    assert plan.issued_on is None
    assert str(plan.source_on) == "2016-07-13"


def test_vinh_linh_goal_says_smart_urban_areas(reference_data):
    assert "đô thị thông minh" in Plan.objects.get(code="VL-KH-2021").goal
    assert "thị trấn thông minh" not in Plan.objects.get(code="VL-KH-2021").goal


def test_quang_binh_every_agency_not_the_province_itself(reference_data):
    target = Target.objects.get(plan__code="QB-2342-2018", indicator__code="APP_SHARED_SOFTWARE")
    assert target.scope == Target.Scope.ALL_AGENCIES


def test_loading_again_retires_a_reading_the_file_no_longer_holds(reference_data):
    source = (
        "000_98ee4c67b2729a11.txt — Vĩnh Linh ban hành Kế hoạch ứng dụng CNTT giai đoạn 2021-2025"
    )
    old = FigureInput(
        unit_code="464",
        unit_on=None,
        indicator="INF_BROADBAND",
        period="2020Q4",
        scope="communes",
        value="100",
        source=source,
    )
    figures_save_many(inputs=[old], status=Figure.Status.APPROVED, reference_files=True)
    assert _figures("464", "INF_BROADBAND")
    summary = reference_figures_load(inputs=read_figures_file(SEEDS))
    assert summary.retired == 1
    assert _figures("464", "INF_BROADBAND") == {}
    assert _figures("464", "INF_INTERNET")  # the file's own figures stay


def test_a_file_marks_a_figure_approximate(reference_data, api_client, django_user_model):
    from indicators.importing import read_figures

    read = read_figures(
        "unit_code,on,indicator,period,value,khoảng\n464,2021-03-31,HR_COMPUTER_USE,2021Q1,95,x\n"
        "464,2021-03-31,HR_IT_STAFF,2021Q1,3,\n464,2021-03-31,HR_IT_OFFICER,2021Q1,1,maybe\n".encode()
    )
    # An empty cell says nothing: a figure sent again keeps its flag (a new one: not).
    assert [i.approximate for i in read.inputs] == [True, None]
    ((error),) = read.errors
    assert (error.row, error.field) == (4, "approximate")
    assert "maybe" in error.message


@pytest.fixture
def staff_api(api_client, django_user_model):
    api_client.force_authenticate(django_user_model.objects.create_user("seeds", is_staff=True))
    return api_client


def test_a_resent_figure_without_the_column_keeps_its_approximate_flag(reference_data, staff_api):
    stored = _figures("064", "APP_DIGSIG_DOCS")["communes"]
    body = {
        "unit_code": "064",
        "on": "2021-07-31",
        "indicator": "APP_DIGSIG_DOCS",
        "period": "2021Q3",
        "scope": "communes",
        "value": "60",
        "source": stored.source,
        "note": stored.note,
        "status": "approved",
    }  # as an older client sends it again: no `approximate`
    response = staff_api.post("/api/v1/observations/", body, format="json")
    assert response.status_code == 200, response.content  # the same figure: unchanged
    assert response.json()["approximate"] is True


def test_a_figure_a_person_entered_is_never_retired(reference_data, django_user_model):
    source = (
        "000_98ee4c67b2729a11.txt — Vĩnh Linh ban hành Kế hoạch ứng dụng CNTT giai đoạn 2021-2025"
    )
    person = django_user_model.objects.create(username="someone")
    figure = Figure.objects.get(unit__code="464", indicator__code="INF_LAN", scope="communes")
    theirs = Figure.objects.create(
        unit=figure.unit,
        indicator=figure.indicator,
        period="2021Q1",
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 3, 31),
        scope="communes",
        value=100,
        source=source,
        entered_by=person,
        status=Figure.Status.APPROVED,
    )
    reference_figures_load(inputs=read_figures_file(SEEDS))
    assert Figure.objects.filter(pk=theirs.pk).exists()


def test_a_target_without_deadline_does_not_apply_before_its_document(reference_data):
    from indicators.periods import parse_period
    from plans.progress import plan_progress

    plan = Plan.objects.get(code="VP-CD-2016")  # issued on 03/10/2016
    before = [r for r in plan_progress(plan, parse_period("2016Q2")) if r.target.plan == plan]
    after = [r for r in plan_progress(plan, parse_period("2016Q4")) if r.target.plan == plan]
    assert (len(before), len(after)) == (0, 1)


def test_pages_show_the_articles_title_not_its_corpus_file_name(reference_data, admin_client):
    from indicators.templatetags.sources import source_title

    # The article's own title (indicators.sources), not the loader's words after the file.
    source = "003_03567fd821d6ea94.txt — Kế hoạch phát triển và ứng dụng CNTT"
    assert source_title(source).startswith("Phát triển và ứng dụng công nghệ thông tin")
    assert source_title("Báo cáo quý của xã") == "Báo cáo quý của xã"
    page = admin_client.get("/indicators/WEB_PORTAL/").content.decode()
    assert ">Phát triển và ứng dụng công nghệ thông tin xây dựng Chính phủ điện tử" in page
    assert "003_03567fd821d6ea94.txt" not in page
