"""The forms' renderer: `<input>` and `<select>` written by Python, the rest by templates.

Django renders every widget through its template engine: an input is two templates
(`input.html` and `attrs.html`), a select one more per option. The quarterly form had about
250 widgets, and that cost 45% of its page (benchmarks/RESULTS.md, issue 17, session 15);
it has since dropped Django's forms altogether (docs/decisions/0032), and the site's other
forms are drawn here.
These functions write the same HTML as Django's templates, character for character
(`tests/test_form_renderer.py` compares them on random widgets, and checks that Django's
templates are still the ones copied here); any other widget goes to the templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import stringformat
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

INPUT_TEMPLATE = "django/forms/widgets/input.html"
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# Django's templates that are nothing but `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the filter keeps a safe string safe."""
    text = stringformat(value, "s")
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    """Django's `attrs.html`: True as a bare name, False left out, anything else quoted."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _option(option: dict) -> str:
    label = conditional_escape(str(option["label"]))
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'
    )


def _select(widget: dict) -> str | None:
    """Django's `select.html`, or None where it needs the templates: an option of another
    template, or a label or group that is not text (the templates would localise a number)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name and not isinstance(group_name, str | Promise):
            return None
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(str(group_name))}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE or not isinstance(
                option["label"], str | Promise
            ):
                return None
            # The option's template ends with a line break, which the include keeps.
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with inputs and selects written directly."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None and template_name in INPUT_TEMPLATES:
            return _input(widget)
        if widget is not None and template_name == SELECT_TEMPLATE:
            html = _select(widget)
            if html is not None:
                return html
        return super().render(template_name, context, request)
