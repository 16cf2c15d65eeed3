"""Reports (Submission) and their review steps (Transition) move to the figures' app
(issue 17): their tables are renamed to indicators_submission and indicators_transition,
rows, keys and constraints kept; indicators' 0009 takes the models over in the state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("entry", "0004_importjob_errors_file")]

    operations = [
        migrations.AlterModelTable(name="submission", table="indicators_submission"),
        migrations.AlterModelTable(name="transition", table="indicators_transition"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Transition"),
                migrations.DeleteModel(name="Submission"),
            ],
        ),
    ]
