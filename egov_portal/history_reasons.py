"""Why a history record was written, when no person's edit explains it: the codes stored in
simple_history's history_change_reason, and the words the history export shows for them
(egov_portal.history_export)."""

from django.utils.translation import gettext_lazy as _

PASSWORD_CHANGED = "password-changed"  # noqa: S105 (a label, not a password)
REFERENCE_LOAD = "reference-load"

LABELS = {
    PASSWORD_CHANGED: _("đổi mật khẩu"),
    REFERENCE_LOAD: _("nạp dữ liệu tham chiếu"),
}
