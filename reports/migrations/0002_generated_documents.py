# Export jobs and call reports become generated documents (core.documents.models.GeneratedDocument):
# the export's "finished at" is its generated_at (renamed, values kept), exports gain a checksum,
# sizes are big integers, files are named by the pipeline (upload_to is only the model's folder).
# The status values (pending/running/done/failed/expired) are unchanged: no row changes.

import core.documents.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.RenameField(
            model_name='exportjob',
            old_name='finished_at',
            new_name='generated_at',
        ),
        migrations.AlterField(
            model_name='exportjob',
            name='generated_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='generated at'),
        ),
        migrations.AddField(
            model_name='exportjob',
            name='checksum',
            field=models.CharField(blank=True, max_length=64, verbose_name='SHA-256'),
        ),
        migrations.AlterField(
            model_name='exportjob',
            name='file',
            field=models.FileField(blank=True, max_length=300, upload_to=core.documents.models.document_upload_to),
        ),
        migrations.AlterField(
            model_name='callreport',
            name='file',
            field=models.FileField(blank=True, max_length=300, upload_to=core.documents.models.document_upload_to),
        ),
        migrations.AlterField(
            model_name='callreport',
            name='size',
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
