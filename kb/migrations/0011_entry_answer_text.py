from django.db import migrations, models

from kb.content.markdown import markdown_to_text


def fill_answer_text(apps, schema_editor):
    """Derive the plain text of every existing answer, as Entry.save() does from now on."""
    Entry = apps.get_model("kb", "Entry")
    batch = []
    for entry in Entry.objects.only("pk", "answer").iterator(chunk_size=500):
        entry.answer_text = markdown_to_text(entry.answer)
        batch.append(entry)
        if len(batch) == 500:
            Entry.objects.bulk_update(batch, ["answer_text"])
            batch = []
    Entry.objects.bulk_update(batch, ["answer_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0010_content_version_and_page_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="answer_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_answer_text, migrations.RunPython.noop),
    ]
