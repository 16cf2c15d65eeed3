"""Validation rules across indicators (quality): the parser, the starting set, evaluation
on real figures, what they do to a submission (errors block, warnings need a comment), the
form and review pages, and the API of rules (issue 20, item 1)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from entry.services import EntryValue, RulesBroken, submission_act
from indicators.models import Figure, Indicator, Transition
from indicators.reports import submission_get
from quality.expressions import ExpressionError, parse
from quality.models import ValidationRule
from quality.rules import report_violations, rule_check
from quality.services import RULES_FILE, validation_rules_load
from tests.test_entry_workflow import Q1, complete_values, save

OLD = datetime.date(2024, 1, 1)

pytestmark = pytest.mark.django_db


# --- the parser -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes", "values", "expected"),
    [
        (
            "SVC_ONLINE_FULL + SVC_ONLINE_PARTIAL",
            {"SVC_ONLINE_FULL", "SVC_ONLINE_PARTIAL"},
            {"SVC_ONLINE_FULL": Decimal("40"), "SVC_ONLINE_PARTIAL": Decimal("35.5")},
            Decimal("75.5"),
        ),
        ("WEB_PORTAL * 100", {"WEB_PORTAL"}, {"WEB_PORTAL": Decimal("1")}, Decimal("100")),
        ("(A - B) / 2", {"A", "B"}, {"A": Decimal("10"), "B": Decimal("4")}, Decimal("3")),
        ("-A + 0.5", {"A"}, {"A": Decimal("2")}, Decimal("-1.5")),
        ("100", set(), {}, Decimal("100")),
    ],
)
def test_a_side_parses_and_evaluates(text, codes, values, expected):
    side = parse(text)
    assert side.codes == codes
    assert side.evaluate(values) == expected


def test_a_side_with_a_missing_value_or_a_division_by_zero_is_skipped():
    assert parse("A + B").evaluate({"A": Decimal(1)}) is None
    assert parse("A / B").evaluate({"A": Decimal(1), "B": Decimal(0)}) is None
    assert parse("A").evaluate({"A": None}) is None


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("A +", 4),  # cut short: at the end
        ("A + * 2", 5),
        ("A B", 3),
        ("A ** 2", 1),  # a power: not allowed
        ("__import__('os').system('id')", 1),  # a call
        ("A.real", 1),  # an attribute
        ("'100'", 1),  # a string
        ("A if B else C", 1),
        ("A < B", 1),  # a comparison belongs in the operator, not a side
        ("[A, B]", 1),
        ("True", 1),
    ],
)
def test_a_side_that_is_not_arithmetic_over_codes_is_refused_saying_where(text, position):
    with pytest.raises(ExpressionError) as refused:
        parse(text)
    assert refused.value.position == position
    assert f"ký tự thứ {position}" in str(refused.value)


def test_an_empty_or_overlong_side_is_refused():
    with pytest.raises(ExpressionError, match="trống"):
        parse("  ")
    with pytest.raises(ExpressionError, match="500"):
        parse("A + " * 200 + "A")


def test_rule_check_names_unknown_codes_and_bad_sides(reference_data):
    assert rule_check("SVC_ONLINE_FULL", "SVC_ONLINE_L34") == {}
    errors = rule_check("SVC_ONLINE_FULL + NO_SUCH_CODE", "SVC_ONLINE_L34 *")
    assert "NO_SUCH_CODE" in errors["left"][0]
    assert "cú pháp" in errors["right"][0]


# --- the starting set -------------------------------------------------------------------


def test_the_starting_rules_load_parse_and_name_real_indicators(reference_data):
    n = validation_rules_load()
    assert n == ValidationRule.objects.count() >= 10
    catalogue = set(Indicator.objects.values_list("code", flat=True))
    for rule in ValidationRule.objects.all():
        assert rule.reason and rule.message and rule.message_en
        assert parse(rule.left).codes | parse(rule.right).codes <= catalogue, rule.code
    # Loading again changes nothing (by code), and keeps an administrator's own rules.
    ValidationRule.objects.create(code="mine", left="HR_IT_STAFF", operator=">=", right="0")
    assert validation_rules_load() == n
    assert ValidationRule.objects.count() == n + 1


def test_a_starting_file_with_a_bad_rule_loads_nothing(reference_data, tmp_path):
    text = RULES_FILE.read_text(encoding="utf-8").splitlines()
    text.append('zz-broken,SVC_ONLINE_FULL **,<=,100,error,"x","x","x"')
    path = tmp_path / "rules.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        validation_rules_load(path)
    assert f"dòng {len(text)}" in str(refused.value) and "zz-broken" in str(refused.value)
    assert not ValidationRule.objects.exists()


def test_the_command_loads_the_rules(reference_data):
    out = io.StringIO()
    call_command("load_validation_rules", stdout=out)
    assert ValidationRule.objects.filter(code="published-needs-portal").exists()
    assert "quy tắc" in out.getvalue()


# --- on real figures --------------------------------------------------------------------


@pytest.fixture
def rules(reference_data):
    validation_rules_load()
    return {r.code: r for r in ValidationRule.objects.all()}


def consistent(unit) -> dict[str, EntryValue]:
    """complete_values, adjusted to break no starting rule."""
    values = complete_values(unit, None, Q1)
    values["SVC_ONLINE_FULL"] = EntryValue(numerator="1", denominator="2")
    values["SVC_ONLINE_PARTIAL"] = EntryValue(numerator="1", denominator="2")
    values["FIN_IT_BUDGET"] = EntryValue(value="10")
    return values


def test_consistent_values_break_no_rule_and_submit(rules, users, hoxa):
    result = save(users["hoxa.nhaplieu"], hoxa, consistent(hoxa), submit=True)
    assert result.submitted
    assert report_violations(result.submission) == []


def test_an_error_rule_blocks_the_submission_and_says_which(rules, users, hoxa):
    values = consistent(hoxa)
    values["WEB_PORTAL"] = EntryValue(value="0")  # no portal, yet 100% published on it
    values["WEB_PORTAL_LINKED"] = EntryValue(value="0")
    result = save(users["hoxa.nhaplieu"], hoxa, values, submit=True)
    assert not result.submitted
    assert [v.rule.code for v in result.rule_errors] == ["published-needs-portal"]
    violation = result.rule_errors[0]
    assert (violation.left, violation.right) == (Decimal("0"), Decimal("100"))
    assert violation.detail == "WEB_PORTAL * 100 (0) ≥ WEB_INFO_PUBLISHED (100)"
    # Saved as a draft all the same: nothing is lost, the official fixes one value.
    assert submission_get(hoxa, None, Q1).status == Figure.Status.DRAFT
    # A comment does not let an error through.
    result = save(users["hoxa.nhaplieu"], hoxa, values, submit=True, comment="đúng vậy")
    assert not result.submitted


def test_a_warning_needs_a_comment_which_is_kept_with_the_submission(rules, users, hoxa):
    values = consistent(hoxa)
    values["FIN_IT_BUDGET"] = EntryValue(value="1")  # 2 + 2 invested and recurrent > 1
    result = save(users["hoxa.nhaplieu"], hoxa, values, submit=True)
    assert not result.submitted and result.needs_comment
    assert [v.rule.code for v in result.rule_warnings] == ["invest-and-recurrent-within-budget"]
    result = save(
        users["hoxa.nhaplieu"], hoxa, {}, submit=True, comment="Kinh phí năm trước chuyển sang."
    )
    assert result.submitted
    step = Transition.objects.get(submission=result.submission, to_status="submitted")
    assert step.reason == "Kinh phí năm trước chuyển sang."


def test_submitting_by_the_workflow_checks_the_rules_too(rules, users, hoxa):
    values = consistent(hoxa)
    values["FIN_IT_BUDGET"] = EntryValue(value="1")
    report = save(users["hoxa.nhaplieu"], hoxa, values).submission
    with pytest.raises(RulesBroken, match="giải trình"):
        submission_act(user=users["hoxa.nhaplieu"], submission=report, action="submit")
    submission_act(
        user=users["hoxa.nhaplieu"], submission=report, action="submit", reason="Có lý do."
    )
    report.refresh_from_db()
    assert report.status == "submitted"


def test_an_inactive_rule_does_not_apply(rules, users, hoxa):
    ValidationRule.objects.filter(code="published-needs-portal").update(is_active=False)
    values = consistent(hoxa)
    values["WEB_PORTAL"] = EntryValue(value="0")
    values["WEB_PORTAL_LINKED"] = EntryValue(value="0")
    assert save(users["hoxa.nhaplieu"], hoxa, values, submit=True).submitted


# --- pages ------------------------------------------------------------------------------


def test_the_form_lists_broken_rules_beside_their_values_and_asks_for_a_comment(
    rules, users, hoxa, client
):
    values = consistent(hoxa)
    values["FIN_IT_BUDGET"] = EntryValue(value="1")
    save(users["hoxa.nhaplieu"], hoxa, values)
    client.force_login(users["hoxa.nhaplieu"])
    page = client.get(f"/entry/{hoxa.pk}/{Q1.id}/").content.decode()
    assert 'data-rule="invest-and-recurrent-within-budget"' in page
    assert page.count('data-flag="rule:invest-and-recurrent-within-budget"') == 3  # 3 rows
    assert 'name="warning_comment"' in page
    answer = client.post(
        f"/entry/{hoxa.pk}/{Q1.id}/",
        {"version": submission_get(hoxa, None, Q1).version, "action": "submit"},
    )
    assert answer.status_code == 200
    assert "ghi giải trình" in answer.content.decode()
    assert submission_get(hoxa, None, Q1).status == "draft"
    answer = client.post(
        f"/entry/{hoxa.pk}/{Q1.id}/",
        {
            "version": submission_get(hoxa, None, Q1).version,
            "action": "submit",
            "warning_comment": "Đúng: có kinh phí chuyển sang.",
        },
    )
    assert answer.status_code == 302
    assert submission_get(hoxa, None, Q1).status == "submitted"


def test_autosave_answers_each_rows_flags(rules, users, hoxa, client):
    save(users["hoxa.nhaplieu"], hoxa, consistent(hoxa))
    client.force_login(users["hoxa.nhaplieu"])
    report = submission_get(hoxa, None, Q1)
    answer = client.post(
        f"/entry/{hoxa.pk}/{Q1.id}/autosave/",
        {"version": report.version, "WEB_PORTAL-value": "Không"},
    ).json()
    assert answer["ok"]
    flagged = {code for code, flags in answer["flags"].items() if flags}
    assert flagged == {"WEB_PORTAL", "WEB_INFO_PUBLISHED", "WEB_PORTAL_LINKED"}
    assert answer["flags"]["WEB_PORTAL"][0]["severity"] == "error"


def test_the_reviewer_sees_the_broken_warnings_and_the_comment(rules, users, hoxa, client):
    values = consistent(hoxa)
    values["FIN_IT_BUDGET"] = EntryValue(value="1")
    report = save(
        users["hoxa.nhaplieu"], hoxa, values, submit=True, comment="Kinh phí chuyển sang."
    ).submission
    client.force_login(users["vinhlinh.duyet"])
    page = client.get(f"/entry/reports/{report.pk}/").content.decode()
    assert 'data-rule="invest-and-recurrent-within-budget"' in page
    assert "Kinh phí chuyển sang." in page


# --- the API ----------------------------------------------------------------------------


def test_rules_are_read_by_signed_in_users_and_written_by_administrators(rules, users, api_client):
    url = "/api/v1/validation-rules/"
    assert api_client.get(url).status_code in (401, 403)
    api_client.force_authenticate(users["hoxa.nhaplieu"])
    listed = api_client.get(url).json()
    assert {r["code"] for r in listed} == set(rules)
    new = {
        "code": "staff-not-negative",
        "left": "HR_IT_STAFF",
        "operator": ">=",
        "right": "0",
        "severity": "error",
        "message": "Số cán bộ không âm.",
    }
    assert api_client.post(url, new, format="json").status_code == 403
    api_client.force_authenticate(users["admin"])
    bad = api_client.post(url, {**new, "left": "HR_IT_STAFF +"}, format="json")
    assert bad.status_code == 400
    assert "ký tự thứ" in bad.json()["left"][0]
    unknown = api_client.post(url, {**new, "right": "NO_SUCH * 2"}, format="json")
    assert unknown.status_code == 400 and "NO_SUCH" in unknown.json()["right"][0]
    assert not ValidationRule.objects.filter(code="staff-not-negative").exists()
    assert api_client.post(url, new, format="json").status_code == 201
    assert ValidationRule.objects.get(code="staff-not-negative").left == "HR_IT_STAFF"
