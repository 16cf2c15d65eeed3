"""Pages: the plans, one plan with its progress, its laggards; staff forms for plans and targets."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from indicators.validation import UNIT_NOT_IN_FORCE
from plans import progress, selectors
from plans.api import laggards_download
from plans.forms import PlanForm, ProgressForm, TargetForm
from plans.models import Plan, Target
from units import selectors as unit_selectors

EXPORTS = ("csv", "xlsx")


def plan_list(request):
    plans = list(selectors.plan_list())
    return render(
        request,
        "plans/plan_list.html",
        {
            "local_plans": [p for p in plans if not p.is_national],
            "national_plans": [p for p in plans if p.is_national],
        },
    )


def progress_query(request, plan: Plan) -> dict:
    """The period and unit asked for (default: the plan's current year and its issuing unit),
    the units the picker offers, and the form with its errors when the query is invalid."""
    form = ProgressForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    unit = data.get("unit")
    issuer = plan.issuing_unit
    subject = unit or issuer
    period = data.get("period") or progress.default_period(plan, unit_selectors.today(), subject)
    if issuer is None:
        choices = list(unit_selectors.unit_list(on=period.end, level="province"))
    else:
        on = period.end if issuer.is_in_force(period.end) else None
        # Only units that existed in the period (none of the new Quảng Trị's 2025 communes
        # for 2020).
        choices = [
            child
            for child in unit_selectors.unit_children(unit=issuer, on=on)
            if progress.in_force_during(child, period)
        ]
    if unit is not None and unit != issuer and unit not in choices:
        choices.insert(0, unit)
    return {
        "form": form,
        "valid": valid,
        "period": period,
        "period_text": form.data.get("period") or period.id,
        "unit": unit,
        "subject": subject,
        "unit_choices": choices,
        # Only the years the unit assessed existed in (Vĩnh Linh's last is 2025).
        "years": progress.plan_years(plan, subject),
        "not_in_force": (
            UNIT_NOT_IN_FORCE % {"unit": subject.name, "period": period.id}
            if subject is not None and not progress.in_force_during(subject, period)
            else ""
        ),
    }


def plan_detail(request, code: str):
    plan = get_object_or_404(selectors.plan_detail_queryset(), code=code)
    query = progress_query(request, plan)
    budget = list(plan.budget_lines.all())
    rows = progress.plan_progress(plan, query["period"], query["unit"]) if query["valid"] else []
    return render(
        request,
        "plans/plan_detail.html",
        {
            **query,
            "plan": plan,
            "rows": rows,
            "budget": budget,
            "budget_total": sum(line.amount for line in budget),
            "budget_at_least": any(line.at_least for line in budget),
        },
        status=200 if query["valid"] else 400,
    )


def plan_laggards(request, code: str):
    plan = get_object_or_404(selectors.plan_list(), code=code)
    query = progress_query(request, plan)
    if not query["valid"]:
        return render(request, "plans/plan_laggards.html", {**query, "plan": plan}, status=400)
    report = progress.laggards_report(plan, query["period"], query["unit"])
    export = request.GET.get("export")
    if export in EXPORTS:
        laggards = report.missed + report.no_data
        return laggards_download(plan, query["period"], laggards, export)
    return render(
        request,
        "plans/plan_laggards.html",
        {**query, "plan": plan, "report": report, "exports": EXPORTS},
    )


@staff_member_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    return _plan_form(request, Plan())


@staff_member_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, code: str):
    return _plan_form(request, get_object_or_404(Plan, code=code))


def _plan_form(request, plan: Plan):
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            plan = form.save()
        messages.success(request, _("Đã lưu văn bản %(code)s.") % {"code": plan.code})
        return redirect("plans:plan-detail", code=plan.code)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@staff_member_required
@require_http_methods(["GET", "POST"])
def target_create(request, code: str):
    plan = get_object_or_404(Plan.objects.select_related("issuing_unit"), code=code)
    return _target_form(request, plan, Target())


@staff_member_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int):
    target = get_object_or_404(
        Target.objects.select_related("plan__issuing_unit", "indicator"), pk=pk
    )
    return _target_form(request, target.plan, target)


def _target_form(request, plan: Plan, target: Target):
    form = TargetForm(request.POST or None, instance=target, plan=plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            target = form.save()
        messages.success(
            request,
            _("Đã lưu mục tiêu %(indicator)s của %(plan)s.")
            % {"indicator": target.indicator.code, "plan": plan.code},
        )
        return redirect("plans:plan-detail", code=plan.code)
    return render(request, "plans/target_form.html", {"form": form, "plan": plan, "target": target})
