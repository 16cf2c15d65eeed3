"""Forms: the period picker of the plan pages, and the staff forms for plans and targets."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from indicators.validation import period_check
from plans.models import Plan, Target
from plans.validation import target_check
from units.models import Unit

UNIT_UNKNOWN = _("Không có đơn vị này.")
YEARS_REVERSED = _("Năm cuối (%(to)s) trước năm đầu (%(from)s).")
TARGET_DUPLICATE = _("Kế hoạch đã có mục tiêu này (cùng chỉ tiêu, phạm vi và thời hạn).")


class ProgressForm(forms.Form):
    """?period=2018&unit=<id> of a plan page; an empty period means the plan's default."""

    period = forms.CharField(label=_("Kỳ"), required=False, max_length=10)
    unit = forms.IntegerField(label=_("Đơn vị"), required=False, min_value=1)

    def clean_period(self):
        text = self.cleaned_data["period"].strip()
        if not text:
            return None
        try:
            return period_check(text)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["period"]) from None

    def clean_unit(self):
        pk = self.cleaned_data["unit"]
        if pk is None:
            return None
        unit = Unit.objects.filter(pk=pk).first()
        if unit is None:
            raise ValidationError(UNIT_UNKNOWN)
        return unit


class BootstrapMixin:
    """Bootstrap classes on every widget, and is-invalid on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date field sends and expects ISO dates, whatever the language.
        super().__init__(attrs, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        years = f"{obj.valid_from.year if obj.valid_from else '…'}–"
        years += str(obj.valid_to.year) if obj.valid_to else "…"
        return f"{obj.code} {obj.name} ({years})"


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.code} — {obj.localized_name}"


class PlanForm(BootstrapMixin, forms.ModelForm):
    issuing_unit = UnitChoiceField(
        label=_("Đơn vị hành chính ban hành"),
        queryset=Unit.objects.filter(level__in=[Unit.Level.PROVINCE, Unit.Level.DISTRICT]),
        required=False,
        help_text=_("Tỉnh hoặc huyện; để trống với văn bản của Trung ương."),
    )

    class Meta:
        model = Plan
        fields = [
            "code",
            "kind",
            "number",
            "title",
            "issuer",
            "issuing_unit",
            "issued_on",
            "year_from",
            "year_to",
            "goal",
            "implements",
            "implements_note",
            "source",
            "source_on",
        ]
        widgets = {
            "issued_on": DateInput(),
            "source_on": DateInput(),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "implements": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_unit"].queryset = self.fields["issuing_unit"].queryset.order_by(
            "level", "code", "valid_from"
        )
        implements = self.fields["implements"]
        implements.queryset = Plan.objects.order_by("-year_from", "code")
        if self.instance.pk is not None:  # a document cannot implement itself
            implements.queryset = implements.queryset.exclude(pk=self.instance.pk)

    def clean(self):
        data = super().clean()
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", YEARS_REVERSED % {"from": year_from, "to": year_to})
        return data


class TargetForm(BootstrapMixin, forms.ModelForm):
    """One target of `plan`, checked by plans.validation.target_check (the loader's rules).

    value_max is a form-only field (set in save()): target_check says what is wrong with a
    range on the right field, so the model's range constraints, which would repeat it as a
    bare "constraint violated", are not validated by the form.
    """

    indicator = IndicatorChoiceField(label=_("Chỉ tiêu"), queryset=Indicator.objects.none())
    value_max = Target._meta.get_field("value_max").formfield(
        help_text=_("Chỉ với mục tiêu «trong khoảng».")
    )

    field_order = [
        "indicator",
        "scope",
        "mode",
        "comparator",
        "value",
        "value_max",
        "deadline",
        "mandatory",
        "baseline_value",
        "baseline_period",
        "note",
    ]

    class Meta:
        model = Target
        fields = [
            "indicator",
            "scope",
            "mode",
            "comparator",
            "value",
            "deadline",
            "mandatory",
            "baseline_value",
            "baseline_period",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "deadline": _(
                "Mã kỳ: 2025, 2025S1, 2025Q4 hoặc 202512; để trống nếu văn bản không nêu "
                "thời hạn (mục tiêu áp dụng ngay từ khi ban hành)."
            ),
            "value": _("Chỉ tiêu tỷ lệ hoặc có/không: phần trăm, từ 0 đến 100."),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        if self.instance.pk is not None:
            self.initial.setdefault("value_max", self.instance.value_max)
        self.fields["indicator"].queryset = Indicator.objects.order_by("code")
        self.checked = None

    def clean(self):
        data = super().clean()
        if data.get("indicator") is None or any(
            name in self.errors for name in ("scope", "mode", "comparator")
        ):
            return data
        try:
            self.checked = target_check(
                indicator=data["indicator"],
                issuing_unit=self.plan.issuing_unit,
                scope=data["scope"],
                mode=data["mode"],
                comparator=data["comparator"],
                value=data.get("value"),
                value_max=data.get("value_max"),
                deadline=data.get("deadline") or "",
                baseline_value=data.get("baseline_value"),
                baseline_period=data.get("baseline_period") or "",
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field = name if name in self.fields else None
                if field is None or field not in self.errors:
                    self.add_error(field, messages)
            return data
        data["deadline"] = self.checked.deadline_fields()[0]
        data["baseline_period"] = (
            self.checked.baseline_period.id if self.checked.baseline_period else ""
        )
        duplicate = (
            Target.objects.filter(
                plan=self.plan,
                indicator=data["indicator"],
                scope=data["scope"],
                deadline=data["deadline"],
            )
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if duplicate:
            self.add_error(None, TARGET_DUPLICATE)
        return data

    def save(self, commit=True):
        target = super().save(commit=False)
        checked = self.checked
        target.plan = self.plan
        target.value = checked.value
        target.value_max = checked.value_max
        target.deadline, target.deadline_start, target.deadline_end = checked.deadline_fields()
        target.baseline_value = checked.baseline_value
        target.baseline_period = checked.baseline_period.id if checked.baseline_period else ""
        if target.pk is None:
            last = Target.objects.filter(plan=self.plan).aggregate(n=Max("position"))["n"]
            target.position = (last or 0) + 1
        if commit:
            target.save()
        return target
