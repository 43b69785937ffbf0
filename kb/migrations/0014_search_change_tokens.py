import secrets

from django.db import migrations, models

import kb.search.models


def give_each_change_a_token(apps, schema_editor):
    """Distinct marks for the changes already logged, and the counter's the mark of its last
    change, so that nodes whose index knows no mark yet rebuild once, and no more."""
    SearchChange = apps.get_model("kb", "SearchChange")
    SearchChangeCounter = apps.get_model("kb", "SearchChangeCounter")
    for change in SearchChange.objects.only("seq").iterator():
        SearchChange.objects.filter(seq=change.seq).update(token=secrets.token_hex(8))
    for counter in SearchChangeCounter.objects.all():
        last = SearchChange.objects.filter(seq=counter.seq).values_list("token", flat=True)
        counter.token = last.first() or secrets.token_hex(8)
        counter.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0013_edit_lock_owners_and_revisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchchange",
            name="token",
            field=models.CharField(default=kb.search.models.new_token, max_length=16),
        ),
        migrations.AddField(
            model_name="searchchangecounter",
            name="token",
            field=models.CharField(default=kb.search.models.new_token, max_length=16),
        ),
        migrations.RunPython(give_each_change_a_token, migrations.RunPython.noop),
    ]
