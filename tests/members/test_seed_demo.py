import datetime

import pytest
import time_machine
from django.core.management import call_command

from demo import roster as demo
from members import access
from members.enums import CellRoleKind, Standing
from members.models import CellRole, CommitteeSeat, Member, Organization, User

pytestmark = pytest.mark.integration
# Early in the year, so that the demo holds few past meetings (tests/meetings/test_demo.py
# checks them).
early_in_the_year = time_machine.travel(
    datetime.datetime(2026, 1, 10, 2, 0, tzinfo=datetime.UTC), tick=False
)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Organization, Member, User, CellRole, CommitteeSeat))


@early_in_the_year
def test_seed_demo_builds_a_grassroots_organisation_with_two_real_looking_cells(db):
    call_command("seed_demo", verbosity=0)

    cell1 = Organization.objects.get(name=demo.CELL_NAMES[0])
    cell2 = Organization.objects.get(name=demo.CELL_NAMES[1])
    assert cell1.parent.name == demo.GRASSROOTS_NAME
    assert cell1.parent.get_level_display() == "Đảng bộ cơ sở"
    for cell in (cell1, cell2):
        members = Member.objects.filter(home_cell=cell)
        assert 12 <= members.count() <= 13
        assert members.filter(standing=Standing.PROBATIONARY).exists()
        assert members.exclude(exempt_from=None).count() == 1
        assert CellRole.objects.filter(cell=cell, kind=CellRoleKind.SECRETARY).count() == 1
    temporary = Member.objects.get(user__username="dangvien207")
    assert temporary.home_cell == cell2
    assert temporary.temporary_cell == cell1


@early_in_the_year
def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    before = counts()

    call_command("seed_demo", verbosity=0)

    assert counts() == before


@early_in_the_year
def test_demo_reviewer_sees_both_cells_and_the_secretary_only_hers(db):
    call_command("seed_demo", verbosity=0)

    reviewer = User.objects.get(username=demo.REVIEWER_USERNAME)
    secretary = User.objects.get(username="bithu1")

    assert sorted(c.name for c in access.visible_cells(reviewer)) == list(demo.CELL_NAMES)
    assert [c.name for c in access.visible_cells(secretary)] == [demo.CELL_NAMES[0]]


@early_in_the_year
def test_demo_code_prints_the_code_the_authenticator_would_show(db, capsys):
    call_command("seed_demo", verbosity=0)
    capsys.readouterr()

    call_command("demo_code", "bithu1")

    out = capsys.readouterr().out
    assert demo.current_code("bithu1") in out
    assert demo.totp_secret_base32("bithu1") in out
