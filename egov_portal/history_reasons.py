"""Why a history record was written, when no person's edit explains it: the codes stored in
simple_history's history_change_reason, and the words the history export shows for them
(egov_portal.history_export)."""

from django.utils.translation import gettext_lazy as _

# A user's history row written by a save that set a new password (the hash itself is never
# copied into the history: accounts.models.UserHistoricalRecords).
PASSWORD_CHANGED = "password-changed"  # noqa: S105 (a label, not a password)
# The history rows the reference loaders write (they have no user).
REFERENCE_LOAD = "reference-load"

LABELS = {
    PASSWORD_CHANGED: _("đổi mật khẩu"),
    REFERENCE_LOAD: _("nạp dữ liệu tham chiếu"),
}
