"""A figure's page (its comments, follow-up and evidence, with the forms to add them),
evidence downloads, the follow-up list and the data-quality page. Thin: the rules are in
quality.discussion, quality.evidence and quality.report, the permissions in accounts.policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from accounts import policy
from egov_portal import table_files
from indicators.models import Figure
from indicators.periods import PeriodError, PeriodKind, parse_period
from indicators.selectors import figure_history
from quality import discussion, evidence, report, uploads
from quality.models import Evidence
from units.models import Unit

FIGURE_ACTIONS = ("comment", "follow_up", "resolve", "upload", "link")


def _figure_or_404(request, pk: int) -> Figure:
    figure = get_object_or_404(Figure.objects.select_related("unit", "agency", "indicator"), pk=pk)
    if not policy.can_see_figure(request.user, figure):
        raise Http404(_("Không có số liệu này."))  # a draft elsewhere is not shown to exist
    return figure


# csrf_exempt, so that the evidence size limit is in place before the CSRF check reads the
# body (Django's pattern for changing upload handlers in a view); _figure_page checks the
# token as usual.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def figure_page(request, pk: int):
    uploads.limit_install(request)
    return _figure_page(request, pk)


@csrf_protect
def _figure_page(request, pk: int):
    figure = _figure_or_404(request, pk)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    errors: dict = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            uploads.limit_check(request)  # a file over the limit, stopped while read
            _act(request, figure, action)
        except ValidationError as exc:
            errors = exc.message_dict
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        else:
            if back and request.POST.get("back"):  # a comment written on the report page
                return HttpResponseRedirect(back)
            url = reverse("quality:figure", args=[figure.pk])
            return HttpResponseRedirect(f"{url}?next={back}" if back else url)
    return render(
        request,
        "quality/figure.html",
        {
            "figure": figure,
            "comments": discussion.comments_of(figure),
            "follow_up": discussion.open_follow_up(figure),
            "evidence": evidence.evidence_of(figure),
            "evidence_required": figure.indicator_id in evidence.required_indicator_ids(),
            "history": (
                figure_history(figure=figure)
                if policy.can_see_figure_history(request.user, figure)
                else None
            ),
            "may_comment": policy.can_comment(request.user, figure),
            "may_follow_up": policy.can_follow_up(request.user, figure),
            "may_resolve": policy.can_resolve_follow_up(request.user, figure),
            "errors": errors,
            "posted": request.POST if errors else {},
            "next": back,
            "max_mb": round(evidence.max_bytes() / 1024 / 1024),
            "allowed": evidence.ALLOWED,
        },
        status=400 if errors else 200,
    )


def _act(request, figure: Figure, action: str) -> None:
    user, data = request.user, request.POST
    if action == "comment":
        discussion.comment_add(user=user, figure=figure, text=data.get("text", ""))
        messages.success(request, _("Đã ghi bình luận."))
    elif action == "follow_up":
        discussion.follow_up_open(user=user, figure=figure, reason=data.get("reason", ""))
        messages.success(request, _("Đã đánh dấu số liệu cần theo dõi."))
    elif action == "resolve":
        discussion.follow_up_resolve(user=user, figure=figure, text=data.get("text", ""))
        messages.success(request, _("Đã đóng việc theo dõi."))
    elif action == "upload":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Chưa chọn tệp.")})
        evidence.evidence_upload(user=user, figure=figure, name=upload.name, data=upload.read())
        messages.success(request, _("Đã tải lên minh chứng."))
    elif action == "link":
        evidence.evidence_link(
            user=user, figure=figure, link=data.get("link", ""), name=data.get("name", "")
        )
        messages.success(request, _("Đã thêm liên kết minh chứng."))
    else:
        raise ValidationError({"action": _("Thao tác không hợp lệ.")})


@login_required
@require_GET
def evidence_download(request, pk: int):
    """A document, to those who may see its figure, as a download of the type its content
    was found to be: never rendered by the browser, never run."""
    item = get_object_or_404(Evidence.objects.select_related("unit", "agency"), pk=pk)
    figure = item.figure
    if figure is None:  # the figure was deleted: its unit's readers still see its history
        visible = policy.can_view_unit(request.user, item.unit)
    else:
        visible = policy.can_see_figure(request.user, figure)
    if not visible:
        raise Http404(_("Không có minh chứng này."))
    if item.link:
        return redirect(item.link)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,  # never inline: never rendered by the browser
        filename=evidence.download_name(item),
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _unit_and_period(request):
    text = request.GET.get("unit", "").strip()
    member = policy.membership(request.user)
    if text:
        if not text.isdigit():
            raise Http404(_("Không có đơn vị này."))
        unit = get_object_or_404(Unit, pk=int(text))
    elif member is not None:
        unit = member.unit
    else:
        raise PermissionDenied(policy.NO_UNIT)
    if not policy.can_view_unit(request.user, unit):
        raise PermissionDenied(policy.NOT_YOUR_REPORTS)
    period = None
    if request.GET.get("period", "").strip():
        try:
            period = parse_period(request.GET["period"].strip())
        except PeriodError:
            raise Http404(_("Không có kỳ báo cáo này.")) from None
        if period.kind is not PeriodKind.QUARTER:
            raise Http404(_("Không có kỳ báo cáo này."))
    return unit, period


@login_required
@require_GET
def follow_up_list(request):
    unit, period = _unit_and_period(request)
    units = report.units_below(unit, period)
    return render(
        request,
        "quality/follow_ups.html",
        {
            "unit": unit,
            "period": period,
            "items": discussion.open_follow_ups(
                [u.pk for u in units], period.id if period else None
            ),
        },
    )


@login_required
@require_GET
def quality_page(request):
    unit, period = _unit_and_period(request)
    if period is None:
        period = report.latest_period(unit)
    found = report.quality_report(unit, period)
    if request.GET.get("format") == "xlsx":
        header, rows = report.xlsx_rows(found)
        return table_files.xlsx_response(
            header, rows, filename=f"chat-luong-{unit.code}-{period.id}.xlsx"
        )
    return render(
        request, "quality/quality.html", {"unit": unit, "period": period, "report": found}
    )
