"""Shared prevention fixtures: a little gazetteer, and a club of organisation A with members."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.places.models import Commune, District, Province, Village
from ctip.prevention import services
from ctip.prevention.models import Group, Member, Programme, Sex


@pytest.fixture
def villages(db) -> dict[str, Village]:
    """Two villages in Siem Reap (17) and one in Banteay Meanchey (01)."""
    made = {}
    for pcode, name, vcodes in (
        ("17", "Siem Reap", ["17010101", "17010102"]),
        ("01", "Banteay Meanchey", ["01020101"]),
    ):
        province = Province.objects.create(code=pcode, iso3166_2=f"KH-{pcode}", name_en=name)
        district = District.objects.create(code=f"{pcode}01", province=province, name_en="D")
        commune = Commune.objects.create(code=f"{pcode}0101", district=district, name_en="C")
        for vcode in vcodes:
            made[vcode] = Village.objects.create(
                code=vcode, commune=commune, name_en=f"Phum {vcode}"
            )
    return made


@dataclass
class Club:
    programme: Programme
    group: Group
    members: list[Member]


def make_club(officer, village, *, name="Sunrise club", programme=None, members=4) -> Club:
    programme = programme or services.programme_create(
        actor=officer,
        name=f"Programme of {name}",
        kind="childrens_club",
        target_group="children",
        provinces=[village.commune.district.province],
    )
    group = services.group_create(actor=officer, programme=programme, name=name, village=village)
    year = timezone.localdate().year
    people = [
        services.member_add(
            actor=officer,
            group=group,
            name=f"Child {i}",
            sex=Sex.FEMALE if i % 2 == 0 else Sex.MALE,
            birth_year=year - 10 - i,
        )
        for i in range(members)
    ]
    return Club(programme, group, people)


def past(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def officer(cast):
    return cast.a[Role.PREVENTION_OFFICER]


@pytest.fixture
def officer_b(cast):
    return cast.b[Role.PREVENTION_OFFICER]


@pytest.fixture
def club(officer, villages) -> Club:
    return make_club(officer, villages["17010101"])


@pytest.fixture
def session(club, officer):
    return services.session_create(
        actor=officer,
        programme=club.programme,
        group=club.group,
        topic="Safe migration",
        date=past(1),
    )
