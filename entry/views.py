"""Pages for entering a quarter's figures and reviewing them.

Who may see or do what is asked of accounts.policy; saving and every step of review are
entry.services; the lists are entry.selectors. The views only read the request, call them
and show the result.
"""

from collections import Counter

import pandas as pd
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from egov_portal import table_files
from egov_portal.upload_files import check_request_size, check_size, max_upload_bytes
from entry import jobs, services, templates_xlsx
from entry.deadlines import due_dates
from entry.forms import (
    BulkReviewForm,
    EntryInputs,
    EntryRow,
    ReviewForm,
    clean_reason,
    entry_data,
    group_by_pillar,
    initial_values,
    is_number,
)
from entry.models import ImportJob
from entry.requirements import required_codes
from entry.review_desk import report_desk
from entry.selectors import (
    ReportRow,
    completeness,
    entry_list,
    in_force_during,
    reporting_periods,
)
from indicators import reports
from indicators.importing import ImportFileError, read_figures
from indicators.models import Figure, Indicator, Submission
from indicators.periods import Period, PeriodError, PeriodKind, parse_period, period_previous
from indicators.rollup import AGENCY_SCOPES
from indicators.validation import UNIT_NOT_IN_FORCE
from indicators.writes import reports as report_writes
from indicators.writes.bulk import ImportConflict
from indicators.writes.rules import may_act
from plans.models import Target
from plans.progress import engine_scope, target_label
from quality import checks as quality_checks
from units.models import Agency, Unit
from units.selectors import today

STATUS_ORDER = ("none", "draft", "submitted", "returned", "approved")
# The inputs that say a row of the form was sent (EntryInputs' numbers).
SENT_FIELDS = ("value", "numerator", "denominator")


# --- the entry list --------------------------------------------------------------------


@login_required
def entry_list_view(request):
    reporter_unit, reporter_agency = policy.reporters_of(request.user)
    rows = entry_list(request.user, today())
    return render(
        request,
        "entry/entry_list.html",
        {
            "rows": rows,
            "reporter": reporter_agency or reporter_unit,
            "membership": policy.membership(request.user),
        },
    )


# --- the form of one report ------------------------------------------------------------


def _period_or_404(text: str, unit: Unit) -> Period:
    """A quarter within the unit's life (a 2024 commune has no 2025Q3), with a quarter
    before it, which the form and the template show (the calendar's 1990Q1 has none)."""
    try:
        period = parse_period(text)
        period_previous(period)
    except PeriodError:
        raise Http404(_("Không có kỳ báo cáo này.")) from None
    if period.kind is not PeriodKind.QUARTER or not unit.is_in_force_during(
        period.start, period.end
    ):
        raise Http404(_("Không có kỳ báo cáo này."))
    return period


@login_required
@require_http_methods(["GET", "POST"])
def entry_form(request, unit_id: int, period: str):
    unit = get_object_or_404(Unit, pk=unit_id)
    return _entry_page(request, unit, None, _period_or_404(period, unit))


@login_required
@require_http_methods(["GET", "POST"])
def entry_form_agency(request, agency_id: int, period: str):
    agency = get_object_or_404(Agency.objects.select_related("unit"), pk=agency_id)
    return _entry_page(request, agency.unit, agency, _period_or_404(period, agency.unit))


@login_required
@require_POST
def entry_autosave(request, unit_id: int, period: str):
    unit = get_object_or_404(Unit, pk=unit_id)
    return _autosave(request, unit, None, _period_or_404(period, unit))


@login_required
@require_POST
def entry_autosave_agency(request, agency_id: int, period: str):
    agency = get_object_or_404(Agency.objects.select_related("unit"), pk=agency_id)
    return _autosave(request, agency.unit, agency, _period_or_404(period, agency.unit))


def _autosave(request, unit: Unit, agency: Agency | None, period: Period) -> JsonResponse:
    """Saving as you go (egov_portal/static/js/entry.js): the rows changed, posted like the
    form (with its version and each row's fingerprint), saved by the same service with the
    same checks; answers in JSON what was saved, what is wrong, and the new version and
    fingerprints, so that the next save (or the form's own button) is not a conflict."""
    if not policy.can_enter(request.user, unit, agency):
        return JsonResponse({"ok": False, "message": str(policy.NOT_YOUR_UNIT)}, status=403)
    indicators = services.applicable_indicators(unit, agency, period)
    forms = {i.code: EntryInputs(request.POST, indicator=i, figure=None) for i in indicators}
    sent = [code for code in forms if any(f"{code}-{name}" in request.POST for name in SENT_FIELDS)]
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1
    try:
        result = services.entry_save(
            user=request.user,
            unit=unit,
            agency=agency,
            period=period,
            values={code: forms[code].entry_value() for code in sent},
            version=version,
            opened={
                code: request.POST[f"{code}-opened"]
                for code in sent
                if f"{code}-opened" in request.POST
            },
        )
    except services.EntryConflict as conflict:
        return JsonResponse(
            {
                "ok": False,
                "conflict": sorted(conflict.changed),
                "message": _(
                    "Số liệu đã được người khác thay đổi sau khi bạn mở biểu mẫu: chưa lưu. "
                    "Hãy tải lại trang."
                ),
            },
            status=409,
        )
    except report_writes.ReportLocked as locked:
        return JsonResponse({"ok": False, "message": str(locked)}, status=409)
    current = _figures(unit, agency, period)
    required = required_codes(unit, agency, period, indicators)
    flags = quality_checks.report_flags(unit, agency, period, current.values())
    left = Counter(i.pillar for i in indicators if i.code in required and i.code not in current)
    return JsonResponse(
        {
            "ok": not result.errors,
            "version": result.submission.version,
            "saved": result.saved,
            "cleared": result.cleared,
            "errors": result.errors,
            "opened": {code: services.fingerprint(current.get(code)) for code in sent},
            # Each saved row as the form now shows it: "45,5", "150.000.000".
            "shown": {
                code: {
                    name: initial_values(forms[code].indicator, current.get(code)).get(name, "")
                    for name in SENT_FIELDS
                }
                for code in sent
                if code not in result.errors
            },
            "required_left": {p.value: left.get(p.value, 0) for p in Indicator.Pillar},
            # Every row's flags as they stand after this save (a rule spans several rows).
            "flags": {
                code: [flag.as_dict() for flag in flags.by_code.get(code, [])]
                for code in (i.code for i in indicators)
            },
            "message": _("Đã lưu lúc %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")},
        }
    )


def _autosave_url(unit: Unit, agency: Agency | None, period: Period) -> str:
    if agency is not None:
        return reverse("entry:entry-autosave-agency", args=[agency.pk, period.id])
    return reverse("entry:entry-autosave", args=[unit.pk, period.id])


def _form_url(unit: Unit, agency: Agency | None, period: Period) -> str:
    if agency is not None:
        return reverse("entry:entry-form-agency", args=[agency.pk, period.id])
    return reverse("entry:entry-form", args=[unit.pk, period.id])


def _entry_page(request, unit: Unit, agency: Agency | None, period: Period):
    user = request.user
    submission = reports.submission_get(unit, agency, period)
    may_enter = policy.can_enter(user, unit, agency)
    may_view = (
        may_enter
        or policy.can_view_unit(user, unit)
        or (submission is not None and policy.can_review(user, submission))
    )
    if not may_view:
        raise PermissionDenied(policy.NOT_YOUR_REPORTS)
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied(policy.NOT_YOUR_UNIT)
        return _entry_post(request, unit, agency, period)
    return _entry_render(request, unit, agency, period, may_enter=may_enter, submission=submission)


def _entry_post(request, unit: Unit, agency: Agency | None, period: Period):
    indicators = services.applicable_indicators(unit, agency, period)
    forms = {i.code: EntryInputs(request.POST, indicator=i, figure=None) for i in indicators}
    action = request.POST.get("action", "save")
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1  # an unreadable version is treated as stale: a conflict, nothing saved
    try:
        result = services.entry_save(
            user=request.user,
            unit=unit,
            agency=agency,
            period=period,
            # Only what the form sent: a row without its inputs is left as it is, not cleared.
            values={
                code: form.entry_value()
                for code, form in forms.items()
                if any(f"{code}-{name}" in request.POST for name in SENT_FIELDS)
            },
            version=version,
            opened={
                code: request.POST[f"{code}-opened"]
                for code in forms
                if f"{code}-opened" in request.POST
            },
            submit=action == "submit",
            comment=request.POST.get("warning_comment", ""),
        )
    except services.EntryConflict as conflict:
        return _entry_render(
            request, unit, agency, period, may_enter=True, posted=True, conflict=conflict
        )
    except report_writes.ReportLocked as locked:
        messages.error(request, str(locked))
        return _entry_render(request, unit, agency, period, may_enter=True)

    if result.cleared:
        messages.success(
            request,
            _("Đã lưu nháp: %(saved)s chỉ tiêu được cập nhật, %(cleared)s chỉ tiêu được xóa.")
            % {"saved": result.saved, "cleared": result.cleared},
        )
    elif result.saved:
        messages.success(
            request, _("Đã lưu nháp: %(saved)s chỉ tiêu được cập nhật.") % {"saved": result.saved}
        )
    else:
        messages.info(request, _("Đã lưu nháp: không có số liệu nào thay đổi."))
    if result.errors:
        messages.error(
            request,
            _("%(n)s chỉ tiêu có lỗi, chưa được lưu: %(codes)s. Xem các lỗi dưới đây.")
            % {"n": len(result.errors), "codes": ", ".join(result.errors)},
        )
    missing_groups = []
    if result.submitted:
        messages.success(request, _("Đã gửi duyệt."))
    elif action == "submit":
        if result.missing_required:
            # Listed by pillar above the form (entry/_missing.html), not in one paragraph.
            by_code = {i.code: i for i in indicators}
            missing_groups = services.missing_by_pillar(
                [by_code[code] for code in result.missing_required]
            )
            messages.warning(
                request,
                _("Chưa gửi duyệt được: còn thiếu %(n)s chỉ tiêu bắt buộc (danh sách dưới đây).")
                % {"n": len(result.missing_required)},
            )
        elif result.rule_errors:
            messages.error(
                request,
                _(
                    "Chưa gửi duyệt được: số liệu vi phạm %(n)s quy tắc kiểm tra (danh sách "
                    "dưới đây)."
                )
                % {"n": len(result.rule_errors)},
            )
        elif result.needs_comment:
            messages.warning(
                request,
                _(
                    "Chưa gửi duyệt: số liệu có %(n)s cảnh báo. Nếu số liệu đúng, ghi giải "
                    "trình rồi bấm «Gửi duyệt» lần nữa."
                )
                % {"n": len(result.rule_warnings)},
            )
        else:
            messages.warning(request, _("Chưa gửi duyệt được: cần sửa các chỉ tiêu có lỗi."))
    if result.errors or missing_groups or result.rule_errors or result.needs_comment:
        return _entry_render(
            request,
            unit,
            agency,
            period,
            may_enter=True,
            posted=True,
            errors=result.errors,
            missing_groups=missing_groups,
            ask_comment=result.needs_comment,
        )
    return redirect(_form_url(unit, agency, period))


_READ_IT = object()  # _entry_render reads the report itself


def _entry_render(
    request,
    unit: Unit,
    agency: Agency | None,
    period: Period,
    *,
    may_enter: bool,
    posted: bool = False,
    conflict: services.EntryConflict | None = None,
    errors: dict | None = None,
    missing_groups: list | None = None,
    ask_comment: bool = False,
    submission: Submission | object | None = _READ_IT,
):
    """The form as the report stands now; after a POST, with what was typed kept.
    `submission`: the report as the caller has just read it (by default, read here)."""
    if submission is _READ_IT:
        submission = reports.submission_get(unit, agency, period)
    indicators = services.applicable_indicators(unit, agency, period)
    current = _figures(unit, agency, period)
    previous_period = period_previous(period)
    previous = _figures(unit, agency, previous_period)
    editable = may_enter and (submission is None or submission.is_editable)
    data = entry_data(request.POST, indicators, current) if posted else None
    targets = _targets(unit, agency, period, indicators)
    required = required_codes(unit, agency, period, indicators)
    flags = quality_checks.report_flags(unit, agency, period, current.values())
    notes = quality_checks.report_notes(
        unit.pk, agency.pk if agency else None, period.id, current.values()
    )
    rows = []
    for indicator in indicators:
        code = indicator.code
        figure = current.get(code)
        # Approved: published, shown but not editable (docs/decisions/0012).
        published = figure is not None and figure.status == Figure.Status.APPROVED
        form = None
        messages_here = [m for ms in (errors or {}).get(code, {}).values() for m in ms]
        if editable and not published:
            form = EntryInputs(data, indicator=indicator, figure=figure)
            if errors and code in errors:
                form.add_errors(errors[code])
            messages_here = []
        target = targets.get(code)
        rows.append(
            EntryRow(
                indicator=indicator,
                form=form,
                figure=current.get(code),
                previous=previous.get(code),
                target=target,
                target_label=_target_text(target) if target else "",
                published=editable and published,
                opened=services.fingerprint(figure) if editable and published else "",
                errors=messages_here,
                required=code in required,
                flags=flags.by_code.get(code, []),
                notes=notes.get(figure.pk) if figure else None,
            )
        )
    changed = []
    if conflict is not None:
        names = {i.code: i for i in indicators}
        changed = [
            {"indicator": names[code], "figure": figure}
            for code, figure in conflict.changed.items()
            if code in names
        ]
    transitions = (
        list(submission.transitions.select_related("by").order_by("-at", "-id"))
        if submission
        else []
    )
    returned = next((t for t in transitions if t.to_status == Submission.Status.RETURNED), None)
    return render(
        request,
        "entry/entry_form.html",
        {
            "unit": unit,
            "agency": agency,
            "reporter": agency or unit,
            "period": period,
            "previous_period": previous_period,
            "due_on": due_dates([period])[period.id],
            "submission": submission,
            "status": submission.status if submission else "none",
            "version": submission.version if submission else 0,
            "may_enter": may_enter,
            "editable": editable,
            "groups": group_by_pillar(rows),
            "transitions": transitions,
            "returned": returned if submission and submission.status == "returned" else None,
            "conflict": conflict is not None,
            "changed": changed,
            "can_review": submission is not None and policy.can_review(request.user, submission),
            "form_url": _form_url(unit, agency, period),
            "autosave_url": _autosave_url(unit, agency, period),
            "missing_groups": missing_groups or [],
            "required_left": sum(1 for r in rows if r.required and r.figure is None),
            "violations": flags.violations,
            "ask_comment": ask_comment,
            "warning_comment": request.POST.get("warning_comment", "") if posted else "",
        },
        status=409 if conflict is not None else 200,
    )


def _figures(unit: Unit, agency: Agency | None, period: Period) -> dict[str, Figure]:
    """A report's figures (those of the unit or agency itself) by indicator code, whether or
    not a report was ever opened for the period (figures may come from an import)."""
    report = Submission(unit=unit, agency=agency, period=period.id)
    return {f.indicator.code: f for f in reports.report_figures(report).select_related("indicator")}


def _target_text(target: Target) -> str:
    """ "≥ 60%"; for a yes/no indicator read for one unit or agency, simply "Có"."""
    if target.indicator.value_type == Indicator.ValueType.BOOLEAN and target.value > 0:
        return _("Có")
    return target_label(target)


def _targets(
    unit: Unit, agency: Agency | None, period: Period, indicators: list[Indicator]
) -> dict[str, Target]:
    """The plan target shown beside each input: from a plan of the unit, of a unit above it
    or of the central government, with a scope that reads this unit (or agency) itself, and
    the nearest deadline not yet past at the start of the period."""
    issuers = {pk for pk in (unit.pk, unit.parent_id, unit.district_id, unit.province_id) if pk}
    candidates = Target.objects.filter(
        Q(plan__issuing_unit__in=issuers) | Q(plan__issuing_unit__isnull=True),
        indicator__in=indicators,
        deadline_end__gte=period.start,
    ).select_related("plan", "indicator")
    best: dict[str, Target] = {}
    for target in candidates:
        if agency is not None:
            if target.scope not in AGENCY_SCOPES:
                continue
            _level, kinds = AGENCY_SCOPES[target.scope]
            if kinds is not None and agency.kind not in kinds:
                continue
        elif engine_scope(target.scope, unit.level) != "self":
            continue
        code = target.indicator.code
        # Nearest deadline first; at the same deadline a local plan before a national one.
        key = (target.deadline_end, target.plan.issuing_unit_id is None, target.pk)
        held = best.get(code)
        if held is None or key < (held.deadline_end, held.plan.issuing_unit_id is None, held.pk):
            best[code] = target
    return best


# --- review --------------------------------------------------------------------------------


@login_required
def review_inbox(request):
    member = policy.membership(request.user)
    waiting = list(services.review_inbox(request.user))
    waiting_ids = {s.pk for s in waiting}
    return render(
        request,
        "entry/review_inbox.html",
        {
            "is_reviewer": bool(member and member.is_reviewer),
            "waiting": waiting,
            # The others (approved, returned): where a report is reopened.
            "reviewed": [s for s in services.reviewed_by(request.user) if s.pk not in waiting_ids],
            "form": BulkReviewForm(),
        },
    )


@login_required
@require_POST
def review_act(request):
    """Approve or return the reports chosen in the inbox (one row's form sends one): all of
    them or, if any cannot be, none (entry.services.submissions_act)."""
    form = BulkReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("entry:review-inbox")
    action = form.cleaned_data["action"]
    try:
        done = services.submissions_act(
            user=request.user,
            versions=form.cleaned_data["reports"],
            action=action,
            reason=form.cleaned_data["reason"],
        )
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        n = len(done)
        if action == "approve":
            text = ngettext("Đã duyệt %(n)s báo cáo.", "Đã duyệt %(n)s báo cáo.", n)
        else:
            text = ngettext("Đã trả lại %(n)s báo cáo.", "Đã trả lại %(n)s báo cáo.", n)
        messages.success(request, text % {"n": n})
    return redirect("entry:review-inbox")


ACTION_MESSAGES = {
    "submit": gettext_lazy("Đã gửi duyệt."),
    "approve": gettext_lazy("Đã duyệt báo cáo."),
    "return": gettext_lazy("Đã trả lại báo cáo."),
    "reopen": gettext_lazy("Đã mở lại báo cáo."),
}


@login_required
@require_http_methods(["GET", "POST"])
def submission_detail(request, pk: int):
    submission = get_object_or_404(Submission.objects.select_related("unit", "agency"), pk=pk)
    if not policy.can_view_submission(request.user, submission):
        raise PermissionDenied(policy.NOT_YOUR_REPORTS)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not may_act(request.user, submission):
            raise PermissionDenied(report_writes.NOT_ALLOWED)
        action = request.POST.get("action", "")
        reason = clean_reason(request.POST.get("reason", ""))
        version = request.POST.get("version", "")
        try:
            services.submission_act(
                user=request.user,
                submission=submission,
                action=action,
                reason=reason,
                # The version the page showed (when it sent one): a report sent again with
                # other figures since is not approved unseen.
                expected_version=int(version) if is_number(version) else None,
            )
        except services.MissingRequired as exc:
            # The list of what is missing, by pillar, is on the page (detail's "missing").
            messages.error(
                request,
                _("Chưa gửi được: còn thiếu %(n)s chỉ tiêu bắt buộc (danh sách dưới đây).")
                % {"n": sum(len(g.indicators) for g in exc.groups)},
            )
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, str(ACTION_MESSAGES[action]))
            return redirect("entry:submission-detail", pk=submission.pk)
        submission.refresh_from_db()
    return render(
        request, "entry/submission_detail.html", _detail_context(request, submission, form)
    )


def _detail_context(request, submission: Submission, form: ReviewForm) -> dict:
    user = request.user
    actions = report_writes.steps_open(user, submission)
    may_review = policy.can_review(user, submission)  # (what the page shows it)
    desk = report_desk(submission=submission)
    return {
        "submission": submission,
        "reporter": submission.reporter,
        "period": desk.period,
        "desk": desk,
        "missing_groups": services.missing_by_pillar(services.missing_required(submission)),
        "transitions": list(submission.transitions.select_related("by").order_by("at", "id")),
        "actions": actions,
        "form": form,
        "may_review": may_review,
        # The reviewer's desk keeps the review tab of the menu (egov_portal.context_processors).
        "nav_tab": "review" if may_review else "entry",
        "form_url": _form_url(submission.unit, submission.agency, desk.period),
    }


# --- completeness ------------------------------------------------------------------------


@login_required
def completeness_view(request):
    unit = _completeness_unit(request)
    periods = reporting_periods(unit, today())
    text = request.GET.get("period", "").strip()
    if text:
        try:
            period = parse_period(text)
        except PeriodError:
            raise Http404(_("Không có kỳ báo cáo này.")) from None
    elif periods:
        period = periods[0]
    else:
        raise Http404(_("Không có kỳ báo cáo này."))
    rows = completeness(unit, period, today())
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _completeness_download(unit, period, rows, export)
    counts = Counter(row.status for row in rows)
    in_force = in_force_during(unit, period)
    # The menu offers the unit's own quarters; one asked for outside its life is not added.
    choices = list(periods)
    if period not in choices and in_force:
        choices.insert(0, period)
    return render(
        request,
        "entry/completeness.html",
        {
            "unit": unit,
            "period": period,
            "periods": choices,
            "rows": rows,
            "counts": [(status, counts.get(status, 0)) for status in STATUS_ORDER],
            "total": len(rows),
            "quarters": len({row.period for row in rows}) > 1 or period.kind != PeriodKind.QUARTER,
            "not_in_force": ""
            if in_force
            else UNIT_NOT_IN_FORCE % {"unit": unit.name, "period": period.id},
        },
    )


def _completeness_unit(request) -> Unit:
    text = request.GET.get("unit", "").strip()
    if text:
        if not is_number(text):
            raise Http404(_("Không có đơn vị này."))
        unit = get_object_or_404(Unit, pk=int(text))
    else:
        member = policy.membership(request.user)
        if member is None:
            raise PermissionDenied(policy.NO_UNIT)
        unit = member.unit
    if not policy.can_view_unit(request.user, unit):
        raise PermissionDenied(policy.NOT_YOUR_REPORTS)
    return unit


STATUS_WORDS = {
    "none": gettext_lazy("Chưa nhập"),
    **{status.value: status.label for status in Figure.Status},
}


def _completeness_download(
    unit: Unit, period: Period, rows: list[ReportRow], export: str
) -> HttpResponse:
    """The table as CSV or XLSX (Excel in a Vietnamese locale may split a CSV on semicolons
    and show it as one column); every text cell made inert through table_files."""
    columns = [
        _("Mã"),
        _("Đơn vị, cơ quan"),
        _("Kỳ"),
        _("Trạng thái"),
        _("Hạn nộp"),
        _("Gửi lúc"),
        _("Trễ hạn"),
        _("Quá hạn"),
    ]
    data = [
        [
            row.unit.code if row.agency is None else "",
            row.name,
            row.period.id,
            str(STATUS_WORDS.get(row.status, row.status)),
            row.due_on.isoformat(),
            _local_time(row.submission.submitted_at) if row.submission else "",
            _("có") if row.is_late else "",
            _("có") if row.is_overdue else "",
        ]
        for row in rows
    ]
    frame = pd.DataFrame(data, columns=columns)
    if export == "xlsx":
        title = _("Tình hình báo cáo") + f" · {unit.name} · {period.id}"
        content = table_files.frames_xlsx({_("Tình hình báo cáo"): frame}, title=title)
        response = HttpResponse(content, content_type=table_files.XLSX)
    else:
        response = HttpResponse(table_files.frame_csv(frame), content_type=table_files.CSV)
    filename = f"hoan-thanh-{unit.code}-{period.id}.{export}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _local_time(moment) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- the Excel template and imports from files ---------------------------------------------


def _may_open(user, unit: Unit, agency: Agency | None, period: Period) -> bool:
    """Who may open a report's form (to enter it, or to read it): the same for its template."""
    if policy.can_enter(user, unit, agency) or policy.can_view_unit(user, unit):
        return True
    submission = reports.submission_get(unit, agency, period)
    return submission is not None and policy.can_review(user, submission)


def _target_labels(
    unit: Unit, agency: Agency | None, period: Period, indicators: list[Indicator]
) -> dict[str, str]:
    """The plan target of each indicator as the form shows it beside the input."""
    return {
        code: _target_text(target)
        for code, target in _targets(unit, agency, period, indicators).items()
    }


@login_required
@require_GET
def entry_template(request, unit_id: int, period: str):
    unit = get_object_or_404(Unit, pk=unit_id)
    return _template_response(request, unit, None, _period_or_404(period, unit))


@login_required
@require_GET
def entry_template_agency(request, agency_id: int, period: str):
    agency = get_object_or_404(Agency.objects.select_related("unit"), pk=agency_id)
    return _template_response(request, agency.unit, agency, _period_or_404(period, agency.unit))


def _template_response(request, unit: Unit, agency: Agency | None, period: Period):
    """The XLSX template of a report; `?children=1` adds the units directly below that the
    user may view (whether the user may import them is checked per row on upload)."""
    if not _may_open(request.user, unit, agency, period):
        raise PermissionDenied(policy.NOT_YOUR_REPORTS)
    children = agency is None and request.GET.get("children") == "1"
    reporters = templates_xlsx.reporters_for(unit, agency, period, request.user, children=children)
    rows = templates_xlsx.template_rows(reporters, period, _target_labels)
    data = templates_xlsx.template_workbook(agency or unit, period, rows, with_children=children)
    response = HttpResponse(data, content_type=table_files.XLSX)
    name = templates_xlsx.filename(unit, agency, period, children=children)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp số liệu (XLSX hoặc CSV)"),
        allow_empty_file=True,  # the reader says "Tệp trống." like for every other way in
        widget=forms.FileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,.csv,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )
    valid_only = forms.BooleanField(
        label=gettext_lazy("Chỉ lưu các dòng đúng (bỏ qua dòng lỗi)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Chỉ kiểm tra, chưa lưu"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


def _sync_rows() -> int:
    return int(getattr(settings, "IMPORT_SYNC_ROWS", 2000))


# csrf_exempt, so that the size check runs before the CSRF check reads the body (Django's
# pattern for per-request upload handling); _import_view checks the token as usual.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    """Upload a filled-in template (or any figures file): small files are imported now,
    larger ones by a background job (ImportJob, entry.tasks)."""
    if request.method == "POST":
        try:  # the declared size, before anything reads the body and spools the file to disk
            check_request_size(request.META.get("CONTENT_LENGTH"))
        except ImportFileError as exc:
            context = _import_context(request, ImportForm()) | {"file_error": str(exc)}
            return render(request, "entry/import_form.html", context, status=400)
    return _import_view(request)


def _import_context(request, form: ImportForm) -> dict:
    return {
        "form": form,
        "max_mb": round(max_upload_bytes() / 1024 / 1024, 1),
        "jobs": ImportJob.objects.filter(user=request.user).defer("data", "errors_file")[:5],
    }


@csrf_protect
def _import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = _import_context(request, form)
    if request.method != "POST":
        return render(request, "entry/import_form.html", context)
    if not form.is_valid():
        return render(request, "entry/import_form.html", context, status=400)
    upload = form.cleaned_data["file"]
    valid_only = form.cleaned_data["valid_only"]
    dry_run = form.cleaned_data["dry_run"]
    try:
        check_size(upload.size)  # before reading a byte of it
        data = upload.read()
        # Counted without reading a cell, so that a big file is read by a job, not in this
        # request; a workbook past the bounds of an import is refused here.
        if jobs.rows_estimate(data) > _sync_rows():
            return _import_later(request, upload.name, data, valid_only, dry_run)
        read = read_figures(data)
    except ImportFileError as exc:
        context["file_error"] = str(exc)
        return render(request, "entry/import_form.html", context, status=400)
    if len(read.inputs) + len(read.errors) > _sync_rows():
        return _import_later(request, upload.name, data, valid_only, dry_run)
    try:
        result = jobs.import_now(
            read,
            user=request.user,
            dry_run=dry_run,
            valid_only=valid_only,
            filename=upload.name or "",
        )
    except ImportConflict as exc:
        context["file_error"] = str(exc)
        return render(request, "entry/import_form.html", context, status=409)
    context["result"] = _for_page(result)
    context["filename"] = upload.name
    if "job" in result:  # more errors than the page lists: kept for download
        context["errors_url"] = reverse("entry:import-job-errors", args=[result["job"]])
    refused = not result["stored"] and not result["dry_run"]  # as the bulk API answers
    return render(request, "entry/import_form.html", context, status=400 if refused else 200)


# The columns a problem may be in, as the result table names them beside the column's name.
COLUMN_LABELS = {
    "unit_code": gettext_lazy("mã đơn vị"),
    "agency": gettext_lazy("cơ quan"),
    "on": gettext_lazy("ngày đơn vị có hiệu lực"),
    "indicator": gettext_lazy("mã chỉ tiêu"),
    "period": gettext_lazy("kỳ"),
    "scope": gettext_lazy("phạm vi"),
    "value": gettext_lazy("giá trị"),
    "numerator": gettext_lazy("tử số"),
    "denominator": gettext_lazy("mẫu số"),
    "source": gettext_lazy("nguồn"),
    "source_on": gettext_lazy("ngày của nguồn"),
    "note": gettext_lazy("ghi chú"),
}


def _for_page(result: dict) -> dict:
    """An import's result (jobs.result_dict) with what the page shows besides: each problem's
    column in words, and whether anything changed."""
    errors = [e | {"label": COLUMN_LABELS.get(e["field"], "")} for e in result.get("errors", [])]
    changed = result.get("created", 0) + result.get("updated", 0)
    # (A job done before the errors were counted listed them all.)
    total = result.get("errors_total", len(errors))
    return result | {"errors": errors, "changed": changed, "errors_total": total}


def _import_later(request, name: str, data: bytes, valid_only: bool, dry_run: bool):
    job = ImportJob.objects.create(
        user=request.user,
        filename=(name or "")[:255],
        data=data,
        valid_only=valid_only,
        dry_run=dry_run,
    )

    jobs.import_job_queue(job.pk)
    return redirect("entry:import-job", pk=job.pk)


def _job_or_404(request, pk: int) -> ImportJob:
    job = get_object_or_404(
        ImportJob.objects.defer("data", "errors_file").select_related("user"), pk=pk
    )
    if job.user_id != request.user.pk and not policy.is_administrator(request.user):
        raise PermissionDenied(policy.NOT_YOUR_IMPORT)
    # A job whose worker was killed would say "running" for ever: it says "failed" instead.
    # (Looked at only once its last sign of life is old: the page polls every second.)
    silent = job.heartbeat_at is None or job.heartbeat_at < timezone.now() - jobs.stale_after()
    if (
        job.status == ImportJob.Status.RUNNING
        and silent
        and jobs.import_jobs_fail_stale(job_id=job.pk)
    ):
        job.refresh_from_db(fields=["status", "progress", "error", "heartbeat_at"])
    return job


@login_required
@require_GET
def import_job_view(request, pk: int):
    job = _job_or_404(request, pk)
    done = job.status == ImportJob.Status.DONE
    return render(
        request,
        "entry/import_job.html",
        {
            "job": job,
            "stage": _stage(job),
            # The bar's width as a Bootstrap class (w-25 … w-100): no inline style, which
            # the CSP forbids; static/js/import.js sets the exact width.
            "width": job.progress // 25 * 25,
            "result": _for_page(job.summary) if done else None,
            "filename": job.filename,
            "can_rerun": job.status == ImportJob.Status.FAILED
            and jobs.rerunnable().filter(pk=job.pk).exists(),
            "errors_url": reverse("entry:import-job-errors", args=[job.pk])
            if done and job.summary.get("errors_total")  # (older jobs kept no file)
            else "",
        },
    )


@login_required
@require_GET
def import_job_errors(request, pk: int):
    """Every error of a job's import as CSV (row, field, message): its page lists the first."""
    job = _job_or_404(request, pk)
    data = jobs.job_errors_file(job_id=job.pk)
    if not data:
        raise Http404(_("Lượt nhập này không có danh sách lỗi."))
    response = StreamingHttpResponse(
        jobs.errors_file_chunks(data), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-{job.pk}.csv"'
    return response


@login_required
@require_POST
def import_job_rerun(request, pk: int):
    """Run a failed job again from the file it kept (its worker was stopped midway)."""
    job = _job_or_404(request, pk)
    try:
        jobs.import_job_rerun(job_id=job.pk)
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("entry:import-job", pk=job.pk)


def _stage(job: ImportJob) -> str:
    if job.status != ImportJob.Status.RUNNING:
        return job.get_status_display()
    if job.progress < jobs.READ:
        return _("Đang đọc tệp")
    if job.progress < jobs.CHECKED:
        return _("Đang kiểm tra từng dòng")
    return _("Đang lưu số liệu")


@login_required
@require_GET
def import_job_status(request, pk: int):
    """The job's status and progress, for static/js/import.js to move the bar."""
    job = _job_or_404(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": _stage(job),
            "progress": job.progress,
            "finished": job.is_finished,
        }
    )
