"""Room on each page of the live aggregates for a row's next version (PostgreSQL): an
approval rewrites a report's rows in place, and with free space on their page the update is
HOT (no new index entries), so the key index does not bloat between vacuums."""

from django.db import migrations


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE indicators_aggregate SET (fillfactor = 80)")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE indicators_aggregate RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("indicators", "0007_live_aggregates")]

    operations = [migrations.RunPython(fillfactor, default)]
