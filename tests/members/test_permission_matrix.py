"""Every view, every kind of user: who gets the page, who is sent to sign in, who gets 404.

Each row names a URL, how to build its arguments from the `tree` fixture, and the expected status
per role. A view missing from ROWS fails `test_every_view_is_in_the_matrix`, so a new view cannot
ship without deciding who may reach it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.catalog import catalog_version
from members.models import RosterImport
from tests.conftest import sign_in_verified
from tests.meetings import scenes
from tests.minutes import scenes as minutes_scenes

pytestmark = pytest.mark.integration

ROLES = (
    "anonymous",
    "unverified",
    "member",
    "secretary",
    "neighbour",
    "reviewer",
    "sibling_reviewer",
)
LOGIN, SECOND, OK, GONE, DENIED, REDIRECT, NOT_ALLOWED = (
    "login",
    "second_factor",
    200,
    404,
    403,
    302,
    405,
)
# Namespaces whose own tests cover them: the Django admin (behind OTPAdminSite).
SKIPPED_NAMESPACES = ("admin",)


@dataclass(frozen=True)
class Row:
    name: str
    args: Callable[[SimpleNamespace], list[object]] = lambda t: []
    expected: dict[str, object] = field(default_factory=dict)
    method: str = "get"


def everyone(status: object, **overrides: object) -> dict[str, object]:
    """Anonymous → login, password only → second factor, every verified role → `status`."""
    table: dict[str, object] = {"anonymous": LOGIN, "unverified": SECOND}
    table.update(dict.fromkeys(ROLES[2:], status))
    table.update(overrides)
    return table


def cell_members_only(cell_status: object = OK, manage: bool = False) -> dict[str, object]:
    """A page of the tree's cell: its members and the reviewer above see it; others get 404."""
    return everyone(
        GONE,
        member=DENIED if manage else cell_status,
        secretary=cell_status,
        reviewer=DENIED if manage else cell_status,
    )


# Meetings: a scheduled meeting of the tree's cell, built through the services
# (tests/meetings/scenes.py).
MEETING_ROWS = [
    Row("meetings:upcoming", expected=everyone(OK)),
    Row("meetings:calendar", lambda t: [t.cell.pk], cell_members_only()),
    Row("meetings:calendar_month", lambda t: [t.cell.pk, 2027, 3], cell_members_only()),
    Row("meetings:year_plan", lambda t: [t.cell.pk, 2027], cell_members_only()),
    Row("meetings:year_generate", lambda t: [t.cell.pk, 2027], cell_members_only(manage=True)),
    Row("meetings:create", lambda t: [t.cell.pk], cell_members_only(manage=True)),
    Row("meetings:detail", lambda t: [scenes.tree_meeting(t).pk], cell_members_only()),
    Row("meetings:ics", lambda t: [scenes.tree_meeting(t).pk], cell_members_only()),
    Row("meetings:edit", lambda t: [scenes.tree_meeting(t).pk], cell_members_only(manage=True)),
    Row(
        "meetings:change_status",
        lambda t: [scenes.tree_meeting(t).pk],
        cell_members_only(manage=True),
    ),
    Row("meetings:agenda", lambda t: [scenes.tree_meeting(t).pk], cell_members_only(manage=True)),
    # An empty form: the agenda page again, with its errors.
    Row(
        "meetings:agenda_template",
        lambda t: [scenes.tree_meeting(t).pk],
        cell_members_only(manage=True),
        method="post",
    ),
    Row(
        "meetings:agenda_item_edit",
        lambda t: [scenes.tree_meeting(t).pk, scenes.tree_agenda_item(t).pk],
        cell_members_only(manage=True),
    ),
    Row(
        "meetings:agenda_item_remove",
        lambda t: [scenes.tree_meeting(t).pk, scenes.tree_agenda_item(t).pk],
        cell_members_only(REDIRECT, manage=True),
        method="post",
    ),
    Row(
        "meetings:agenda_item_move",
        lambda t: [scenes.tree_meeting(t).pk, scenes.tree_agenda_item(t).pk],
        cell_members_only(REDIRECT, manage=True),
        method="post",
    ),
    Row(
        "meetings:document_upload",
        lambda t: [scenes.tree_meeting(t).pk],
        cell_members_only(manage=True),
    ),
    Row(
        "meetings:document_download",
        lambda t: [scenes.tree_meeting(t).pk, scenes.tree_document(t).pk],
        cell_members_only(),
    ),
    Row(
        "meetings:document_remove",
        lambda t: [scenes.tree_meeting(t).pk, scenes.tree_document(t).pk],
        cell_members_only(REDIRECT, manage=True),
        method="post",
    ),
    # The live room: the cell's members take part, the reviewer above observes.
    Row("meetings:room", lambda t: [scenes.tree_meeting(t).pk], cell_members_only()),
    # An encrypted ballot's published record: none counted here, so 404 for those who may see
    # the meeting as for the others (its own tests: tests/meetings/secret_ballot/test_room.py).
    Row("meetings:ballot_record", lambda t: [scenes.tree_meeting(t).pk, 1], everyone(GONE)),
    # Voice and picture: members on the roll only (here without Janus configured: 404 with the
    # reason; a reviewer above is refused, 403). The chair alone mutes (this meeting's chair is
    # none of these roles).
    *(
        Row(
            name,
            lambda t: [scenes.tree_meeting(t).pk],
            cell_members_only(GONE) | {"reviewer": DENIED},
            method=method,
        )
        for name, method in [("meetings:media_access", "get"), ("meetings:media_published", "post")]
    ),
    Row(
        "meetings:media_mute",
        lambda t: [scenes.tree_meeting(t).pk],
        cell_members_only(DENIED),
        method="post",
    ),
    # Only the invited answer: the reviewer above sees the meeting but was not invited.
    Row(
        "meetings:reply",
        lambda t: [scenes.tree_meeting(t).pk],
        cell_members_only() | {"reviewer": DENIED},
    ),
    Row(
        "meetings:decide_absence",
        lambda t: [scenes.tree_meeting(t).pk, scenes.tree_absence(t).pk],
        cell_members_only(REDIRECT, manage=True),
        method="post",
    ),
    # Ratifying elections: reviewers with a seat above cells; each election only from above it.
    Row("meetings:ratifications", expected=everyone(GONE, reviewer=OK, sibling_reviewer=OK)),
    Row(
        "meetings:ratify",
        lambda t: [scenes.tree_election(t).pk],
        everyone(GONE, reviewer=OK),
        method="post",
    ),
    Row("meetings:notifications", expected=everyone(OK)),
    Row(
        "meetings:notification_open",
        lambda t: [scenes.tree_notification(t).pk],
        everyone(GONE, member=REDIRECT),
    ),
    Row("meetings:notifications_read", expected=everyone(REDIRECT), method="post"),
]


def _roster_import(tree: SimpleNamespace) -> list[object]:
    """A roster file handed to the worker and not yet read: its page shows the progress."""
    job = RosterImport.objects.create(cell=tree.cell, requested_by=tree.secretary.user)
    return [tree.cell.pk, job.pk]


def _administered(tree: SimpleNamespace) -> list[object]:
    """The reviewer's seat at Đảng bộ A is also an administrator's (who sees the audit log)."""
    tree.reviewer.committee_seats.update(is_administrator=True)
    return [tree.grassroots.pk]


def _archived(tree: SimpleNamespace) -> list[object]:
    """Signed, archived minutes of a held meeting of the tree's cell (built once)."""
    from tests.review.seed import at, held_meeting, sign

    if not hasattr(tree, "archived"):
        tree.archived = sign(held_meeting(tree.cell, "regular", at(3, 5)), at(3, 6), "Biên bản")
    return [tree.archived.pk]


# The superior committee's review (minutes/review): the reviewer of Đảng bộ A only.
REVIEW_ROWS = [
    Row("review:dashboard", lambda t: [t.grassroots.pk, 2026], everyone(GONE, reviewer=OK)),
    Row(
        "review:dashboard_export",
        lambda t: [t.grassroots.pk, 2026, "xlsx"],
        everyone(GONE, reviewer=OK),
    ),
    Row("review:organization_reads", _administered, everyone(GONE, reviewer=OK)),
    Row("review:cell_reads", lambda t: [t.cell.pk], cell_members_only(manage=True)),
    Row("review:archive", lambda t: [t.grassroots.pk], everyone(GONE, reviewer=OK)),
    # An empty selection: back to the archive with the reason.
    Row(
        "review:archive_zip",
        lambda t: [t.grassroots.pk],
        everyone(GONE, reviewer=REDIRECT),
        method="post",
    ),
    Row("review:document", _archived, everyone(GONE, reviewer=OK)),
    Row("review:document_pdf", _archived, everyone(GONE, reviewer=OK)),
    Row("review:cell_reviews", lambda t: [t.cell.pk], cell_members_only(manage=True)),
]

# Minutes: a held meeting of the tree's cell whose secretary chaired and recorded
# (tests/minutes/scenes.py). The draft is the chair's and recorder's; whoever sees the meeting
# sees the archived documents; the verification pages are public.
MINUTES_ROWS = [
    Row(
        "minutes:detail",
        lambda t: [minutes_scenes.tree_ended_meeting(t).pk],
        cell_members_only(),
    ),
    Row(
        "minutes:edit",
        lambda t: [minutes_scenes.tree_ended_meeting(t).pk],
        cell_members_only(manage=True),
    ),
    # The secretary saves an empty form: a new version, then back to the edit page.
    Row(
        "minutes:edit",
        lambda t: [minutes_scenes.tree_ended_meeting(t).pk],
        cell_members_only(REDIRECT, manage=True),
        method="post",
    ),
    Row(
        "minutes:preview",
        lambda t: [minutes_scenes.tree_archived_meeting(t).pk],
        cell_members_only(manage=True),
    ),
    Row(
        "minutes:approve",
        lambda t: [minutes_scenes.tree_archived_meeting(t).pk],
        cell_members_only(REDIRECT, manage=True),
        method="post",
    ),
    Row(
        "minutes:issue",
        lambda t: [minutes_scenes.tree_archived_meeting(t).pk],
        cell_members_only(REDIRECT, manage=True),
        method="post",
    ),
    *(
        Row(name, lambda t: [minutes_scenes.tree_minutes_document(t).pk], cell_members_only())
        for name in ("minutes:document", "minutes:progress", "minutes:download")
    ),
    *(
        Row(
            name,
            lambda t: [minutes_scenes.tree_minutes_document(t).pk],
            cell_members_only(REDIRECT, manage=True),
            method="post",
        )
        for name in ("minutes:sign", "minutes:retry")
    ),
    Row("minutes:verify", expected=dict.fromkeys(ROLES, OK)),
    Row(
        "minutes:verify_code",
        lambda t: [minutes_scenes.tree_minutes_document(t).verification_code],
        dict.fromkeys(ROLES, OK),
    ),
]


ROWS = [
    Row("members:home", expected=everyone(OK)),
    Row("members:login", expected=dict.fromkeys(ROLES, OK)),
    Row("set_language", expected=dict.fromkeys(ROLES, REDIRECT), method="post"),
    Row("health", expected=dict.fromkeys(ROLES, OK)),
    # The words of the room's scripts: for signed-in, verified users, like the room itself.
    Row("javascript-catalog", expected=everyone(OK)),
    Row(
        "javascript-catalog-versioned",
        expected=everyone(OK),
        args=lambda t: ["en", catalog_version()],
    ),
    # The operator's bearer token, not a session, reads the metrics (config/metrics.py).
    Row("metrics", expected=dict.fromkeys(ROLES, DENIED)),
    # Janus's event handler, with Janus's credentials; no session gets in (not configured here:
    # refused as unauthenticated).
    Row("janus_events", expected=dict.fromkeys(ROLES, 401), method="post"),
    Row("members:second_factor", expected=everyone(REDIRECT, unverified=REDIRECT)),
    # The tree's members have enrolled: enrolment sends them on to the code step.
    Row("members:enrol", expected=everyone(REDIRECT, unverified=REDIRECT)),
    Row("members:verify", expected=everyone(OK, unverified=OK)),
    Row("members:logout", expected=dict.fromkeys(ROLES, LOGIN), method="post"),
    Row("members:backup_codes", expected=everyone(OK)),
    Row("members:time_zone", expected=everyone(OK)),
    Row("members:password_change", expected=everyone(OK)),
    Row("members:replace_device", expected=everyone(OK)),
    Row("members:cell", lambda t: [t.cell.pk], cell_members_only()),
    Row("members:organization", lambda t: [t.grassroots.pk], everyone(GONE, reviewer=OK)),
    # The secretary's roster pages: the cell's secretary only; its members and the reviewer
    # above may see the cell but not manage it. A POST with no data changes nothing.
    *(
        Row(name, lambda t: [t.cell.pk], cell_members_only(manage=True), method)
        for name in ("members:member_add", "members:roster_import", "members:cell_history")
        for method in ("get", "post")
        if (name, method) != ("members:cell_history", "post")
    ),
    *(
        Row(name, _roster_import, cell_members_only(manage=True))
        for name in ("members:roster_import_status", "members:roster_import_progress")
    ),
    *(
        Row(name, lambda t: [t.member.pk], cell_members_only(manage=True), method)
        for name in (
            "members:member",
            "members:member_edit",
            "members:member_exempt",
            "members:member_exempt_end",
            "members:member_temporary",
            "members:member_temporary_end",
            "members:member_transfer",
        )
        for method in ("get", "post")
        if (name, method) != ("members:member", "post")
    ),
    *MEETING_ROWS,
    *REVIEW_ROWS,
    *MINUTES_ROWS,
]


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace not in SKIPPED_NAMESPACES:
                names |= _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_view_is_in_the_matrix():
    assert _names(get_resolver()) - {row.name for row in ROWS} == set()


def client_for(role: str, tree: SimpleNamespace) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "unverified":
        client.force_login(tree.member.user)
        return client
    return sign_in_verified(client, getattr(tree, role).user)


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_view_answers_each_role_as_the_matrix_says(row: Row, tree: SimpleNamespace):
    url = reverse(row.name, args=row.args(tree))
    seen = {}

    for role in ROLES:
        response = getattr(client_for(role, tree), row.method)(url)
        if response.streaming:  # read a streamed file (a document download) so it is closed
            b"".join(response.streaming_content)
        status = response.status_code
        if status == 302 and response["Location"].split("?")[0] == reverse("members:login"):
            status = LOGIN
        elif status == 302 and response["Location"] == reverse("members:second_factor"):
            status = SECOND
        seen[role] = status

    assert seen == row.expected
