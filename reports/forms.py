"""Forms of the dashboard pages: the period picker and the comparison's choices."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from indicators.models import Indicator
from indicators.periods import MIN_YEAR, PeriodError, period_previous
from indicators.validation import period_check
from units.models import Unit

COMPARE_MIN = 2
COMPARE_MAX = 6
ID_DIGITS = 18  # a bigint's
NOT_AN_ID = _("«%(value)s» không phải mã số đơn vị.")
ID_UNKNOWN = _("Không có đơn vị mã số %(ids)s: hãy tìm đơn vị theo tên.")
INDICATOR_UNKNOWN = _("Không có chỉ tiêu mã %(codes)s.")
CODE_UNKNOWN = _("Không có đơn vị mã %(codes)s vào ngày %(on)s.")
CODES_NEED_DATE = _("Cần chọn ngày để tìm đơn vị theo mã.")
NO_PERIOD_BEFORE = _(
    "Kỳ %(period)s không có kỳ trước (lịch bắt đầu từ năm %(year)s): bảng điều khiển cần kỳ "
    "trước để so sánh."
)
TOO_FEW = ngettext_lazy(
    "Chọn ít nhất %(min)d đơn vị để so sánh (đang có %(n)d).",
    "Chọn ít nhất %(min)d đơn vị để so sánh (đang có %(n)d).",
    "min",
)
TOO_MANY = ngettext_lazy(
    "So sánh tối đa %(max)d đơn vị (đang có %(n)d).",
    "So sánh tối đa %(max)d đơn vị (đang có %(n)d).",
    "max",
)
_SEPARATORS = re.compile(r"[\s,;]+")


def _period(text: str):
    """An empty period means the page's default; otherwise a valid period id."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return period_check(text)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict["period"]) from None


def _words(values) -> list[str]:
    """`?units=1&units=2` and a typed "1, 2" alike: every value, split on commas and spaces."""
    words = []
    for value in values or []:
        words += [w for w in _SEPARATORS.split(str(value)) if w]
    return words


class PeriodForm(forms.Form):
    """?period=2020Q4 of a dashboard; empty: the unit's latest period with figures."""

    period = forms.CharField(label=_("Kỳ"), required=False, max_length=10)

    def clean_period(self):
        return _period(self.cleaned_data["period"])


class DashboardPeriodForm(PeriodForm):
    """A unit's dashboard compares the period with the one before it, which the calendar's
    first periods (1990, 1990S1, 1990Q1, 199001) do not have."""

    def clean_period(self):
        period = super().clean_period()
        if period is not None:
            try:
                period_previous(period)
            except PeriodError:
                raise ValidationError(
                    NO_PERIOD_BEFORE % {"period": period.id, "year": MIN_YEAR}
                ) from None
        return period


class WordsField(forms.Field):
    """Several values given as repeated parameters or typed in one box."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return []
        return _words(value if isinstance(value, list | tuple) else [value])

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


class WordsInput(forms.TextInput):
    """Reads every `?name=` of the query string (TextInput would keep the last one only)."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        return getlist(name) if getlist else data.get(name)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in _words(value))
        return super().format_value(value)


class IndicatorChoiceForm(forms.Form):
    """?indicators=CODE…&period=: the indicators (by pillar) and the period compared."""

    indicators = WordsField(label=_("Chỉ tiêu"), required=False, widget=WordsInput)
    period = forms.CharField(label=_("Kỳ"), required=False, max_length=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_list = list(Indicator.objects.order_by("position", "code"))

    @property
    def indicator_groups(self) -> list[tuple[str, list[Indicator]]]:
        """The indicators by pillar, in the catalogue's order: what the checkboxes list."""
        groups = []
        for pillar, label in Indicator.Pillar.choices:
            members = [i for i in self.indicator_list if i.pillar == pillar]
            if members:
                groups.append((label, members))
        return groups

    def clean_indicators(self):
        codes = list(dict.fromkeys(self.cleaned_data["indicators"]))
        known = {i.code for i in self.indicator_list}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(INDICATOR_UNKNOWN % {"codes": ", ".join(unknown)})
        return codes

    def clean_period(self):
        return _period(self.cleaned_data["period"])

    def selected_indicators(self, default_codes) -> list[Indicator]:
        """The ticked indicators, else `default_codes`, in the catalogue's order."""
        codes = set(self.cleaned_data.get("indicators") or default_codes)
        return [i for i in self.indicator_list if i.code in codes]


class CompareForm(IndicatorChoiceForm):
    """Units side by side: ?units=<id>&units=<id>… (what the chosen units' chips and the
    search's "Thêm" buttons send; or codes=45,44&on=2020-10-01 for those who know the GSO
    codes); q= and on= search units by name, as on /units/."""

    units = WordsField(required=False, widget=WordsInput)
    codes = WordsField(label=_("Mã đơn vị hành chính"), required=False, widget=WordsInput)
    q = forms.CharField(label=_("Tìm đơn vị theo tên"), required=False, max_length=100)
    on = forms.DateField(
        label=_("Đơn vị có hiệu lực vào ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    @property
    def is_empty(self) -> bool:
        """No unit chosen yet: the page shows the form (and the search's matches) only."""
        return not any(self.data.get(name) for name in ("units", "codes"))

    def clean_units(self):
        ids = []
        for word in self.cleaned_data["units"]:
            # ASCII digits only ("²" is a digit to str.isdigit), and no more than an id has.
            if not (word.isascii() and word.isdigit()) or len(word) > ID_DIGITS:
                raise ValidationError(NOT_AN_ID % {"value": word})
            if int(word) not in ids:
                ids.append(int(word))
        return ids

    def clean(self):
        data = super().clean()
        codes, on = data.get("codes") or [], data.get("on")
        ids = list(data.get("units") or [])
        if codes:
            if on is None:
                if "on" not in self.errors:
                    self.add_error("on", CODES_NEED_DATE)
                return data
            found = {u.code: u.pk for u in Unit.objects.in_force(on).filter(code__in=codes)}
            missing = [c for c in codes if c not in found]
            if missing:
                self.add_error(
                    "codes",
                    CODE_UNKNOWN % {"codes": ", ".join(missing), "on": on.strftime("%d/%m/%Y")},
                )
                return data
            ids += [found[c] for c in codes if found[c] not in ids]
        if "units" in data and not self.errors and len(ids) > COMPARE_MAX:
            self.add_error(None, TOO_MANY % {"max": COMPARE_MAX, "n": len(ids)})
        data["unit_ids"] = ids
        return data


class ChildrenCompareForm(IndicatorChoiceForm):
    """Every unit below one, a page at a time: ?sort=CODE (an indicator, best first)&page=."""

    sort = forms.CharField(required=False, max_length=40)
