"""What the roster service tests share: the day they run on and a valid record."""

import datetime

from members.enums import Standing
from members.models import Member, RosterChange
from members.services.records import MemberRecord

TODAY = datetime.date(2026, 3, 15)
D = datetime.date
NEW_YEAR = D(2026, 1, 1)


def record(**overrides) -> MemberRecord:
    values = {
        "full_name": "Phạm Thị Lan",
        "date_of_birth": D(1990, 4, 2),
        "party_card_number": "77001122",
        "admission_date": D(2015, 6, 1),
        "recognition_date": D(2016, 6, 1),
        "standing": Standing.OFFICIAL,
        "email": "lan@chibo.invalid",
        "phone": "0912 345 678",
    }
    values.update(overrides)
    return MemberRecord(**values)


def changes_of(member):
    return list(RosterChange.objects.filter(member=member).values_list("cell__name", "kind"))


def stay_away(member, cell, start=NEW_YEAR, end=None):
    """The member stays in `cell` for the period, written directly (not through the service)."""
    Member.objects.filter(pk=member.pk).update(
        temporary_cell=cell, temporary_from=start, temporary_until=end
    )
    member.refresh_from_db()
