"""Keep the search index following the database."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kb import search
from kb.content.models import Category, Entry


@receiver(post_save, sender=Entry)
@receiver(post_delete, sender=Entry)
def reindex_entry(sender, instance: Entry, **kwargs) -> None:
    search.schedule_update(instance.pk)


@receiver(post_save, sender=Category)
def reindex_category_entries(sender, instance: Category, **kwargs) -> None:
    # The category's name is indexed with each of its entries.
    for pk in instance.entries.values_list("pk", flat=True):
        search.schedule_update(pk)
