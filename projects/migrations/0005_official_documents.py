"""Stage-evaluation reports are official documents (core.documents.OfficialDocument): a verification code
printed with its QR code (existing rows get a code of their own) and the signer's name."""

from django.db import migrations, models

import core.documents.models


def give_codes(apps, schema_editor):
    model = apps.get_model('projects', 'StageReport')
    for row in model.objects.filter(verification_code='').only('pk'):
        model.objects.filter(pk=row.pk).update(verification_code=core.documents.models.new_verification_code())


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0004_quality_record'),
    ]

    operations = [
        migrations.AddField(
            model_name='stagereport',
            name='signed_by',
            field=models.CharField(blank=True, help_text="The signing certificate's name; empty: not signed.", max_length=200, verbose_name='signed by'),
        ),
        migrations.AddField(
            model_name='stagereport',
            name='verification_code',
            field=models.CharField(default='', max_length=16, verbose_name='verification code'),
            preserve_default=False,
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='stagereport',
            name='verification_code',
            field=models.CharField(default=core.documents.models.new_verification_code, max_length=16, unique=True, verbose_name='verification code'),
        ),
    ]
