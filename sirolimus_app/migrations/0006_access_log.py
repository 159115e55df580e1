"""The access log (who read which child's record), and the name at the time on audit lines.

Both tables are append-only in the database: UPDATE refused everywhere, DELETE refused on
PostgreSQL (as 0002 does for the audit trail; on SQLite the test runner empties tables with
DELETE). SQLite rebuilds the audit table to add its columns, which drops 0002's trigger: it is
created again here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


AUDIT, ACCESS = "sirolimus_app_auditevent", "sirolimus_app_accesslogentry"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update;")
        for name, table in (("audit_no_update", AUDIT), ("access_no_update", ACCESS)):
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;")
    elif vendor == "postgresql":
        # The function of 0002 (same body, in case it was dropped by hand).
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;")
        schema_editor.execute(
            f"CREATE TRIGGER access_no_update_delete BEFORE UPDATE OR DELETE ON {ACCESS} "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only();")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS access_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS access_no_update_delete ON {ACCESS};")


class Migration(migrations.Migration):

    dependencies = [
        ('sirolimus_app', '0005_corrections'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='user_full_name',
            field=models.CharField(blank=True, default='', max_length=300, verbose_name='nom'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='username',
            field=models.CharField(blank=True, default='', max_length=150, verbose_name='identifiant'),
        ),
        migrations.CreateModel(
            name='AccessLogEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='date')),
                ('username', models.CharField(max_length=150, verbose_name='identifiant')),
                ('user_full_name', models.CharField(blank=True, max_length=300, verbose_name='nom')),
                ('ip_address', models.GenericIPAddressField(null=True, verbose_name='adresse IP')),
                ('page', models.CharField(choices=[('record', 'Dossier'), ('history', 'Historique'), ('eligibility', 'Éligibilité'), ('proposal', 'Proposition de dose'), ('edit', 'Modification du dossier'), ('review', 'Analyse pharmaceutique'), ('schedule_pdf', 'Calendrier (PDF)'), ('schedule_ics', 'Calendrier (iCalendar)'), ('summary_pdf', 'Synthèse (PDF)'), ('dose_sheet_pdf', 'Fiche de validation (PDF)'), ('cohort_csv', 'Export de cohorte (CSV)'), ('access_log', 'Accès au dossier')], max_length=32, verbose_name='page ou document')),
                ('object_ref', models.CharField(blank=True, max_length=64, verbose_name='objet')),
                ('patient', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='access_log', to='sirolimus_app.patient')),
                ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'accès au dossier',
                'verbose_name_plural': 'journal des accès',
                'ordering': ['-at', '-pk'],
                'default_permissions': ('view',),
                'indexes': [models.Index(fields=['patient', 'at'], name='access_patient_idx')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
