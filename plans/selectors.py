"""Reads of plans."""

from django.db.models import Prefetch, QuerySet

from plans.models import Plan, Target


def plan_list() -> QuerySet[Plan]:
    return (
        Plan.objects.select_related("issuing_unit")
        .prefetch_related("implements")
        .order_by("-year_from", "code")
    )


def plan_detail_queryset() -> QuerySet[Plan]:
    return plan_list().prefetch_related(
        "implemented_by",
        "budget_lines",
        Prefetch("targets", queryset=Target.objects.select_related("indicator", "plan")),
    )
