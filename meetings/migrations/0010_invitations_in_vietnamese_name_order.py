"""Invitations listed in Vietnamese order of their members' names (members.names; the
collation comes with members 0003)."""

import django.db.models.functions.comparison
import members.names
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0009_agenda_item_conclusion_and_assessment_kinds'),
        ('members', '0003_vietnamese_name_order'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='invitation',
            options={'ordering': ['meeting', models.OrderBy(django.db.models.functions.comparison.Collate(members.names.GivenName(models.F('member__full_name')), 'chibo_vi')), models.OrderBy(django.db.models.functions.comparison.Collate(models.F('member__full_name'), 'chibo_vi')), models.OrderBy(models.F('member__pk'))], 'verbose_name': 'giấy mời', 'verbose_name_plural': 'giấy mời'},
        ),
    ]
