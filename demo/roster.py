"""The demo organisation: a đảng bộ cơ sở with two cells, for a newcomer's first run and for tests.

FOR THE DEMO ONLY: every demo account shares one password and has a TOTP secret derived from its
username, so that the README can say how to sign in. Never run `seed_demo` on a real deployment.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.enums import CellRoleKind, Level, Standing
from members.models import CellRole, CommitteeSeat, Member, Organization, User

DEMO_PASSWORD = "chibo-demo-2026"
SUPERIOR_NAME = "Đảng bộ Quận Ba Đình"
GRASSROOTS_NAME = "Đảng bộ Phường Điện Biên"
CELL_NAMES = ("Chi bộ Khu phố 1", "Chi bộ Khu phố 2")
REVIEWER_USERNAME = "captren"


@dataclass(frozen=True)
class DemoMember:
    username: str
    full_name: str
    standing: str = Standing.OFFICIAL
    role: str = ""
    exempt: bool = False
    temporary_in_other_cell: bool = False


CELLS: tuple[tuple[DemoMember, ...], ...] = (
    (
        DemoMember("bithu1", "Nguyễn Thị Hằng", role=CellRoleKind.SECRETARY),
        DemoMember("phobithu1", "Trần Văn Đức", role=CellRoleKind.DEPUTY_SECRETARY),
        DemoMember("dangvien101", "Lê Minh Tuấn", role=CellRoleKind.COMMITTEE_MEMBER),
        DemoMember("dangvien102", "Phạm Thị Lan"),
        DemoMember("dangvien103", "Hoàng Văn Nam"),
        DemoMember("dangvien104", "Vũ Thị Hoa"),
        DemoMember("dangvien105", "Đặng Quốc Huy"),
        DemoMember("dangvien106", "Bùi Thị Thu Trang"),
        DemoMember("dangvien107", "Đỗ Văn Hùng", exempt=True),
        DemoMember("dangvien108", "Ngô Thị Mai"),
        DemoMember("dangvien109", "Dương Văn Khải", standing=Standing.PROBATIONARY),
        DemoMember("dangvien110", "Lý Thị Ngọc Ánh", standing=Standing.PROBATIONARY),
    ),
    (
        DemoMember("bithu2", "Phan Văn Long", role=CellRoleKind.SECRETARY),
        DemoMember("phobithu2", "Trịnh Thị Hương", role=CellRoleKind.DEPUTY_SECRETARY),
        DemoMember("dangvien201", "Mai Văn Sơn"),
        DemoMember("dangvien202", "Cao Thị Yến"),
        DemoMember("dangvien203", "Tạ Quang Vinh"),
        DemoMember("dangvien204", "Hồ Thị Bích"),
        DemoMember("dangvien205", "Lương Văn Tâm"),
        DemoMember("dangvien206", "Kiều Thị Nga", exempt=True),
        DemoMember("dangvien207", "Đinh Công Thành", temporary_in_other_cell=True),
        DemoMember("dangvien208", "Chu Thị Phương"),
        DemoMember("dangvien209", "Âu Văn Lực"),
        DemoMember("dangvien210", "Quách Thị Diệu", standing=Standing.PROBATIONARY),
    ),
)


def totp_key_hex(username: str) -> str:
    """A stable 20-byte secret per demo account, so the documented secrets never change."""
    return hashlib.sha256(f"chibo-demo:{username}".encode()).hexdigest()[:40]


def totp_secret_base32(username: str) -> str:
    return base64.b32encode(bytes.fromhex(totp_key_hex(username))).decode()


def current_code(username: str) -> str:
    totp = TOTP(bytes.fromhex(totp_key_hex(username)), step=30, digits=6)
    return f"{totp.token():06d}"


@contextmanager
def spent_code(user: User) -> Iterator[str]:
    """FOR THE DEMO ONLY: the current code of a demo account, for the seeding to sign with.
    Afterwards the device's record of its last code is put back: the person trying the demo
    can then sign in with the code their authenticator shows right now."""
    device = TOTPDevice.objects.get(user=user, name="demo")
    saved = {"last_t": device.last_t, "drift": device.drift}
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    try:
        yield f"{totp.token():0{device.digits}d}"
    finally:
        TOTPDevice.objects.filter(pk=device.pk).update(**saved)


def _organization(name: str, level: str, parent: Organization | None, **extra: str) -> Organization:
    organization, _ = Organization.objects.get_or_create(
        name=name, parent=parent, defaults={"level": level, **extra}
    )
    return organization


def _account(username: str, email: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    TOTPDevice.objects.get_or_create(
        user=user, name="demo", defaults={"key": totp_key_hex(username), "confirmed": True}
    )
    return user


@transaction.atomic
def seed_demo(today: datetime.date) -> dict[str, Organization]:
    """Creates (or leaves as it is) the demo tree, members, roles and reviewer. Idempotent."""
    superior = _organization(SUPERIOR_NAME, Level.SUPERIOR, None, place_name="Hà Nội")
    grassroots = _organization(GRASSROOTS_NAME, Level.GRASSROOTS, superior)
    cells = [_organization(name, Level.CELL, grassroots) for name in CELL_NAMES]
    started = datetime.date(today.year - 1, 1, 1)

    for index, (cell, people) in enumerate(zip(cells, CELLS, strict=True)):
        for number, person in enumerate(people, start=1):
            user = _account(person.username, f"{person.username}@chibo.invalid")
            official = person.standing == Standing.OFFICIAL
            member, _ = Member.objects.get_or_create(
                user=user,
                defaults={
                    "full_name": person.full_name,
                    "standing": person.standing,
                    "home_cell": cell,
                    "email": user.email,
                    "date_of_birth": datetime.date(1960 + (number * 3) % 35, number, 10 + index),
                    "admission_date": datetime.date(2000 + number, 5, 19)
                    if official
                    else datetime.date(today.year, 2, 3),
                    "recognition_date": datetime.date(2001 + number, 5, 19) if official else None,
                    "party_card_number": f"{index + 1:02d}{number:07d}" if official else None,
                },
            )
            if person.exempt and member.exempt_from is None:
                member.exempt_from = started
                member.exempt_reason = "Tuổi cao, sức khỏe yếu (Điều 7 Điều lệ Đảng)"
                member.save()
            if person.temporary_in_other_cell and member.temporary_cell_id is None:
                member.temporary_cell = cells[1 - index]
                member.temporary_from = started
                member.temporary_until = datetime.date(today.year + 1, 12, 31)
                member.save()
            if person.role:
                CellRole.objects.get_or_create(
                    member=member, cell=cell, kind=person.role, defaults={"started_on": started}
                )

    reviewer_user = _account(REVIEWER_USERNAME, "captren@chibo.invalid")
    reviewer, _ = Member.objects.get_or_create(
        user=reviewer_user,
        defaults={
            "full_name": "Võ Thành Công",
            "standing": Standing.OFFICIAL,
            "home_cell": cells[0],
            "admission_date": datetime.date(1995, 3, 3),
            "recognition_date": datetime.date(1996, 3, 3),
            "party_card_number": "000000001",
        },
    )
    CommitteeSeat.objects.get_or_create(
        member=reviewer,
        organization=grassroots,
        defaults={
            "title": "Đảng ủy viên, phụ trách công tác kiểm tra",
            "started_on": started,
            "follows_cell": cells[0],
            "is_administrator": True,
        },
    )
    return {"superior": superior, "grassroots": grassroots, "cell1": cells[0], "cell2": cells[1]}
