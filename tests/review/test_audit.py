"""The audit of reads: outside readers of a cell's records are logged, the cell's own are not;
the secretary and the organisation's administrators see the log, nobody else."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import ReadAudit
from tests.conftest import sign_in_verified
from tests.factories import MemberFactory
from tests.meetings import scenes

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_of(member) -> Client:
    return sign_in_verified(Client(), member.user)


def test_a_reviewer_reading_a_meeting_is_logged_with_who_what_and_which_cell(tree):
    meeting = scenes.tree_meeting(tree)

    response = client_of(tree.reviewer).get(reverse("meetings:detail", args=[meeting.pk]))

    assert response.status_code == 200
    read = ReadAudit.objects.get()
    assert (read.reader, read.kind, read.object_id, read.cell) == (
        tree.reviewer.user,
        "meeting",
        meeting.pk,
        tree.cell,
    )


def test_the_cells_own_members_are_not_logged(tree):
    meeting = scenes.tree_meeting(tree)
    temporary = MemberFactory(
        home_cell=tree.neighbour_cell,
        temporary_cell=tree.cell,
        temporary_from=datetime.date(2020, 1, 1),
    )

    for person in (tree.member, tree.secretary, temporary):
        assert (
            client_of(person).get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
        )
        assert (
            client_of(person).get(reverse("members:cell", args=[tree.cell.pk])).status_code == 200
        )

    assert not ReadAudit.objects.exists()


def test_a_document_download_is_one_document_read(tree):
    document = scenes.tree_document(tree)

    response = client_of(tree.reviewer).get(
        reverse("meetings:document_download", args=[document.meeting_id, document.pk])
    )

    assert response.status_code == 200
    assert list(ReadAudit.objects.values_list("kind", "object_id")) == [("document", document.pk)]


def test_the_cell_page_and_calendar_are_logged_as_reads_of_the_cell(tree):
    client = client_of(tree.reviewer)

    client.get(reverse("members:cell", args=[tree.cell.pk]))
    client.get(reverse("meetings:calendar", args=[tree.cell.pk]))

    # Two pages of the same record within ten minutes: one read.
    assert list(ReadAudit.objects.values_list("kind", "object_id", "cell")) == [
        ("cell", tree.cell.pk, tree.cell.pk)
    ]


def test_reading_again_later_is_another_read(tree):
    meeting = scenes.tree_meeting(tree)
    client = client_of(tree.reviewer)
    url = reverse("meetings:detail", args=[meeting.pk])

    client.get(url)
    client.get(url)
    ReadAudit.objects.update(read_at=timezone.now() - datetime.timedelta(minutes=11))
    client.get(url)

    assert ReadAudit.objects.count() == 2


def test_a_refused_page_is_not_a_read(tree):
    client = client_of(tree.reviewer)

    assert client.get(reverse("members:member_add", args=[tree.cell.pk])).status_code == 403
    assert (
        client_of(tree.sibling_reviewer)
        .get(reverse("members:cell", args=[tree.cell.pk]))
        .status_code
        == 404
    )

    assert not ReadAudit.objects.exists()


def test_the_secretary_sees_who_read_their_cell(tree):
    meeting = scenes.tree_meeting(tree)
    client_of(tree.reviewer).get(reverse("meetings:detail", args=[meeting.pk]))
    url = reverse("review:cell_reads", args=[tree.cell.pk])

    page = client_of(tree.secretary).get(url).content.decode()

    assert tree.reviewer.full_name in page
    assert "Buổi sinh hoạt" in page
    assert client_of(tree.member).get(url).status_code == 403
    assert client_of(tree.reviewer).get(url).status_code == 403
    assert client_of(tree.neighbour).get(url).status_code == 404


def test_administrators_see_the_reads_of_their_subtree_only(tree):
    from tests.factories import CommitteeSeatFactory

    meeting = scenes.tree_meeting(tree)
    client_of(tree.reviewer).get(reverse("meetings:detail", args=[meeting.pk]))
    administrator = CommitteeSeatFactory(
        organization=tree.grassroots, is_administrator=True, member__home_cell=tree.neighbour_cell
    ).member
    sibling_administrator = CommitteeSeatFactory(
        organization=tree.sibling, is_administrator=True, member__home_cell=tree.far_cell
    ).member
    url = reverse("review:organization_reads", args=[tree.grassroots.pk])

    page = client_of(administrator).get(url).content.decode()

    assert tree.reviewer.full_name in page
    assert tree.cell.name in page
    assert client_of(tree.reviewer).get(url).status_code == 404  # a seat, but not an administrator
    assert client_of(sibling_administrator).get(url).status_code == 404
    assert client_of(tree.secretary).get(url).status_code == 404


def test_an_inside_read_costs_no_query_and_an_outside_read_a_check_and_an_insert(
    tree, django_assert_num_queries
):
    from meetings import access

    meeting = scenes.tree_meeting(tree)
    access.access_meeting(tree.member.user, meeting.pk)  # warm caches
    with django_assert_num_queries(5) as inside:
        access.access_meeting(tree.member.user, meeting.pk)
    with django_assert_num_queries(7) as outside:
        access.access_meeting(tree.reviewer.user, meeting.pk)

    assert not any("INSERT" in q["sql"] for q in inside.captured_queries)
    assert "INSERT" in outside.captured_queries[-1]["sql"]


def test_a_reviewer_opening_signed_minutes_in_the_minutes_app_is_logged(tree):
    from tests.review.seed import at, held_meeting, sign

    document = sign(held_meeting(tree.cell, "regular", at(3, 5)), at(3, 6), "Biên bản")

    client_of(tree.reviewer).get(reverse("minutes:document", args=[document.pk]))
    client_of(tree.secretary).get(reverse("minutes:document", args=[document.pk]))

    assert list(ReadAudit.objects.values_list("kind", "object_id", "reader")) == [
        ("minutes", document.pk, tree.reviewer.user.pk)
    ]
