"""The agenda of a meeting: items from a template, added, edited, moved and removed.

Every change asks the charter whether the item may be stored (no state secrets, R-I1) and, in an
online or hybrid meeting, whether it may be handled online (R-O4).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from meetings import charter, snapshots
from meetings.agenda_templates import TEMPLATES
from meetings.enums import PREPARATION_STATUSES, Classification, MeetingChangeAction
from meetings.errors import RuleViolation
from meetings.models import AgendaItem, Meeting, MeetingChange
from meetings.queries import cell_members_on
from meetings.services.participants import lock_meeting_for_management
from members.models import Member, User


@dataclass(frozen=True)
class AgendaItemDetails:
    kind: str
    title: str
    planned_minutes: int = 10
    presenter: Member | None = None
    draft_resolution: str = ""
    personnel: bool = False
    classification: str = Classification.UNCLASSIFIED


def check_item(meeting: Meeting, details: AgendaItemDetails) -> None:
    """Raises RuleViolation with the charter's explanation when the item is refused."""
    stored = charter.may_store(snapshots.classification(details.classification))
    if not stored.allowed:
        raise RuleViolation(stored.explanation, field="classification", reason=stored.reason)
    verdict = charter.may_handle_online(
        snapshots.agenda_item(
            kind=details.kind,
            personnel=details.personnel,
            classification=details.classification,
        ),
        snapshots.meeting_format(meeting.mode),
        snapshots.online_policy_for(meeting.cell),
    )
    if not verdict.allowed:
        field = "personnel" if verdict.reason == "personnel_blocked_online" else "kind"
        raise RuleViolation(verdict.explanation, field=field, reason=verdict.reason)
    if details.presenter is not None and not (
        cell_members_on(meeting.cell, meeting.local_day).filter(pk=details.presenter.pk).exists()
    ):
        raise RuleViolation(_("Người trình bày phải là đảng viên của chi bộ."), field="presenter")


def check_agenda_online(meeting: Meeting, mode: str) -> None:
    """Before a meeting becomes online or hybrid: every item already on its agenda must be
    allowed online. The first refusal is raised on the form's mode field."""
    policy = snapshots.online_policy_for(meeting.cell)
    for item in meeting.agenda_items.order_by("position"):
        verdict = charter.may_handle_online(
            snapshots.agenda_item(
                kind=item.kind, personnel=item.personnel, classification=item.classification
            ),
            snapshots.meeting_format(mode),
            policy,
        )
        if not verdict.allowed:
            raise RuleViolation(
                _("Nội dung “%(item)s”: %(why)s")
                % {"item": item.title, "why": verdict.explanation},
                field="mode",
                reason=verdict.reason,
            )


def _locked_meeting(actor: User, meeting: Meeting) -> Meeting:
    return lock_meeting_for_management(
        actor,
        meeting.pk,
        statuses=PREPARATION_STATUSES,
        refusal=_("Chỉ sửa chương trình trước khi buổi sinh hoạt bắt đầu."),
    )


def _record(meeting: Meeting, actor: User | None, operation: str, title: str) -> None:
    MeetingChange.objects.create(
        meeting=meeting,
        action=MeetingChangeAction.AGENDA_CHANGED,
        actor=actor,
        details={"operation": operation, "item": title},
    )


def _renumber(meeting: Meeting) -> None:
    items = list(meeting.agenda_items.order_by("position", "pk"))
    for number, item in enumerate(items, start=1):
        if item.position != number:
            item.position = number
            item.save(update_fields=["position"])


def append_template_items(meeting: Meeting, template: str) -> list[AgendaItem]:
    """Caller holds the meeting row lock and has checked permission. The titles are written in
    the product's language whatever the secretary reads: the agenda is the meeting's record,
    sent to members and printed in the minutes."""
    _label, items = TEMPLATES[template]
    start = meeting.agenda_items.count()
    created = []
    for offset, entry in enumerate(items, start=1):
        with translation.override(settings.LANGUAGE_CODE):
            title = str(entry.title)
        details = AgendaItemDetails(
            kind=entry.kind, title=title, planned_minutes=entry.planned_minutes
        )
        check_item(meeting, details)
        created.append(
            AgendaItem.objects.create(
                meeting=meeting,
                position=start + offset,
                kind=details.kind,
                title=details.title,
                planned_minutes=details.planned_minutes,
            )
        )
    return created


def apply_agenda_template(
    *, actor: User, meeting: Meeting, template: str, replace: bool = False
) -> list[AgendaItem]:
    """Adds the items of an agenda template (in the standard order) to the meeting's agenda;
    with `replace`, the current items are removed first. Effects: items, a history entry."""
    if template not in TEMPLATES:
        raise RuleViolation(_("Không có mẫu chương trình này."), field="template")
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting)
        if replace:
            meeting.agenda_items.all().delete()
        created = append_template_items(meeting, template)
        with translation.override(settings.LANGUAGE_CODE):  # the record's language
            _record(meeting, actor, "template", str(TEMPLATES[template][0]))
    return created


def add_agenda_item(*, actor: User, meeting: Meeting, details: AgendaItemDetails) -> AgendaItem:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting)
        check_item(meeting, details)
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=meeting.agenda_items.count() + 1,
            kind=details.kind,
            title=details.title,
            planned_minutes=details.planned_minutes,
            presenter=details.presenter,
            draft_resolution=details.draft_resolution,
            personnel=details.personnel,
            classification=details.classification,
        )
        _record(meeting, actor, "added", item.title)
    return item


def update_agenda_item(*, actor: User, item: AgendaItem, details: AgendaItemDetails) -> AgendaItem:
    with transaction.atomic():
        meeting = _locked_meeting(actor, item.meeting)
        item = AgendaItem.objects.get(pk=item.pk, meeting=meeting)
        check_item(meeting, details)
        item.kind = details.kind
        item.title = details.title
        item.planned_minutes = details.planned_minutes
        item.presenter = details.presenter
        item.draft_resolution = details.draft_resolution
        item.personnel = details.personnel
        item.classification = details.classification
        item.save()
        _record(meeting, actor, "edited", item.title)
    return item


def remove_agenda_item(*, actor: User, item: AgendaItem) -> None:
    with transaction.atomic():
        meeting = _locked_meeting(actor, item.meeting)
        item = AgendaItem.objects.get(pk=item.pk, meeting=meeting)
        title = item.title
        item.delete()
        _renumber(meeting)
        _record(meeting, actor, "removed", title)


def move_agenda_item(*, actor: User, item: AgendaItem, offset: int) -> AgendaItem:
    """Moves an item one place up (offset -1) or down (+1); at either end nothing changes."""
    if offset not in (-1, 1):
        raise RuleViolation(_("Chỉ chuyển lên hoặc xuống một bậc."))
    with transaction.atomic():
        meeting = _locked_meeting(actor, item.meeting)
        _renumber(meeting)
        items = list(meeting.agenda_items.order_by("position", "pk"))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        target = index + offset
        if 0 <= target < len(items):
            first, second = items[index], items[target]
            first.position, second.position = second.position, first.position
            first.save(update_fields=["position"])
            second.save(update_fields=["position"])
            _record(meeting, actor, "moved", first.title)
        return items[index]
