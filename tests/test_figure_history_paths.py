"""A report's figures moved together (an approval: 20 or more, by COPY on PostgreSQL,
copy_write.UPDATE_BY_COPY) get the history records simple_history writes for a few: one
"~" record each, by the reviewer, at the time the figures were updated, with the change
reason as simple_history leaves it: empty for a change (NULL for a creation)."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from entry.services import EntryValue, applicable_indicators, entry_save, submission_act
from indicators.models import Figure
from indicators.periods import parse_period
from indicators.writes import copy_write
from units.models import Unit

pytestmark = pytest.mark.django_db
Q4 = parse_period("2024Q4")


def test_an_approval_writes_one_record_per_figure(reference_data):
    demo_users_create()
    users = get_user_model().objects.in_bulk(
        ["hoxa.nhaplieu", "vinhlinh.duyet"], field_name="username"
    )
    official, reviewer = users["hoxa.nhaplieu"], users["vinhlinh.duyet"]
    hoxa = Unit.objects.in_force(Q4.end).get(code="19363")
    values = {
        i.code: EntryValue(numerator="1", denominator="2")
        if i.value_type == "ratio"
        else EntryValue(value="1")
        for i in applicable_indicators(hoxa, None, Q4)
    }
    assert len(values) >= copy_write.UPDATE_BY_COPY  # the COPY path on PostgreSQL
    report = entry_save(
        user=official, unit=hoxa, agency=None, period=Q4, values=values, version=0, submit=True
    ).submission
    submission_act(user=reviewer, submission=report, action="approve")

    figures = Figure.objects.filter(unit=hoxa, period=Q4.id)
    approved = Figure.history.filter(unit=hoxa, period=Q4.id, status=Figure.Status.APPROVED)
    assert approved.count() == figures.count() == len(values)
    updated_at = {f.pk: f.updated_at for f in figures}
    for record in approved:
        assert record.history_type == "~"
        assert record.history_user_id == reviewer.pk
        assert record.history_change_reason == ""
        assert abs(record.history_date - updated_at[record.id]) < datetime.timedelta(seconds=1)
    created = Figure.history.filter(unit=hoxa, period=Q4.id, history_type="+")
    assert set(created.values_list("history_change_reason", flat=True)) == {None}
