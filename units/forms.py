from django import forms
from django.utils.translation import gettext_lazy as _


class UnitBrowseForm(forms.Form):
    on = forms.DateField(
        label=_("Ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    parent = forms.RegexField(regex=r"^\d{2,3}$", required=False, widget=forms.HiddenInput)
