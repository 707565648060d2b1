# The selection's "followed the advice" becomes yes / partly / no (was a yes/no never filled in: no advice
# existed before the feasibility reviews), so the column is made anew.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0009_patent_analysis'),
    ]

    operations = [
        migrations.RemoveField(model_name='themeselection', name='followed_advice'),
        migrations.AddField(
            model_name='themeselection',
            name='followed_advice',
            field=models.CharField(blank=True, choices=[('yes', 'Followed the advice'), ('partly', 'Partly followed the advice'), ('no', 'Did not follow the advice')], default='', max_length=10, verbose_name='followed the advice'),
        ),
    ]
