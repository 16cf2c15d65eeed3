"""The dashboard's figure and ranking rows, written by tags, are what the template loops
they replaced wrote, character for character, in both languages (docs/decisions/0028)."""

import copy
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from reports.templatetags.dashboard_rows import figure_rows, ranking_rows
from units.models import Unit

# The loops as templates/reports/unit_dashboard.html wrote them before the tags.
FIGURES_LOOP = """{% load values %}{% for f in figures %}
      <tr>
        <td><a href="{% url 'reports:indicator' unit.pk f.indicator.code %}?period={{ period.id }}"><code>{{ f.indicator.code }}</code></a> <span class="small">{{ f.indicator.localized_name }}</span></td>
        {% figure_cells f %}
      </tr>
    {% endfor %}"""  # noqa: E501
RANKING_LOOP = """{% load i18n %}{% for row in ranking %}
      <tr{% if row.index is None %} class="ranking-unranked"{% endif %}>
        <td class="text-end">{{ row.rank|default:"—" }}</td>
        <td class="text-nowrap small">{% if row.rank_change > 0 %}<span class="change-up" title="{% translate 'Tăng hạng so với kỳ trước' %}">▲ {{ row.rank_change_size }}</span>{% elif row.rank_change < 0 %}<span class="change-down" title="{% translate 'Giảm hạng so với kỳ trước' %}">▼ {{ row.rank_change_size }}</span>{% elif row.rank_change == 0 %}<span title="{% translate 'Giữ hạng' %}">=</span>{% endif %}</td>
        <td class="text-nowrap"><a href="{% url 'reports:dashboard' row.unit.pk %}?period={{ period.id }}">{{ row.unit.name }}</a> <span class="unit-code">{{ row.unit.code }}</span></td>
        <td class="text-end text-nowrap fw-semibold">{% if row.index is None %}<span class="fw-normal small text-body-secondary">{{ row.note }}</span>{% else %}{{ row.index|floatformat:1 }}{% endif %}</td>
        {% for score in row.pillars %}<td class="text-end small">{% if score is None %}—{% else %}{{ score|floatformat:1 }}{% endif %}</td>{% endfor %}
      </tr>
    {% endfor %}"""  # noqa: E501

PERIOD = parse_period("2025Q2")
texts = st.text(alphabet=st.sampled_from(list("aZ0 <>&\"'ăễđ")), max_size=6)
scores = st.one_of(st.none(), st.floats(0, 100, allow_nan=False), st.integers(0, 100))
rows = st.fixed_dictionaries(
    {
        "rank": st.one_of(st.none(), st.integers(0, 40)),
        "rank_change": st.one_of(st.none(), st.integers(-5, 5)),
        "index": scores,
        "pillars": st.lists(scores, max_size=5),
        "note": texts,
        "unit": st.builds(Unit, pk=st.integers(1, 99999), name=texts, code=texts),
    }
).map(lambda row: {**row, "rank_change_size": abs(row["rank_change"] or 0) or None})


def rendered(template: str, **context) -> str:
    request = RequestFactory().get("/")
    return Template(template).render(Context({**context, "request": request}))


@settings(max_examples=60, deadline=None)
@given(ranking=st.lists(rows, max_size=4), language=st.sampled_from(["vi", "en"]))
def test_ranking_rows_are_the_loops(ranking, language):
    with translation.override(language):
        assert ranking_rows(ranking, PERIOD) == rendered(
            RANKING_LOOP, ranking=ranking, period=PERIOD
        )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_figure_rows_are_the_loops(reference_data, language):
    figures = list(Figure.objects.select_related("indicator", "unit", "agency").order_by("pk"))
    # The seeds' figures: own and agencies', every scope, ratios and yes/no answers; and,
    # as the seeds have none, approximate ones and counts and amounts (not saved).
    assert {f.indicator.value_type for f in figures} >= {"ratio", "boolean"}
    assert any(f.agency_id for f in figures) and any(f.scope != "self" for f in figures)
    for kind, figure in zip(("count", "amount"), figures[:2], strict=True):
        figures.append(copy.copy(figure))
        figures[-1].indicator = Indicator.objects.filter(value_type=kind).first()
        figures[-1].value, figures[-1].is_approximate = Decimal("1234567.5"), True
    unit = figures[0].unit
    with translation.override(language):
        assert figure_rows(figures, unit, PERIOD) == rendered(
            FIGURES_LOOP, figures=figures, unit=unit, period=PERIOD
        )
