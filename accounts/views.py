"""The password reset request page, which tells the truth when no mail can be sent."""

import logging
import smtplib

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _

from accounts.forms import MailNotSent, PasswordResetForm

logger = logging.getLogger(__name__)

MAIL_NOT_SENT = _(
    "Không gửi được thư đặt lại mật khẩu lúc này; hãy thử lại sau hoặc liên hệ quản trị viên."
)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view (the same "sent" page for an unknown address); when the mail cannot be
    sent, the form again with MAIL_NOT_SENT, answered 503, and the failure logged."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except MailNotSent as failure:
            # The cause, not the address: who asked is no business of the log.
            logger.error("Password reset mail not sent: %s", cause_text(failure.__cause__))
            form.add_error(None, MAIL_NOT_SENT)
            return self.render_to_response(self.get_context_data(form=form), status=503)


def cause_text(exc: BaseException | None) -> str:
    """Why a mail was not sent, for the log: the server's answer, never the address (a
    refused recipient's error carries it: its codes and messages only are kept)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(
            f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for code, message in exc.recipients.values()
        )
        return f"SMTPRecipientsRefused: {answers}"
    return repr(exc)
