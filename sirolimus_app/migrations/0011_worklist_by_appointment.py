from django.db import migrations, models


def forget_derived_rows(apps, schema_editor):
    """The stored calendars and statuses are derived from the records: dropped here (rows
    stored before 0010 have no appointment), they are computed again, with the engine's
    appointment, by the fill that follows every `migrate` (signals._fill_after_migrate)."""
    apps.get_model("sirolimus_app", "ScheduleItem").objects.all().delete()
    apps.get_model("sirolimus_app", "PatientStatus").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('sirolimus_app', '0010_calendar'),
    ]

    operations = [
        migrations.RunPython(forget_derived_rows, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='scheduleitem',
            name='schedule_due_idx',
        ),
        migrations.RemoveIndex(
            model_name='scheduleitem',
            name='schedule_kind_due_idx',
        ),
        migrations.RemoveField(
            model_name='patientstatus',
            name='overdue_items',
        ),
        migrations.AlterField(
            model_name='scheduleitem',
            name='appointment',
            field=models.DateField(verbose_name='rendez-vous'),
        ),
        migrations.AddIndex(
            model_name='scheduleitem',
            index=models.Index(fields=['appointment', 'done', 'superseded_on'], name='schedule_appointment_idx'),
        ),
        migrations.AddIndex(
            model_name='scheduleitem',
            index=models.Index(fields=['kind', 'appointment', 'done', 'superseded_on', 'patient'], name='schedule_kind_appt_idx'),
        ),
    ]
