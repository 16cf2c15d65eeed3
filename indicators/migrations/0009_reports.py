"""Reports (Submission) and their review steps (Transition) join their figures (issue 17):
the models as entry had them, over the tables entry's 0005 renamed (no change to the
database); their content types follow, so permissions and the admin's log keep them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_move(apps, schema_editor, source="entry", target="indicators"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model__in=["submission", "transition"]).update(
        app_label=target
    )


def content_types_back(apps, schema_editor):
    content_types_move(apps, schema_editor, source="indicators", target="entry")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_aggregate_fillfactor"),
        ("entry", "0005_reports_to_indicators"),
        ("units", "0003_history"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Submission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.CharField(max_length=7, verbose_name='kỳ')),
                        ('period_start', models.DateField(editable=False)),
                        ('period_end', models.DateField(editable=False)),
                        ('status', models.CharField(choices=[('draft', 'Nháp'), ('submitted', 'Đã gửi'), ('approved', 'Đã duyệt'), ('returned', 'Trả lại')], default='draft', max_length=10, verbose_name='trạng thái')),
                        ('version', models.PositiveIntegerField(default=0, verbose_name='phiên bản')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='gửi lúc')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='cập nhật lúc')),
                        ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='units.agency', verbose_name='cơ quan')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='units.unit', verbose_name='đơn vị')),
                    ],
                    options={
                        'verbose_name': 'báo cáo',
                        'verbose_name_plural': 'báo cáo',
                        'ordering': ['-period_start', 'unit__code'],
                    },
                ),
                migrations.CreateModel(
                    name='Transition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_status', models.CharField(choices=[('draft', 'Nháp'), ('submitted', 'Đã gửi'), ('approved', 'Đã duyệt'), ('returned', 'Trả lại')], max_length=10, verbose_name='từ')),
                        ('to_status', models.CharField(choices=[('draft', 'Nháp'), ('submitted', 'Đã gửi'), ('approved', 'Đã duyệt'), ('returned', 'Trả lại')], max_length=10, verbose_name='sang')),
                        ('at', models.DateTimeField(auto_now_add=True, verbose_name='lúc')),
                        ('reason', models.TextField(blank=True, verbose_name='lý do')),
                        ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người thực hiện')),
                        ('submission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='indicators.submission', verbose_name='báo cáo')),
                    ],
                    options={
                        'verbose_name': 'bước duyệt',
                        'verbose_name_plural': 'các bước duyệt',
                        'ordering': ['submission', 'at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='submission',
                    index=models.Index(fields=['period', 'status'], name='submission_period_idx'),
                ),
                migrations.AddConstraint(
                    model_name='submission',
                    constraint=models.UniqueConstraint(condition=models.Q(('agency__isnull', True)), fields=('unit', 'period'), name='submission_unit_uniq'),
                ),
                migrations.AddConstraint(
                    model_name='submission',
                    constraint=models.UniqueConstraint(condition=models.Q(('agency__isnull', False)), fields=('agency', 'period'), name='submission_agency_uniq'),
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_back),
    ]
