"""Reads of notifications: a person's own, never another's."""

from django.db.models import QuerySet

from notifications.models import Notification, NotificationSetting


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what their text needs."""
    return Notification.objects.filter(recipient=user).select_related("unit", "agency")


def notification_get(*, user, pk: int) -> Notification:
    """One of the user's notifications; Notification.DoesNotExist for anyone else's."""
    return Notification.objects.select_related("unit", "agency").get(recipient=user, pk=pk)


def unread_count(*, user) -> int:
    """How many notifications the user has not read: one COUNT on the partial index."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_enabled(*, user) -> bool:
    """Whether the user gets notifications by mail too (on unless turned off)."""
    setting = NotificationSetting.objects.filter(user=user).first()
    return setting is None or setting.email_enabled
