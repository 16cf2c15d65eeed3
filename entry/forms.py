"""The data-entry form: each indicator's inputs (EntryInputs), named <CODE>-value,
<CODE>-numerator, <CODE>-denominator, <CODE>-note, <CODE>-source and <CODE>-opened.

The inputs only carry what was typed: entry.services.entry_save checks the numbers (with
indicators.validation) and says which are wrong; add_errors puts its messages back on the
inputs.
"""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from egov_portal.text import nfc
from entry.services import EntryValue, fingerprint
from indicators.models import Figure, Indicator
from indicators.validation import THOUSANDS_DOT
from plans.models import Target

YES_NO_CHOICES = [("", "—"), ("1", _("Có")), ("0", _("Không"))]


def number_text(number) -> str:
    """A stored number as an input shows it, without trailing zeros, the way the language
    writes it: "45,5" and "150.000.000" in Vietnamese; "45.5" and "150000000" in English
    (no grouping: a comma reads as the decimal separator, docs/decisions/0018). Both read
    back as the same number (indicators.validation.parse_number)."""
    if number is None:
        return ""
    plain = f"{Decimal(number).normalize():f}"
    if not (get_language() or "vi").startswith("vi"):
        # 1.957 would read as 1957 (a dot and three digits are thousands): 1.9570 does not.
        return f"{plain}0" if THOUSANDS_DOT.match(plain) else plain
    whole, _sep, fraction = plain.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    text = sign + ".".join(groups)
    return f"{text},{fraction}" if fraction else text


# The word beside an input, by value type (a count says what it counts: its name's noun).
_COUNT_MEASURES = (
    ("lượt", _("lượt")),
    ("cán bộ", _("người")),
    ("công chức", _("người")),
    ("người", _("người")),
    ("cuộc họp", _("cuộc")),
    ("sự cố", _("sự cố")),
)


def measure_label(indicator: Indicator) -> str:
    """The unit of measure shown beside an indicator's value: %, đồng, người…"""
    kind = indicator.value_type
    if kind == Indicator.ValueType.RATIO:
        return "%"
    if kind == Indicator.ValueType.AMOUNT:
        return str(_("đồng"))
    if kind == Indicator.ValueType.COUNT:
        name = indicator.name.lower()
        for word, label in _COUNT_MEASURES:
            if word in name:
                return str(label)
        return str(_("số lượng"))
    return ""


def initial_values(indicator: Indicator, figure: Figure | None) -> dict[str, str]:
    """What a row's inputs show for a figure as stored (also what autosave answers)."""
    if figure is None:
        return {"opened": ""}
    initial = {
        "note": figure.note,
        "source": figure.source,
        "opened": fingerprint(figure),
        "numerator": number_text(figure.numerator),
        "denominator": number_text(figure.denominator),
        "value": number_text(figure.value),
    }
    # A ratio known as a fraction shows the fraction; its percentage is computed again.
    if indicator.value_type == Indicator.ValueType.RATIO and figure.denominator is not None:
        initial["value"] = ""
    return initial


class EntryInputs:
    """What an official types for one indicator: inputs named <CODE>-<name>, what each
    shows (what was sent, or the figure as stored), and the service's messages on them.

    Not a Django form: the service validates, so a form would only carry the text, and its
    machinery cost a third of the page (docs/decisions/0032). entry/templatetags/entry_rows.py
    writes the HTML Django's forms wrote, character for character
    (tests/test_entry_inputs.py compares them).
    """

    def __init__(self, data=None, *, indicator: Indicator, figure: Figure | None):
        self.indicator = indicator
        self.data = data
        self.measure = measure_label(indicator)
        self.initial = initial_values(indicator, figure)
        self.is_ratio = indicator.value_type == Indicator.ValueType.RATIO
        self.is_boolean = indicator.value_type == Indicator.ValueType.BOOLEAN
        # The inputs one types in ("opened", hidden, holds what the row showed).
        numbers = ("numerator", "denominator", "value") if self.is_ratio else ("value",)
        self.names = (*numbers, "note", "source")
        self.errors: dict[str, list[str]] = {}  # by input
        self.row_errors: list[str] = []  # about none of them

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    def shown(self, name: str) -> str:
        """What an input shows: what was sent (after a POST), or the figure as stored."""
        if self.is_bound:
            value = self.data.get(f"{self.indicator.code}-{name}")
        else:
            value = self.initial.get(name)
        return "" if value is None else str(value)

    def raw(self, name: str) -> str:
        """What was typed in an input (a POST), in composed form (NFC) and without NUL
        characters, which no text needs and PostgreSQL refuses."""
        sent = self.data.get(f"{self.indicator.code}-{name}")
        return nfc(sent or "").replace("\x00", "").strip()

    def entry_value(self) -> EntryValue:
        return EntryValue(
            value=self.raw("value"),
            numerator=self.raw("numerator") if self.is_ratio else "",
            denominator=self.raw("denominator") if self.is_ratio else "",
            note=self.raw("note"),
            source=self.raw("source"),
        )

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """The service's messages (by field) under the inputs one types in; any other on the
        row (none is dropped: Django's form put one about "opened" where nobody saw it)."""
        for name, messages in errors.items():
            field = name if name in self.names else None
            if field is None and name in ("numerator", "denominator"):
                field = "value"
            if field is None:
                self.row_errors.extend(str(m) for m in messages)
            else:
                self.errors.setdefault(field, []).extend(str(m) for m in messages)


@dataclass
class EntryRow:
    """One indicator of the form page: its input (None when read-only), what it holds now,
    what it held last period, and the plan target for it."""

    indicator: Indicator
    form: EntryInputs | None
    figure: Figure | None
    previous: Figure | None
    target: Target | None
    target_label: str = ""
    # Approved, on a form that is otherwise open: shown, not editable (docs/decisions/0012);
    # what it showed (the form sends it back, to tell a change made meanwhile).
    published: bool = False
    opened: str = ""
    # What the service said of it when it has no input (an approved figure sent changed).
    errors: list[str] = dataclasses.field(default_factory=list)
    # Must be filled before the report can be submitted (entry.requirements).
    required: bool = False
    # What data quality flags about its value (quality.flags: outliers, broken rules).
    flags: list = dataclasses.field(default_factory=list)
    # Comments, an open follow-up and evidence about its figure (quality.checks).
    notes: object = None


@dataclass
class PillarGroup:
    pillar: str
    label: str
    rows: list[EntryRow]

    @property
    def required_left(self) -> int:
        """The pillar's required indicators still without a figure (the form's menu)."""
        return sum(1 for r in self.rows if getattr(r, "required", False) and r.figure is None)

    @property
    def required_count(self) -> int:
        return sum(1 for r in self.rows if getattr(r, "required", False))


def group_by_pillar(rows: list[EntryRow]) -> list[PillarGroup]:
    """The rows under their pillars, in the pillars' own order."""
    groups = []
    for pillar in Indicator.Pillar:
        members = [r for r in rows if r.indicator.pillar == pillar.value]
        if members:
            groups.append(PillarGroup(pillar.value, pillar.label, members))
    return groups


def entry_data(post, indicators: list[Indicator], current: dict[str, Figure]):
    """The posted data with each <CODE>-opened set to what the report holds now, so that a
    form shown again after a save (or a conflict) can be saved again."""
    data = post.copy()
    for indicator in indicators:
        data[f"{indicator.code}-opened"] = fingerprint(current.get(indicator.code))
    return data


class ReviewForm(forms.Form):
    """A reviewer's (or reporter's) step on a report: the action, and why."""

    reason = forms.CharField(
        label=_("Lý do"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Bắt buộc khi trả lại hoặc mở lại báo cáo."),
    )


def clean_reason(text: str) -> str:
    """A reason as typed, without NUL (which PostgreSQL refuses) and lone surrogates; a
    reason is a short text."""
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")[:2000]


REPORTS_UNREADABLE = _("Không đọc được danh sách báo cáo đã chọn.")
ID_DIGITS = 18  # a bigint's: a longer number is no id (the database would refuse it)


def is_number(text: str) -> bool:
    """ASCII digits, no more than an id has ("²" is a digit to str.isdigit, not to int())."""
    return text.isascii() and text.isdigit() and len(text) <= ID_DIGITS


class ReportVersionsField(forms.Field):
    """The reports chosen in the inbox, each sent as "<id>:<version>" (the version the page
    showed): id → version."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> dict[int, int]:
        chosen = {}
        for item in value or []:
            pk, _sep, version = str(item).partition(":")
            if not (is_number(pk) and is_number(version)):
                raise forms.ValidationError(REPORTS_UNREADABLE)
            chosen[int(pk)] = int(version)
        return chosen


class BulkReviewForm(forms.Form):
    """Approve or return the reports chosen in the inbox (or one row's report), with the
    reason a return needs (the service checks it, for each report)."""

    reports = ReportVersionsField(required=False)
    action = forms.ChoiceField(
        choices=[("approve", _("Duyệt")), ("return", _("Trả lại"))],
        error_messages={
            "required": _("Thao tác không hợp lệ."),
            "invalid_choice": _("Thao tác không hợp lệ."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do trả lại"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("Bắt buộc khi trả lại; ghi cho từng báo cáo được trả lại."),
    )

    def clean_reason(self) -> str:
        return clean_reason(self.cleaned_data["reason"])
