"""/api/v1/token/: an official's API token, for scripts that push their unit's figures."""

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.throttling import AnonRateThrottle

from egov_portal.api import JSONParser

# What a password may be: enough for any passphrase, too little to keep a hasher busy.
PASSWORD_MAX = 4096


class TokenRequestSerializer(AuthTokenSerializer):
    """DRF's, with lengths: a username longer than the column is refused here, before
    django-axes records the failed login (its column holds 255 characters: a longer one
    was a 500 on PostgreSQL)."""

    username = serializers.CharField(
        label=AuthTokenSerializer().fields["username"].label,
        max_length=get_user_model()._meta.get_field("username").max_length,
        write_only=True,
    )
    password = serializers.CharField(
        label=AuthTokenSerializer().fields["password"].label,
        style={"input_type": "password"},
        trim_whitespace=False,
        max_length=PASSWORD_MAX,
        write_only=True,
    )


class TokenView(ObtainAuthToken):
    """DRF leaves it unthrottled; django-axes locks a username, this limits an address. Its
    JSON is read by the API's parser (egov_portal.api: bounded), not DRF's own."""

    serializer_class = TokenRequestSerializer
    throttle_classes = [AnonRateThrottle]
    parser_classes = [FormParser, MultiPartParser, JSONParser]
