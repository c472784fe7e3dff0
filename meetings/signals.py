"""The roll changes during a meeting: what reaches the meeting's media room.

members must not import meetings (pyproject.toml's import contracts), so meetings listens to the
member's own row: its roll fields (home cell, temporary stay) changed or the row deleted. Where the
member was on the roll before, a meeting in progress that no longer has them puts them out of its
Janus room after commit (meetings.media.services.follow_roll). Their live-room socket is closed
by members.signals (the recheck). Cell roles and committee seats do not change the roll.

An account deactivated or deleted leaves the member on the roll (absent), but it may no longer
take part: it is put out of the media rooms of its cells the same way. So is a member who signs
out (`user_logged_out`; docs/media.md, "When a session ends").
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from meetings.media import services as media
from members.models import Member, User

ROLL_FIELDS = frozenset(
    {
        "home_cell",
        "home_cell_id",
        "temporary_cell",
        "temporary_cell_id",
        "temporary_from",
        "temporary_until",
    }
)


def _cells(home_cell_id: int | None, temporary_cell_id: int | None) -> set[int]:
    return {cell for cell in (home_cell_id, temporary_cell_id) if cell is not None}


@receiver(pre_save, sender=Member)
def note_cells_before_a_roll_change(sender: Any, instance: Member, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    instance._cells_before = set()
    if (
        instance.pk is None
        or kwargs.get("raw")
        or not media.configured()
        or (fields is not None and not ROLL_FIELDS & set(fields))
    ):
        return
    roll = ("home_cell_id", "temporary_cell_id", "temporary_from", "temporary_until")
    before = Member.objects.filter(pk=instance.pk).values_list(*roll).first()
    if before is not None and before != tuple(getattr(instance, name) for name in roll):
        instance._cells_before = _cells(before[0], before[1])


@receiver(post_save, sender=Member)
def put_out_of_media_after_a_roll_change(sender: Any, instance: Member, **kwargs: Any) -> None:
    cells: set[int] = getattr(instance, "_cells_before", set())
    instance._cells_before = set()
    media.on_roll_changed(instance.pk, cells)


@receiver(pre_delete, sender=Member)
def put_out_of_media_a_deleted_member(sender: Any, instance: Member, **kwargs: Any) -> None:
    _put_out_of_media(pk=instance.pk)  # the stored cells: the instance may be stale


@receiver(post_save, sender=User)
def put_out_of_media_a_deactivated_account(sender: Any, instance: User, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if instance.is_active or (fields is not None and "is_active" not in fields):
        return
    _put_out_of_media(user_id=instance.pk)


@receiver(pre_delete, sender=User)
def put_out_of_media_a_deleted_account(sender: Any, instance: User, **kwargs: Any) -> None:
    _put_out_of_media(user_id=instance.pk)  # before the member's row loses its account


@receiver(user_logged_out)
def put_out_of_media_on_sign_out(
    sender: Any, request: HttpRequest, user: User | None, **kwargs: Any
) -> None:
    """Signed out of a verified session: the member's voice and picture end in the meetings in
    progress of their cells (after commit; Janus down does not stop the sign-out). A session
    past the password step only had no media, and someone who knows only the password must not
    put the member out again and again. The socket's close on expiry or a password change does
    the same for its meeting (meetings.consumers)."""
    verified = getattr(getattr(request, "user", None), "is_verified", None)
    if user is None or verified is None or not verified() or not media.configured():
        return
    row = Member.objects.filter(user_id=user.pk).values_list(
        "pk", "home_cell_id", "temporary_cell_id"
    )
    found = row.first()
    if found is not None:
        media.on_session_ended(found[0], _cells(found[1], found[2]))


def _put_out_of_media(**member: int) -> None:
    """After commit, the member (`pk=` or `user_id=`) leaves the media rooms of their cells."""
    if not media.configured():
        return
    rows = Member.objects.filter(**member).values_list("pk", "home_cell_id", "temporary_cell_id")
    row = rows.first()
    if row is not None:
        media.on_roll_changed(row[0], _cells(row[1], row[2]))
