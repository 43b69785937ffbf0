"""Record every change that affects search in the change log, in the changing transaction."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from kb.content.models import Category, Entry, Synonym
from kb.search import sync


@receiver(post_save, sender=Entry)
@receiver(post_delete, sender=Entry)
def reindex_entry(sender, instance: Entry, **kwargs) -> None:
    sync.schedule_update(instance.pk)


@receiver(pre_save, sender=Category)
def remember_category_name(sender, instance: Category, **kwargs) -> None:
    # Only the name is indexed (with each entry): a reordering re-indexes nothing.
    instance._indexed_name = (
        Category.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=Category)
def reindex_category_entries(sender, instance: Category, created: bool, **kwargs) -> None:
    if not created and instance.name != getattr(instance, "_indexed_name", None):
        sync.schedule_category_update(instance.pk)


@receiver(post_save, sender=Synonym)
@receiver(post_delete, sender=Synonym)
def synonyms_changed(sender, **kwargs) -> None:
    sync.schedule_synonyms_update()
