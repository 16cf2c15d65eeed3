"""The demo's quarterly reports (`make run`, DEBUG only): Thị trấn Hồ Xá's four quarters
of 2024, approved, and its 2025Q1 report, submitted, which shows on Vĩnh Linh's pages what
data quality looks like (issue 20): a broken validation rule explained by the official, an
outlier, a figure the district's reviewer marked for follow-up, and an indicator that
requires evidence without any. Written through the services, as officials would."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from entry.services import EntryValue, applicable_indicators, entry_save, submission_act
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from indicators.reports import submission_get
from quality import discussion, min_max
from quality.models import EvidenceRequirement
from quality.services import validation_rules_load
from units.models import Unit

OLD = datetime.date(2024, 1, 1)
HISTORY = ("2024Q1", "2024Q2", "2024Q3", "2024Q4")
DEMO_PERIOD = "2025Q1"
# 2024: 3 or 4 IT staff a quarter; 2025Q1 says 40, ten times as many: the outlier.
STAFF = {"2024Q1": "3", "2024Q2": "4", "2024Q3": "3", "2024Q4": "4", DEMO_PERIOD: "40"}
EVIDENCE_INDICATOR = "SVC_ONLINE_FULL"
FOLLOW_UP_REASON = (
    "Số cán bộ chuyên trách CNTT tăng từ 4 lên 40 trong một quý: đề nghị xã kiểm tra lại "
    "và gửi quyết định phân công."
)
WARNING_COMMENT = (
    "Kinh phí năm 2024 chưa giải ngân được chuyển sang quý I/2025 nên vốn đầu tư và kinh "
    "phí sự nghiệp cộng lại lớn hơn kinh phí của quý."
)


def _values(unit: Unit, period) -> dict[str, EntryValue]:
    """A consistent report (no rule broken), but for 2025Q1's two planted problems."""
    values = {}
    for indicator in applicable_indicators(unit, None, period):
        if indicator.value_type == Indicator.ValueType.BOOLEAN:
            values[indicator.code] = EntryValue(value="1", source="Báo cáo của UBND thị trấn")
        elif indicator.value_type == Indicator.ValueType.RATIO:
            values[indicator.code] = EntryValue(numerator="9", denominator="10")
        else:
            values[indicator.code] = EntryValue(value="2")
    values["SVC_ONLINE_FULL"] = EntryValue(numerator="4", denominator="10")
    values["SVC_ONLINE_PARTIAL"] = EntryValue(numerator="5", denominator="10")
    values["FIN_IT_BUDGET"] = EntryValue(value="150000000")
    values["FIN_IT_INVEST"] = EntryValue(value="80000000")
    values["FIN_IT_RECURRENT"] = EntryValue(value="50000000")
    values["HR_IT_STAFF"] = EntryValue(value=STAFF[period.id])
    if period.id == DEMO_PERIOD:
        values["FIN_IT_RECURRENT"] = EntryValue(value="90000000")  # 80 + 90 > 150: warning
    return values


def demo_reports_create() -> list[str]:
    """Make the demo's reports (once: a second run leaves them as they are; a run cut short
    goes on where it stopped). Each report is saved, submitted and approved through the
    services, each in its own transaction. Returns what was done, a line each."""
    users = {u.username: u for u in get_user_model().objects.filter(username__contains=".")}
    official, reviewer = users["hoxa.nhaplieu"], users["vinhlinh.duyet"]
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    if Submission.objects.filter(unit=hoxa, period=DEMO_PERIOD).exists():
        return ["Đã có báo cáo mẫu: giữ nguyên."]
    validation_rules_load()
    done = []
    for period_id in HISTORY:
        period = parse_period(period_id)
        report = submission_get(hoxa, None, period)
        if report is not None and report.status == Submission.Status.APPROVED:
            continue
        result = entry_save(
            user=official,
            unit=hoxa,
            agency=None,
            period=period,
            values=_values(hoxa, period),
            version=report.version if report else 0,
            submit=True,
        )
        submission_act(user=reviewer, submission=result.submission, action="approve")
        done.append(f"{hoxa.name} {period_id}: đã duyệt")
    min_max.generate()
    EvidenceRequirement.objects.get_or_create(
        indicator=Indicator.objects.get(code=EVIDENCE_INDICATOR),
        defaults={"note": "Danh mục dịch vụ công trực tuyến toàn trình đã công bố"},
    )
    period = parse_period(DEMO_PERIOD)
    result = entry_save(
        user=official,
        unit=hoxa,
        agency=None,
        period=period,
        values=_values(hoxa, period),
        version=0,
        submit=True,
        comment=WARNING_COMMENT,
    )
    staff = Figure.objects.select_related("unit", "agency", "indicator").get(
        unit=hoxa, indicator__code="HR_IT_STAFF", period=DEMO_PERIOD
    )
    discussion.follow_up_open(user=reviewer, figure=staff, reason=FOLLOW_UP_REASON)
    done.append(
        f"{hoxa.name} {DEMO_PERIOD}: đã gửi duyệt (cảnh báo có giải trình, số liệu bất thường, "
        f"cần theo dõi, thiếu minh chứng {EVIDENCE_INDICATOR}); "
        f"{'đã gửi' if result.submitted else 'CHƯA gửi'}"
    )
    assert result.submitted, result
    return done


# For the tests and the README: what the demo plants.
PLANTED = {
    "rule": "invest-and-recurrent-within-budget",
    "outlier": "HR_IT_STAFF",
    "follow_up": "HR_IT_STAFF",
    "evidence": EVIDENCE_INDICATOR,
    "value": Decimal(STAFF[DEMO_PERIOD]),
}
