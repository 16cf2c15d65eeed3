"""/accounts/password_reset/: the mail is sent (and the link sets a new password), an
unknown address gets the same "sent" page, and when no mail can be sent (the SMTP server
refuses the connection, times out, or refuses the mail) the page says so, the failure is
logged, and still nothing tells whether an address has an account."""

import logging
import re
import socket
import threading

import pytest
from django.contrib.auth import get_user_model

from accounts.views import MAIL_NOT_SENT

pytestmark = pytest.mark.django_db

URL = "/accounts/password_reset/"
DONE = "/accounts/password_reset/done/"
ADDRESS = "nhaplieu@vinhlinh.quangtri.gov.vn"
LOGGER = "accounts.views"


@pytest.fixture
def official():
    return get_user_model().objects.create_user(
        "vinhlinh.nhaplieu", email=ADDRESS, password="mat-khau-cu-2026"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1


def failures(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


# --- The mail goes -------------------------------------------------------------------------


def test_the_pages_are_the_portals_in_vietnamese(client):
    page = client.get(URL).content.decode()
    assert "Quên mật khẩu" in page and "egov-portal" in page
    assert 'name="email"' in page and "csrfmiddlewaretoken" in page
    assert "/accounts/password_reset/" in client.get("/accounts/login/").content.decode()
    assert "Đã gửi thư đặt lại mật khẩu" in client.get(DONE).content.decode()


def test_a_known_address_gets_a_link_that_sets_a_new_password(client, official, mailoutbox):
    response = client.post(URL, {"email": ADDRESS})
    assert response.status_code == 302 and response["Location"] == DONE
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [ADDRESS]
    assert message.subject == "Đặt lại mật khẩu tại testserver"
    assert "vinhlinh.nhaplieu" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Đặt mật khẩu mới" in form.content.decode()
    new = "mot-mat-khau-moi-2026"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Đã đặt mật khẩu mới" in done.content.decode()
    official.refresh_from_db()
    assert official.check_password(new)


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, official, mailoutbox):
    response = client.post(URL, {"email": "ai.do@example.vn"})
    assert response.status_code == 302 and response["Location"] == DONE
    assert mailoutbox == []


def test_a_used_link_says_so(client):
    page = client.get("/accounts/reset/MQ/set-password/", follow=True).content.decode()
    assert "Đường dẫn đặt lại mật khẩu không còn dùng được" in page


# --- The mail cannot go --------------------------------------------------------------------


@pytest.mark.parametrize("address", [ADDRESS, "ai.do@example.vn"])
def test_when_the_smtp_server_refuses_the_connection_the_page_says_so(
    client, settings, official, caplog, address
):
    smtp_at(settings, free_port())  # nothing listens there
    response = client.post(URL, {"email": address})
    # The same answer for a known address and an unknown one: no account is given away.
    assert response.status_code == 503
    assert str(MAIL_NOT_SENT) in response.content.decode()
    assert f'value="{address}"' in response.content.decode()  # to try again
    assert len(failures(caplog)) == 1
    assert "ConnectionRefusedError" in failures(caplog)[0]
    assert address not in failures(caplog)[0]


def test_when_the_smtp_server_does_not_answer_the_page_says_so(client, settings, official, caplog):
    with socket.socket() as silent:  # connections are queued by the system, never answered
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        smtp_at(settings, silent.getsockname()[1])
        response = client.post(URL, {"email": ADDRESS})
    assert response.status_code == 503
    assert str(MAIL_NOT_SENT) in response.content.decode()
    assert "timed out" in failures(caplog)[0]


class RefusingSMTPServer(threading.Thread):
    """Greets and says hello, then refuses every sender: a server that does not take our
    mail (a relay refused, a full mailbox)."""

    def __init__(self, refuse: bytes = b"MAIL"):
        super().__init__(daemon=True)
        self.refuse = refuse  # the command answered 550: MAIL (the sender) or RCPT
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]

    def run(self):
        with self.listener:
            self.listener.settimeout(10)
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                return
            with connection, connection.makefile("rb") as lines:
                connection.sendall(b"220 refusing ESMTP\r\n")
                for line in lines:
                    command = line.split(b" ", 1)[0].strip().upper()
                    if command == b"EHLO":
                        connection.sendall(b"250 refusing\r\n")
                    elif command == self.refuse:
                        connection.sendall(b"550 5.7.1 Relaying denied\r\n")
                    elif command == b"QUIT":
                        connection.sendall(b"221 bye\r\n")
                        return
                    else:
                        connection.sendall(b"250 ok\r\n")


@pytest.mark.parametrize("refused", [b"MAIL", b"RCPT"])
def test_when_the_smtp_server_refuses_the_mail_the_page_says_so(
    client, settings, official, caplog, refused
):
    server = RefusingSMTPServer(refuse=refused)
    server.start()
    smtp_at(settings, server.port)
    response = client.post(URL, {"email": ADDRESS})
    server.join(timeout=10)
    assert response.status_code == 503
    assert str(MAIL_NOT_SENT) in response.content.decode()
    assert "Relaying denied" in failures(caplog)[0]
    assert ADDRESS not in failures(caplog)[0]  # a refused recipient's error carries it


def test_logged_once_as_an_error(client, settings, official, caplog):
    caplog.set_level(logging.ERROR, logger=LOGGER)
    smtp_at(settings, free_port())
    client.post(URL, {"email": ADDRESS})
    assert [r.levelno for r in caplog.records if r.name == LOGGER] == [logging.ERROR]
