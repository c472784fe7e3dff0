"""What ends a session or changes access reaches the live sockets (members.sockets)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from members import sockets
from members.models import CellRole, CommitteeSeat, Member, User


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    key = request.session.session_key
    if key:
        sockets.end_session_sockets(key)


@receiver(pre_save, sender=User)
def note_password_or_activity_change(sender: Any, instance: User, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if instance.pk is None or (fields is not None and not {"password", "is_active"} & set(fields)):
        return
    before = User.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    instance._sessions_may_end = before != (instance.password, instance.is_active)


@receiver(post_save, sender=User)
def recheck_sockets_after_password_or_activity_change(
    sender: Any, instance: User, **kwargs: Any
) -> None:
    if getattr(instance, "_sessions_may_end", False):
        instance._sessions_may_end = False
        _recheck_after_commit(instance.pk)


@receiver(post_delete, sender=User)
def recheck_sockets_of_deleted_account(sender: Any, instance: User, **kwargs: Any) -> None:
    _recheck_after_commit(instance.pk)


@receiver(post_save, sender=Member)
@receiver(post_delete, sender=Member)
@receiver(post_save, sender=CellRole)
@receiver(post_delete, sender=CellRole)
@receiver(post_save, sender=CommitteeSeat)
@receiver(post_delete, sender=CommitteeSeat)
def recheck_sockets_after_roll_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Moved to another cell, a temporary stay or a role ended, a seat left: the meetings the
    member may see can have changed, so open rooms check again."""
    if isinstance(instance, Member):
        user_id = instance.user_id
    else:
        user_id = (
            Member.objects.filter(pk=instance.member_id).values_list("user_id", flat=True).first()
        )
    if user_id is not None:
        _recheck_after_commit(user_id)


def _recheck_after_commit(user_id: int) -> None:
    transaction.on_commit(partial(sockets.recheck_account_sockets, user_id), robust=True)
