"""The password reset form: Django's, except that a mail that cannot be sent is said, not
hidden (Django logs the failure and shows "sent" all the same)."""

import contextlib

from django.contrib.auth import forms as auth_forms
from django.core import mail
from django.template import loader


class MailNotSent(Exception):
    """The mail server could not be reached, or refused the mail; the cause is chained."""


class PasswordResetForm(auth_forms.PasswordResetForm):
    """The mail server is connected to before the address is looked up, so an outage reads
    the same whatever address was typed, known or not: the page never tells whether an
    address has an account (only a server that accepts the connection and then refuses the
    mail of a known address would)."""

    def save(self, **kwargs):
        """Sends the reset mail to the address's accounts; raises MailNotSent."""
        connection = mail.get_connection()
        try:
            connection.open()
        except Exception as error:  # smtplib's errors, OSError, or a third-party backend's
            raise MailNotSent from error
        self._connection = connection
        try:
            super().save(**kwargs)
        finally:
            # Closing fails when the server is gone: the mail went, or MailNotSent says why not.
            with contextlib.suppress(Exception):
                connection.close()

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # As Django's PasswordResetForm.send_mail, but on the open connection, and raising.
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = mail.EmailMultiAlternatives(
            subject, body, from_email, [to_email], connection=self._connection
        )
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception as error:
            raise MailNotSent from error
