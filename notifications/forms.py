from django import forms
from django.utils.translation import gettext_lazy as _


class NotificationSettingForm(forms.Form):
    email_enabled = forms.BooleanField(
        label=_("Gửi thông báo cho tôi qua thư điện tử"),
        required=False,
        help_text=_("Thông báo vẫn hiện trong danh sách trên cổng dù tắt thư."),
    )
