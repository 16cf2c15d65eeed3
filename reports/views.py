"""Dashboard pages: a unit's dashboard, one indicator for a unit, several units compared.

What a dashboard shows is gathered by reports/dashboard.py; the views read the request,
ask accounts.policy who may see what, and shape the results for the templates and for
static/js/charts.js (reports/charts.py). Dashboards are for signed-in members: a unit
outside the user's subtree does not exist for them (404).
"""

import datetime
import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from egov_portal import table_files
from indicators import analytics, readings
from indicators.models import Figure, Indicator
from indicators.periods import Period, PeriodError, period_next, period_of, period_previous
from indicators.validation import indicator_valid_in
from plans import progress
from plans import selectors as plan_selectors
from plans import views as plan_views
from plans.models import Target
from reports import (
    charts,
    dashboard,
    dashboard_cache,
    downloads,
    forms,
    indicator_page,
    report_document,
    workbook,
)
from reports import compare as compare_reads
from reports.downloads import ORIGIN_LABELS
from reports.forms import ChildrenCompareForm, CompareForm, DashboardPeriodForm, PeriodForm
from units import selectors as unit_selectors
from units.models import Unit
from units.selectors import today, unit_list

EXPORTS = ("csv", "xlsx")
# The ranking's column headers: a pillar's short name, its full name in a tooltip, so that
# the table fits a phone in both languages.
PILLAR_SHORT = {
    Indicator.Pillar.INFRASTRUCTURE: gettext_lazy("Hạ tầng"),
    Indicator.Pillar.HUMAN_RESOURCES: gettext_lazy("Nhân lực"),
    Indicator.Pillar.INTERNAL_APPS: gettext_lazy("Ứng dụng"),
    Indicator.Pillar.PUBLIC_SERVICES: gettext_lazy("DVCTT"),
    Indicator.Pillar.INFORMATION: gettext_lazy("Thông tin"),
    Indicator.Pillar.SECURITY: gettext_lazy("ATTT"),
}
# The order of the completeness counts (entry's statuses; "none": nothing entered yet).
REPORT_STATUSES = ("approved", "submitted", "returned", "draft", "none")


# --- the signed-in user's own dashboard ------------------------------------------------


@login_required
def my_dashboard(request):
    member = policy.membership(request.user)
    if member is None:
        messages.warning(
            request,
            _(
                "Tài khoản của bạn chưa gắn với đơn vị nào nên chưa có bảng điều khiển riêng. "
                "Hãy liên hệ quản trị hệ thống."
            ),
        )
        return redirect("home")
    return redirect("reports:dashboard", unit_id=member.unit_id)


# --- a unit's dashboard ------------------------------------------------------------------


@login_required
def unit_dashboard(request, unit_id: int):
    unit = _unit_or_404(request, unit_id)
    form, period = _period_query(request, unit, DashboardPeriodForm)
    context = {
        "unit": unit,
        "form": form,
        "period": period,
        "ancestors": _ancestors(request.user, unit),
    }
    if period is None:
        return render(request, "reports/unit_dashboard.html", context, status=400)
    reading = _reading(request, unit)
    answered_by = readings.subjects(unit, period, reading, today())
    if answered_by != [unit]:
        # The other reading names other units: the one it names, or a list of them.
        if len(answered_by) == 1 and policy.can_view_dashboard(request.user, answered_by[0]):
            target = reverse("reports:dashboard", args=[answered_by[0].pk])
            return redirect(f"{target}?period={period.id}&reading={reading}")
        context["answered_by"] = [
            (u, policy.can_view_dashboard(request.user, u)) for u in answered_by
        ]
        # The other reading names other units: its figures are theirs, not this one's to
        # show (the cards would be the rebased reading under an "as reported" heading).
        context.update(
            reading=reading, readings=readings.CHOICES, neighbours=_neighbours(period, unit)
        )
        return render(request, "reports/unit_dashboard.html", context)
    context.update(
        reading=reading, reading_asked=_reading_asked(request), readings=readings.CHOICES
    )
    board, body_key = dashboard_cache.dashboard_get(unit, period, today=today())
    missed, no_data = progress.missed_and_no_data(board.laggards)
    pillars, ranking = _ranking_rows(board)
    cards = _cards(board.cards)
    trends = {
        card["indicator"].code: _card_trend(card) for card in cards if card["sparkline"]["any"]
    }
    trend_code = request.GET.get("trend")
    if trend_code not in trends:
        trend_code = next(iter(trends), None)
    counts = board.completeness_counts
    user = request.user
    context.update(
        board=board,
        body_key=body_key,
        body_timeout=dashboard_cache.timeout(),
        neighbours=_neighbours(period, unit),
        predecessors=[
            (c, policy.can_view_dashboard(user, c.predecessor)) for c in board.predecessors
        ],
        successors=[(u, policy.can_view_dashboard(user, u)) for u in board.successors],
        ended_on=unit.valid_to + datetime.timedelta(days=1) if unit.valid_to else None,
        structure_note=analytics.structure_note(unit, period),
        cards=[card for card in cards if card["has_data"]],
        cards_without_data=[card for card in cards if not card["has_data"]],
        trends=trends,
        trend_code=trend_code,
        trend_chart=trends.get(trend_code),
        trend_cards=[card for card in cards if card["indicator"].code in trends],
        laggards_missed=missed,
        laggards_no_data=no_data,
        pillars=pillars,
        ranking=ranking,
        ranking_chart=charts.ranking_chart(board.ranking),
        # Reports stay inside the unit: who has submitted is not open data (policy).
        reports_readable=policy.can_view_unit(user, unit),
        ranking_scored=any(r.index is not None for r in board.ranking),
        completeness_counts=[(s, counts[s]) for s in REPORT_STATUSES if counts.get(s)],
        completeness_total=len(board.completeness),
        laggard_plans=sorted(
            {m.progress.plan for lag in board.laggards for m in lag.misses},
            key=lambda p: p.code,
        ),
    )
    return render(request, "reports/unit_dashboard.html", context)


# --- the quarterly report as a Word document ---------------------------------------------


@login_required
def report_docx_view(request, unit_id: int):
    """The dashboard's data as the report the unit files (reports/report_document.py): whoever
    may open the unit's dashboard may download it; who has reported only for the unit's
    readers, as on the dashboard."""
    unit = _unit_or_404(request, unit_id)
    _form, period = _period_query(request, unit)
    if period is None:
        return redirect("reports:dashboard", unit_id=unit.pk)
    content = report_document.report_docx(
        unit,
        period,
        today=today(),
        with_reporting=policy.can_view_unit(request.user, unit),
    )
    response = HttpResponse(content, content_type=report_document.DOCX)
    ascii_name = f"bao-cao-cntt-{unit.code}-{period.id}.docx"
    name = _("Báo cáo CNTT %(unit)s %(period)s") % {"unit": unit.name, "period": period.id}
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name + '.docx')}"
    )
    return response


# --- one indicator for a unit --------------------------------------------------------------


@login_required
def indicator_view(request, unit_id: int, code: str):
    unit = _unit_or_404(request, unit_id)
    indicator = get_object_or_404(Indicator, code=code)
    form, period = _period_query(request, unit)
    context = {
        "unit": unit,
        "indicator": indicator,
        "form": form,
        "period": period,
        "ancestors": _ancestors(request.user, unit),
    }
    if period is None:
        return render(request, "reports/indicator.html", context, status=400)
    reading = _reading(request, unit)
    page = indicator_page.indicator_page_build(
        indicator, unit, period, reading=reading, today=today()
    )
    trend, target, children, figures = page.trend, page.target, page.children, page.figures
    export = request.GET.get("export")
    if export in EXPORTS:
        tables = {
            "trend": downloads.trend_frame(trend),
            "children": downloads.values_frame(children),
            "figures": downloads.figures_frame(figures),
        }
        return downloads.download(
            request, export, tables, unit=unit, indicator=indicator, period=period
        )
    context.update(
        neighbours=_neighbours(period, unit),
        structure_note=analytics.structure_note(unit, period),
        reading=reading,
        reading_asked=_reading_asked(request),
        readings=readings.CHOICES,
        valid=indicator_valid_in(indicator, period),
        trend=[_value_row(v) for v in analytics.with_approximate(list(reversed(trend)))],
        target=target,
        trend_chart=charts.trend_chart(
            indicator,
            trend,
            target_value=float(target.value) if target is not None else None,
            target_label=_target_caption(target) if target is not None else "",
        ),
        children=[
            {**_value_row(v), "may_view": policy.can_view_dashboard(request.user, v.unit)}
            for v in analytics.with_approximate(children)
        ],
        children_chart=charts.children_chart(indicator, children),
        figures=figures,
        first_period=page.periods[0],
    )
    return render(request, "reports/indicator.html", context)


# --- several units compared ----------------------------------------------------------------


@login_required
def compare(request):
    form = CompareForm(request.GET or None)
    context = {"form": form, "checked": set(dashboard.KEY_INDICATORS), "limit": forms.COMPARE_MAX}
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound else {}  # the valid parts: the chips stay
    member = policy.membership(request.user)
    on = data.get("on") or compare_reads.search_day(
        member_unit=member.unit if member else None, period=data.get("period"), today=today()
    )
    units, refusal = _compare_units(request, data.get("unit_ids", []))
    context.update(
        chips=[{"unit": u, "others": [o.pk for o in units if o != u]} for u in units],
        search_on=on,
        search=_unit_search(request, data.get("q", ""), on, units),
    )
    if data.get("indicators"):
        context["checked"] = set(data["indicators"])
    if not valid:
        _form_messages(request, form)
        return render(request, "reports/compare.html", context, status=400)
    if refusal:
        return render(request, "reports/compare.html", context, status=refusal)
    if len(units) < forms.COMPARE_MIN:
        if units:
            messages.info(request, forms.TOO_FEW % {"min": forms.COMPARE_MIN, "n": len(units)})
        return render(request, "reports/compare.html", context)
    period = data["period"] or dashboard.default_period(units[0], today())
    indicators = _indicators_in(request, form, period)
    values = compare_reads.compare_values(indicators, units, period)
    percentages = [i for i in indicators if charts.is_percentage(i)]
    context.update(
        units=units,
        period=period,
        indicators=indicators,
        rows=[
            {
                "indicator": i,
                "measure": compare_reads.measure(i),
                "cells": [_value_row(v) for v in values[i.code]],
            }
            for i in indicators
        ],
        compare_chart=charts.compare_chart(units, percentages, values) if percentages else None,
    )
    return render(request, "reports/compare.html", context)


@login_required
def compare_children(request, unit_id: int):
    """Every unit directly below one, a page at a time, sortable by an indicator."""
    unit = _unit_or_404(request, unit_id)
    form = ChildrenCompareForm(request.GET)
    context = {"unit": unit, "form": form, "ancestors": _ancestors(request.user, unit)}
    context["checked"] = set(dashboard.KEY_INDICATORS)
    if not form.is_valid():
        _form_messages(request, form)
        return render(request, "reports/compare_children.html", context, status=400)
    if form.cleaned_data["indicators"]:
        context["checked"] = set(form.cleaned_data["indicators"])
    period = form.cleaned_data["period"] or dashboard.default_period(unit, today())
    indicators = _indicators_in(request, form, period)
    children = compare_reads.children_list(unit=unit, period=period)
    values = compare_reads.compare_values(indicators, children, period)
    sort = next((i for i in indicators if i.code == form.cleaned_data["sort"]), None)
    order = compare_reads.ranked_order(children, values, sort)
    page = Paginator(order, compare_reads.CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        period=period,
        indicators=[(i, compare_reads.measure(i)) for i in indicators],
        sort=sort,
        page=page,
        rows=[
            {
                "rank": page.start_index() + k if sort else None,
                "unit": children[n],
                "may_view": policy.can_view_dashboard(request.user, children[n]),
                "cells": [_value_row(values[i.code][n]) for i in indicators],
            }
            for k, n in enumerate(page.object_list)
        ],
    )
    return render(request, "reports/compare_children.html", context)


def _compare_units(request, ids: list[int]) -> tuple[list[Unit], int | None]:
    """The chosen units the user may read, in the order chosen (one query), and the status
    of the page when some could not be: 400 (no such unit) or 403 (not theirs to read), said
    in a message."""
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids).select_related("parent")}
    missing = [str(i) for i in ids if i not in found]
    units = [found[i] for i in ids if i in found]
    refused = [u for u in units if not policy.can_view_dashboard(request.user, u)]
    if missing:
        messages.error(request, forms.ID_UNKNOWN % {"ids": ", ".join(missing)})
    if refused:
        names = ", ".join(f"{u.name} ({u.code})" for u in refused)
        messages.error(request, compare_reads.COMPARE_REFUSED % {"units": names})
    allowed = [u for u in units if u not in refused]
    return allowed, 400 if missing else 403 if refused else None


def _unit_search(request, q: str, on: datetime.date, chosen: list[Unit]) -> dict | None:
    """The units named like `q` on `on`, ranked as on /units/ (units.selectors): the best
    compare_reads.SEARCH_SHOWN, each with whether it may be added."""
    if not q.strip():
        return None
    matches = unit_list(on=on, q=q)
    shown = list(matches[: compare_reads.SEARCH_SHOWN])
    return {
        "q": q,
        "found": matches.count() if len(shown) == compare_reads.SEARCH_SHOWN else len(shown),
        "matches": [
            {
                "unit": u,
                "chosen": u in chosen,
                "may_compare": policy.can_view_dashboard(request.user, u),
            }
            for u in shown
        ],
    }


def _indicators_in(request, form, period: Period) -> list[Indicator]:
    """The chosen indicators (else the dashboard's headline ones) that apply in `period`;
    those asked for that do not apply are named in a message."""
    chosen = form.selected_indicators(dashboard.KEY_INDICATORS)
    indicators = [i for i in chosen if indicator_valid_in(i, period)]
    skipped = [i for i in chosen if i not in indicators]
    if skipped and form.cleaned_data["indicators"]:  # asked for, not the defaults
        messages.info(
            request,
            _("Không áp dụng trong kỳ %(period)s: %(names)s.")
            % {"period": period.id, "names": ", ".join(i.localized_name for i in skipped)},
        )
    return indicators


def _form_messages(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- what the views share ----------------------------------------------------------------


def _unit_or_404(request, unit_id: int) -> Unit:
    """The unit of a dashboard page: 404 only when there is no such unit."""
    unit = Unit.objects.select_related("province", "district").filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("Không có đơn vị này."))
    if not policy.can_view_dashboard(request.user, unit):
        raise PermissionDenied(policy.NOT_YOUR_REPORTS)
    return unit


def _ancestors(user, unit: Unit) -> list[tuple[Unit, bool]]:
    """The province and district above the unit, each with whether the user may open it."""
    above = [u for u in (unit.province, unit.district) if u is not None]
    return [(u, policy.can_view_dashboard(user, u)) for u in above]


def _period_query(
    request, unit: Unit, form_class: type[PeriodForm] = PeriodForm
) -> tuple[PeriodForm, Period | None]:
    """The period asked for (default: the unit's latest with figures); None, with the
    reason as a message, when it cannot be read."""
    form = form_class(request.GET)
    if not form.is_valid():
        for error in form.errors.get("period", []):
            messages.error(request, error)
        return form, None
    return form, form.cleaned_data["period"] or dashboard.default_period(unit, today())


def _neighbours(period: Period, unit: Unit) -> dict:
    """The periods before and after within the unit's life, for the picker's links (None
    beyond the calendar or the unit's life: Huyện Vĩnh Linh offers no 2025Q3); from a period
    outside its life, the nearest one inside it (2025Q3 for the new Quảng Trị's 2020Q4)."""
    found = {}
    for name, step in (("previous", period_previous), ("next", period_next)):
        try:
            found[name] = step(period)
        except PeriodError:
            found[name] = None
        if found[name] is not None and not unit.is_in_force_during(
            found[name].start, found[name].end
        ):
            found[name] = None
    if unit.formed_after(period.end):
        found["next"] = period_of(period.kind, unit.valid_from)
    if unit.ended_before(period.start):
        found["previous"] = period_of(period.kind, unit.valid_to)
    return found


def _reading_asked(request) -> str:
    """The reading the query asks for (?reading=), or "" (the unit's own): links carry it."""
    asked = request.GET.get("reading")
    return asked if asked in (readings.AS_REPORTED, readings.REBASED) else ""


def _reading(request, unit: Unit) -> str:
    """The reading asked for, else the unit's own (indicators/readings.py)."""
    return _reading_asked(request) or readings.default_reading(unit, today())


def _value_row(value: analytics.RolledValue) -> dict:
    """A rolled value with its words: origin and coverage, and whether it covers too few to
    stand for the unit (shown greyed, docs/decisions/0017)."""
    return {
        "value": value,
        "origin": ORIGIN_LABELS.get(value.origin, ""),
        "coverage": analytics.coverage_text(value),
        "low": value.low_coverage,
    }


def _cards(cards: list[dashboard.Card]) -> list[dict]:
    """The cards' rows, their approximate figures marked (one query)."""
    values = analytics.with_approximate([v for card in cards for v in (card.value, *card.tiers)])
    marked = iter(values)
    for card in cards:
        card.value = next(marked)
        card.tiers = [next(marked) for _tier in card.tiers]
    shown = [_card(card) for card in cards]
    return sorted(shown, key=lambda card: card["value"].value is None)


def _card(card: dashboard.Card) -> dict:
    """A headline card: the value with its words, its sparkline, the bar towards its target;
    cards with a value come first (a stable sort keeps the headline order within)."""
    change = card.change
    return {
        **_value_row(card.value),
        "indicator": card.indicator,
        "previous": card.previous,
        "change": change,
        "change_size": abs(change) if change is not None else None,
        "target": card.target,
        "target_bar": charts.target_bar(card.target) if card.target is not None else None,
        "sparkline": charts.sparkline(card.indicator, card.series),
        "series": card.series,
        "has_data": card.has_data,
        "tiers": [
            {**_value_row(tier), "label": Figure.Scope(tier.scope).label} for tier in card.tiers
        ],
    }


def _card_trend(card: dict) -> dict:
    """The trend chart of a card's indicator: its series, the target as the dashed line."""
    row = card["target"]
    return charts.trend_chart(
        card["indicator"],
        card["series"],
        target_value=float(row.target.value) if row is not None else None,
        target_label=_target_caption(row.target) if row is not None else "",
    )


def _ranking_rows(board: dashboard.Dashboard) -> tuple[list[tuple[str, str, str]], list[dict]]:
    """The ranking's pillars (in the catalogue's order, with their names and short names) and
    its rows, the scores on the 0–100 scale shown."""
    present = {p for r in board.ranking for p in r.pillars}
    pillars = [
        (p, Indicator.Pillar(p).label, PILLAR_SHORT[p])
        for p in Indicator.Pillar.values
        if p in present
    ]
    rows = [
        {
            "unit": r.key,
            "rank": r.rank,
            "rank_change": r.rank_change,
            "rank_change_size": abs(r.rank_change) if r.rank_change else None,
            "index": _hundred(r.index),
            "pillars": [_hundred(r.pillars.get(p)) for p, _label, _short in pillars],
            "note": charts.unranked_note(r),
        }
        for r in board.ranking
    ]
    return pillars, rows


def _hundred(score: float | None) -> float | None:
    return None if score is None else score * 100


def _target_caption(target: Target) -> str:
    plan = target.plan.number or target.plan.code
    return _("Mục tiêu %(target)s (%(plan)s, hạn %(deadline)s)") % {
        "target": progress.target_label(target),
        "plan": plan,
        "deadline": target.deadline or _("không nêu"),
    }


# --- a plan's report as a workbook (at /plans/<code>/workbook/: egov_portal/urls.py) ------


def plan_workbook(request, code: str):
    """The plan's report (progress, laggards, reporting, figures) as an Excel download; an
    invalid period or unit shows the plan page with its message (400), as the page does.
    Open to all, as the page is; the reporting sheet only for members who read the unit."""
    plan = get_object_or_404(plan_selectors.plan_list(), code=code)
    query = plan_views.progress_query(request, plan)
    if not query["valid"]:
        return plan_views.plan_detail(request, code)
    period, unit, subject = query["period"], query["unit"], query["subject"]
    reporting = subject is not None and policy.can_view_unit(request.user, subject)
    # The plan page's own date (plans.views reads units.selectors.today when called).
    on = unit_selectors.today()
    content = workbook.plan_workbook(plan, period, unit, today=on, reporting=reporting)
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=workbook.workbook_filename(plan, period, unit),
        content_type=table_files.XLSX,
    )
