"""Factories for test data. Boring on purpose: each makes one valid row."""

import datetime

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.enums import CellRoleKind, Level, Standing
from members.models import CellRole, CommitteeSeat, Member, Organization, User

PASSWORD = "mat-khau-thu-nghiem-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@chibo.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "totp"
    confirmed = True


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Đảng bộ {n}")
    level = Level.GRASSROOTS
    parent = None


class CellFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Chi bộ {n}")
    level = Level.CELL
    parent = factory.SubFactory(OrganizationFactory)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    standing = Standing.OFFICIAL
    admission_date = datetime.date(2010, 5, 19)
    recognition_date = datetime.date(2011, 5, 19)
    party_card_number = factory.Sequence(lambda n: f"{n:09d}")
    home_cell = factory.SubFactory(CellFactory)


class CellRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CellRole

    member = factory.SubFactory(MemberFactory)
    cell = factory.SelfAttribute("member.home_cell")
    kind = CellRoleKind.SECRETARY
    started_on = datetime.date(2020, 1, 1)


class CommitteeSeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeSeat

    member = factory.SubFactory(MemberFactory)
    organization = factory.SubFactory(OrganizationFactory)
    title = "Đảng ủy viên"
    started_on = datetime.date(2020, 1, 1)
