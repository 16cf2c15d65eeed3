"""A person's notifications: the list, following one (read), and the mail setting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from notifications import selectors, services
from notifications.forms import NotificationSettingForm
from notifications.models import Notification

PAGE_SIZE = 20


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":  # "Đánh dấu tất cả đã đọc"
        services.notifications_read_all(user=request.user)
        messages.success(request, _("Đã đánh dấu tất cả thông báo là đã đọc."))
        return redirect("notifications:notification-list")
    page = Paginator(selectors.notification_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_GET
def notification_open(request, pk: int):
    """Follow a notification: it is read, and the report (or its form) opens."""
    try:
        notification = selectors.notification_get(user=request.user, pk=pk)
    except Notification.DoesNotExist:
        raise Http404(_("Không có thông báo này.")) from None
    services.notification_read(notification=notification)
    return redirect(notification.target_url())


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    form = NotificationSettingForm(
        # Bound on a POST even when empty: an unticked box sends nothing.
        request.POST if request.method == "POST" else None,
        initial={"email_enabled": selectors.email_enabled(user=request.user)},
    )
    if request.method == "POST" and form.is_valid():
        enabled = form.cleaned_data["email_enabled"]
        services.notification_setting_save(user=request.user, email_enabled=enabled)
        messages.success(
            request,
            _("Đã bật thư thông báo.") if enabled else _("Đã tắt thư thông báo."),
        )
        return redirect("notifications:notification-settings")
    return render(
        request, "notifications/settings.html", {"form": form, "email": request.user.email}
    )
