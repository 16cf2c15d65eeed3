"""The roll-up engine's cache (indicators/cache.py): a cached result is served until a
committed change to the figures, by any path, moves the data version on."""

import contextlib

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from accounts.services import demo_users_create
from entry.services import submission_act
from indicators import analytics
from indicators.cache import data_version
from indicators.models import Figure, Indicator
from indicators.services import FigureInput, figures_save_many
from tests.test_entry_workflow import OLD, Q1, complete_values, save
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def users() -> dict:
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def hoxa() -> Unit:
    return Unit.objects.in_force(OLD).get(code="19363")


@pytest.fixture
def cache_on(settings):
    settings.ROLLUP_CACHE_SECONDS = 600


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` stands for a transaction that commits: its on-commit callbacks
    run, and are gone (the test's own transaction would otherwise keep them pending)."""

    @contextlib.contextmanager
    def commit():
        start = len(connection.run_on_commit)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks
        del connection.run_on_commit[start:]

    return commit


def lan(unit):
    return analytics.rollup_value(Indicator.objects.get(code="INF_LAN"), unit, Q1)


def test_a_second_read_is_served_from_the_cache(cache_on, hoxa, django_assert_num_queries):
    first = lan(hoxa)
    indicator = Indicator.objects.get(code="INF_LAN")
    with django_assert_num_queries(1):  # the data version only
        again = analytics.rollup_value(indicator, hoxa, Q1)
    assert again == first


def test_a_saved_figure_is_read_at_once(cache_on, hoxa, committed):
    assert lan(hoxa).value is None
    before = data_version()
    with committed():
        figures_save_many(
            inputs=[
                FigureInput(
                    unit_code=hoxa.code,
                    unit_on=Q1.end,
                    indicator="INF_LAN",
                    period=Q1.id,
                    value="1",
                )
            ],
            status=Figure.Status.APPROVED,
        )
    assert data_version() == before + 1
    assert lan(hoxa).value == 1


def test_an_approval_through_the_workflow_is_read_at_once(
    cache_on,
    users,
    hoxa,
    committed,
):
    with committed():
        result = save(users["hoxa.nhaplieu"], hoxa, complete_values(hoxa, None, Q1), submit=True)
    assert lan(hoxa).value is None  # submitted, not approved: cached as nothing
    reviewer = next(u for name, u in users.items() if name == "vinhlinh.duyet")
    with committed() as callbacks:
        submission_act(user=reviewer, submission=result.submission, action="approve")
    assert callbacks, "the approval (a bulk update, no signals) must move the version on"
    assert lan(hoxa).value == 1


def test_one_transaction_moves_the_version_once(hoxa, committed):
    before = data_version()
    inputs = [
        FigureInput(unit_code=hoxa.code, unit_on=Q1.end, indicator=code, period=Q1.id, value=value)
        for code, value in (("INF_LAN", "1"), ("INF_BROADBAND", "1"), ("HR_PROFICIENT", "50"))
    ]
    with committed():
        figures_save_many(inputs=inputs, status=Figure.Status.APPROVED)
    assert data_version() == before + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_bulk_import_by_copy_moves_the_version_on(committed):
    from indicators import store
    from indicators.periods import parse_period

    period = parse_period("2019Q1")
    communes = list(Unit.objects.in_force(period.end).filter(level="commune")[:1000])
    indicator = Indicator.objects.get(code="INF_LAN")
    figures = [
        Figure(
            unit=c,
            indicator=indicator,
            period=period.id,
            period_start=period.start,
            period_end=period.end,
            value=1,
            status=Figure.Status.APPROVED,
        )
        for c in communes
    ]
    before = data_version()
    with committed():
        created = store.figures_copy_create(figures, count=len(figures), by=None)
        assert len(created) == len(communes)
    assert data_version() == before + 1


def inf_lan(unit, value: str) -> FigureInput:
    return FigureInput(
        unit_code=unit.code, unit_on=Q1.end, indicator="INF_LAN", period=Q1.id, value=value
    )


def test_drafts_do_not_move_the_version_but_leaving_approved_does(hoxa, committed):
    """Officials save drafts all day at the quarter's end; roll-ups read approved figures only,
    so the cache outlives drafts. A figure that leaves "approved" moves it, as one that
    enters it does."""
    before = data_version()
    with committed():
        figures_save_many(inputs=[inf_lan(hoxa, "1")], status=Figure.Status.DRAFT)
    with committed():
        figures_save_many(inputs=[inf_lan(hoxa, "0")], status=Figure.Status.DRAFT)
    assert data_version() == before
    with committed():
        figures_save_many(inputs=[inf_lan(hoxa, "0")], status=Figure.Status.APPROVED)
    assert data_version() == before + 1
    administrator = get_user_model().objects.create_superuser("root", password="x")
    with committed():  # an administrator puts it back to draft: the approved value is gone
        figures_save_many(inputs=[inf_lan(hoxa, "0")], by=administrator, status=Figure.Status.DRAFT)
    assert data_version() == before + 2
    with committed():
        Figure.objects.get(unit=hoxa, indicator__code="INF_LAN", period=Q1.id).delete()
    assert data_version() == before + 2  # a draft deleted


def test_a_draft_saved_through_the_form_leaves_the_cache(cache_on, users, hoxa, committed):
    before = data_version()
    with committed():
        save(users["hoxa.nhaplieu"], hoxa, complete_values(hoxa, None, Q1))
    assert data_version() == before
    with committed():
        save(users["hoxa.nhaplieu"], hoxa, complete_values(hoxa, None, Q1), submit=True)
    assert data_version() == before  # submitted, not approved


def test_a_target_or_a_pillar_weight_changed_moves_the_version_on(committed):
    """Dashboards cache their ranking, which scores units against targets and weights."""
    from plans.models import Target
    from reports.models import PillarWeight

    before = data_version()
    target = Target.objects.order_by("pk").first()
    with committed():
        target.value += 1
        target.save()
    assert data_version() == before + 1
    weight = PillarWeight.objects.order_by("pk").first()
    if weight is None:
        weight = PillarWeight(pillar="infrastructure", weight=1)
    with committed():
        weight.weight += 1
        weight.save()
    assert data_version() == before + 2
