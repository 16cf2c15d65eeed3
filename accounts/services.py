"""Writes to accounts."""

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import Membership
from units.models import Unit


@transaction.atomic
def demo_users_create() -> list[str]:
    """Creates (or resets) the demo accounts; returns their usernames."""
    User = get_user_model()
    names = []
    for demo in DEMO_USERS:
        unit = Unit.objects.in_force(demo.unit_on).get(code=demo.unit_code)
        user, _ = User.objects.get_or_create(username=demo.username)
        user.first_name = demo.full_name
        user.is_superuser = user.is_staff = demo.superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.update_or_create(
            user=user,
            defaults={
                "unit": unit,
                "agency": None,
                "is_data_entry": "data_entry" in demo.roles,
                "is_reviewer": "reviewer" in demo.roles,
                "is_steering": "steering" in demo.roles,
                "is_administrator": "administrator" in demo.roles,
            },
        )
        names.append(demo.username)
    return names
