"""`create_demo_users`: the README's accounts, and never with DEBUG off."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import Membership

pytestmark = pytest.mark.django_db


def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_users", stdout=io.StringIO())
    assert not Membership.objects.exists()


def test_creates_every_account_with_its_unit_and_role_twice_safely(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_users", stdout=out)
    call_command("create_demo_users", stdout=io.StringIO())
    assert Membership.objects.count() == len(DEMO_USERS)
    assert DEMO_PASSWORD in out.getvalue()
    hoxa = Membership.objects.select_related("unit").get(user__username="hoxa.nhaplieu")
    assert (hoxa.unit.name, hoxa.is_data_entry, hoxa.is_reviewer) == ("Thị trấn Hồ Xá", True, False)
    new = Membership.objects.select_related("unit").get(user__username="quangtri.duyet")
    assert (new.unit.code, str(new.unit.valid_from)) == ("44", "2025-07-01")
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="vinhlinh.duyet", password=DEMO_PASSWORD) is not None
