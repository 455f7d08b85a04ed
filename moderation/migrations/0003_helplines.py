# Helpline fields the data file needs, then the data file itself, so a fresh `migrate`
# shows helplines. Later changes to the file are applied with `manage.py helplines_load`.

from django.db import migrations, models


def load_helplines(apps, schema_editor):
    from moderation.helplines import helplines_read, helplines_sync

    helplines_sync(apps.get_model("moderation", "Helpline"), helplines_read())


def unload_helplines(apps, schema_editor):
    apps.get_model("moderation", "Helpline").objects.filter(from_data_file=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0002_lexiconentry_moderationaction_membernotice_queueitem_and_more'),
    ]

    operations = [
        migrations.AddField(
            model_name='helpline',
            name='country_name',
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name='helpline',
            name='from_data_file',
            field=models.BooleanField(default=False, help_text='Kept equal to moderation/data/helplines.json by `manage.py helplines_load`, which overwrites edits made here. Rows added here are never touched by it.'),
        ),
        migrations.AddField(
            model_name='helpline',
            name='notes',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='helpline',
            name='sms_keyword',
            field=models.CharField(blank=True, max_length=30),
        ),
        migrations.AddField(
            model_name='helpline',
            name='sms_number',
            field=models.CharField(blank=True, help_text='Digits to text, for a tap-to-text link.', max_length=30),
        ),
        migrations.RunPython(load_helplines, unload_helplines),
    ]
