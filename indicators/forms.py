"""The figure form of the admin: the same rules as imports, the API and data entry."""

from django import forms
from django.core.exceptions import ValidationError

from indicators.models import Figure
from indicators.validation import (
    AGENCY_NOT_OF_UNIT,
    figure_target_check,
    figure_value_check,
    period_check,
)
from indicators.writes import figures as figure_writes


class FigureAdminForm(forms.ModelForm):
    class Meta:
        model = Figure
        fields = [
            "unit",
            "agency",
            "indicator",
            "period",
            "scope",
            "numerator",
            "denominator",
            "value",
            "status",
            "source",
            "source_on",
            "note",
        ]

    user = None  # who saves (set by FigureAdmin.get_form; nobody: approved figures stay)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A ratio may be given as numerator and denominator only: the check computes it.
        if "value" in self.fields:  # (read-only for a published figure: FigureAdmin)
            self.fields["value"].required = False

    def clean(self):
        data = super().clean()
        # By what is stored (a history page's form holds an old version of the figure).
        refused = figure_writes.admin_form_refusal(
            self.user, self.instance, changes=self.has_changed()
        )
        if refused:
            raise ValidationError(refused)
        unit, indicator = self._given(data, "unit"), self._given(data, "indicator")
        if unit is None or indicator is None or "period" in self.errors:
            return data
        agency = self._given(data, "agency")
        try:
            period = period_check(self._given(data, "period") or "")
            if agency is not None and agency.unit_id != unit.pk:
                raise ValidationError({"agency": AGENCY_NOT_OF_UNIT})
            figure_target_check(
                indicator=indicator,
                unit=unit,
                agency=agency,
                period=period,
                scope=self._given(data, "scope") or Figure.Scope.SELF,
            )
            checked = figure_value_check(
                indicator=indicator,
                scope=self._given(data, "scope") or Figure.Scope.SELF,
                value=data.get("value"),
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
            return data
        if "period" in self.fields:
            data["period"] = period.id
        data["value"], data["numerator"], data["denominator"] = (
            checked.value,
            checked.numerator,
            checked.denominator,
        )
        self.instance.period_start, self.instance.period_end = period.start, period.end
        return data

    def _given(self, data: dict, name: str):
        """What the form says of a field, or what the figure holds where the field is shown
        read-only (a stored figure's key: FigureAdmin)."""
        if name in self.fields:
            return data.get(name)
        return getattr(self.instance, name) if self.instance.pk is not None else None
