"""The live aggregates keep values to 10 decimals from now on (they were rounded to the 4
shown): a province is combined from its untouched districts' rows (aggregates.
_untouched_districts), and rows of 4 decimals would move it by up to 0.00005. The rows of
4 decimals are forgotten; until `python manage.py build_aggregates` stores them again, each
is computed from the figures when read (a missing row is never wrong, only slower)."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("indicators", "Aggregate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0009_reports")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
