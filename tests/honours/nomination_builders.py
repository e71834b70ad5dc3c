"""Builders for the nomination pipeline's tests: an open round with quotas, and a nomination
standing at any stage, written straight to the database so that each module's tests start
where their step begins. They add and flush, and never commit."""

from __future__ import annotations

from datetime import date, timedelta

from core.auth.models import User
from core.districts import District
from core.extensions import db
from core.regions import Region, district_of
from honours.models import HonourCategory, Person, Round, RoundQuota
from honours.nomination_models import (
    Channel,
    MediaDiscovery,
    Nomination,
    Nominator,
    NominatorKind,
    Stage,
)
from honours.services import rounds
from honours.services.pipeline import nominee_key
from tests.honours.builders import NOW, make_office, make_person, make_round

DEEDS = (
    "她三十年如一日照顾瘫痪在床的婆婆，每天清晨五点起床为老人翻身、擦洗、喂饭，"
    "从未有过一句怨言。邻里有困难，她总是第一个伸出援手。"
) * 12


def open_round(office: User | None = None, *, quota: int = 2, **values) -> Round:
    """A monthly round opened at NOW, every district given `quota` places."""
    office = office or make_office()
    round_ = make_round(
        office, opens_on=NOW.date(), closes_on=NOW.date() + timedelta(days=20), **values
    )
    for district in db.session.scalars(db.select(District)):
        db.session.add(RoundQuota(round_id=round_.id, district_id=district.id, quota=quota))
    rounds.open_round(office, round_.id, now=NOW)
    return round_


def make_nomination(
    round_: Round,
    place: Region,
    *,
    stage: Stage = Stage.community,
    channel: Channel = Channel.territorial,
    person: Person | None = None,
    by: User | None = None,
    name: str = "李秀英",
    birth_date: date | None = date(1958, 3, 12),
    at=NOW,
    **values,
) -> Nomination:
    """A nomination of a nominee of `place` standing at `stage`, entered by `by` (a new office
    account if none is given). Past the community it is matched to a person of the register
    (entered here by the office when none is given)."""
    by = by or make_office()
    if person is None and stage not in (Stage.draft, Stage.community):
        person = make_person(place, name=name, birth_date=birth_date)
    district_id = district_of(place).id
    fields = {
        "round_id": round_.id,
        "channel": channel,
        "stage": stage,
        "stage_entered_at": at,
        "nominee_name": person.name if person else name,
        "nominee_birth_date": person.birth_date if person else birth_date,
        "nominee_id_number": person.id_number if person else None,
        "region_id": place.id,
        "district_id": district_id,
        "person_id": person.id if person else None,
        "category": HonourCategory.filial_piety,
        "summary": "三十年如一日照顾瘫痪婆婆的好儿媳",
        "deeds": DEEDS[:900],
        "created_at": at,
        "created_by_id": by.id,
        "updated_at": at,
    }
    if channel is Channel.media:
        fields["media_url"] = "https://www.qhdnews.com/2026/12/01/haorenhaoshi.html"
        fields["media_discovery"] = MediaDiscovery.interview
    fields.update(values)
    fields["nominee_key"] = nominee_key(
        fields["nominee_name"],
        fields["nominee_birth_date"],
        fields["district_id"],
        fields["nominee_id_number"],
    )
    nomination = Nomination(**fields)
    db.session.add(nomination)
    db.session.flush()
    db.session.add(
        Nominator(
            nomination_id=nomination.id,
            from_nomination_id=nomination.id,
            kind=NominatorKind.unit if channel is Channel.territorial else NominatorKind.public,
            user_id=by.id,
            name=by.display_name,
            added_at=at,
        )
    )
    db.session.flush()
    return nomination
