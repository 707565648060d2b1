"""Award letters are signed: the signing certificate's name on each letter (core.documents.OfficialDocument)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0002_awardletter_generated_document'),
    ]

    operations = [
        migrations.AddField(
            model_name='awardletter',
            name='signed_by',
            field=models.CharField(blank=True, help_text="The signing certificate's name; empty: not signed.", max_length=200, verbose_name='signed by'),
        ),
    ]
