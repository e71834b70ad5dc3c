"""Demo care (善行四季·关爱): the condolence funds the office paid from 2017 to 2025 as entered
from its books, last winter's visits at New Year and the Spring Festival to the provincial and
national moral models and good people, and this autumn's visits to old party members and
veterans before 七一, on 八一 and on the Double Ninth, from a list uploaded by ID number.

With last winter's visits the running total of condolence funds is just over 3.3 million yuan,
as the city's account says (累计发放慰问金330余万元). Everything happens at fixed moments of
those seasons, through the services, so that every state of a visit is there to look at:
planned, paid, verified, locked, one reversed and recorded anew, one paid to a deceased good
person's widow, one to someone off the list with the reason, and one person not reached with
the reason. Signatures are squiggles and photos coloured shapes drawn here, never anyone's.
Loaded once: a second load finds each campaign by its name and each past total by its year
and fund, and adds nothing.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import cache

import openpyxl
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from care.models import (
    CareCampaign,
    CareKind,
    CareTarget,
    FundSource,
    ListRule,
    PastCareTotal,
    ReceiptKind,
    Recipient,
    Visit,
    VisitPlace,
)
from care.services import budgets, campaigns, visits
from care.services.past_totals import record_past_total
from core.auth.models import User
from core.auth.services import find_user_by_phone
from core.clock import local_moment
from core.demo import OFFICE
from core.districts import District
from core.extensions import db
from core.regions_demo import CLERKS
from core.settings import current_settings
from core.uploads.services import store_upload
from events import services as events
from events.models import Campaign, Season
from honours.demo import FONT
from honours.models import Honour, HonourLevel, HonourType, Person, PersonStatus
from honours.services.scope import scope_of

SEED = 20260217
WINTER = "2026年元旦春节走访慰问道德模范和身边好人"
AUTUMN = "2026年七一、八一、重阳走访慰问老党员和退役军人"
OFFICE_VISITORS = "市文明办 王主任"

# The office's books before these records (历年慰问金台账): (year, fund, yuan, persons, note).
PAST_TOTALS = [
    (2017, FundSource.city_budget, 215_000, 215, "2017年元旦春节走访慰问道德模范和身边好人"),
    (2017, FundSource.moral_fund, 60_000, 40, "道德模范专项慰问"),
    (2018, FundSource.city_budget, 230_000, 230, "2018年元旦春节走访慰问"),
    (2018, FundSource.moral_fund, 65_000, 43, "道德模范专项慰问"),
    (2019, FundSource.city_budget, 240_000, 240, "2019年元旦春节走访慰问"),
    (2019, FundSource.moral_fund, 70_000, 46, "道德模范专项慰问"),
    (2019, FundSource.donations, 20_000, 20, "市慈善总会“暖冬行动”定向捐赠"),
    (2020, FundSource.city_budget, 250_000, 250, "2020年元旦春节走访慰问（春节前集中发放）"),
    (2020, FundSource.moral_fund, 70_000, 46, "道德模范专项慰问"),
    (2020, FundSource.donations, 25_000, 25, "市慈善总会“暖冬行动”定向捐赠"),
    (2021, FundSource.city_budget, 255_000, 255, "2021年元旦春节走访慰问"),
    (2021, FundSource.moral_fund, 75_000, 50, "道德模范专项慰问"),
    (2021, FundSource.donations, 25_000, 25, "市慈善总会“暖冬行动”定向捐赠"),
    (2021, FundSource.enterprises, 20_000, 20, "爱心企业资助"),
    (2022, FundSource.city_budget, 260_000, 260, "2022年元旦春节走访慰问"),
    (2022, FundSource.moral_fund, 75_000, 50, "道德模范专项慰问"),
    (2022, FundSource.enterprises, 25_000, 25, "爱心企业资助"),
    (2023, FundSource.city_budget, 270_000, 270, "2023年元旦春节走访慰问"),
    (2023, FundSource.moral_fund, 80_000, 53, "道德模范专项慰问"),
    (2023, FundSource.donations, 20_000, 20, "市慈善总会“暖冬行动”定向捐赠"),
    (2023, FundSource.enterprises, 25_000, 25, "爱心企业资助"),
    (2024, FundSource.city_budget, 280_000, 280, "2024年元旦春节走访慰问"),
    (2024, FundSource.moral_fund, 70_000, 46, "道德模范专项慰问"),
    (2024, FundSource.enterprises, 25_000, 25, "爱心企业资助"),
    (2025, FundSource.city_budget, 270_000, 270, "2025年元旦春节走访慰问（2024年冬季）"),
    (2025, FundSource.moral_fund, 70_000, 46, "道德模范专项慰问"),
    (2025, FundSource.donations, 20_000, 20, "市慈善总会“暖冬行动”定向捐赠"),
    (2025, FundSource.enterprises, 11_000, 11, "爱心企业资助"),
]  # fmt: skip

# Cash by the highest honour a person holds (fen); moral models are paid from the moral fund.
CASH = {
    "moral_model_national": 200_000,
    "good_person_china": 150_000,
    "moral_model_hebei": 150_000,
    "good_person_hebei": 100_000,
}
MORAL_MODELS = {"moral_model_national", "moral_model_hebei"}
NEEDS = [
    ("冬季取暖费用较高，老伴常年服药。", "协调街道落实冬季取暖补贴。"),
    ("独居，子女在外地，希望有人常来看看。", "联系社区志愿服务队每周上门探望一次。"),
    ("腿脚不便，楼道没有扶手。", "请社区协调物业在楼道加装扶手。"),
    ("孙子明年升学，想了解助学政策。", "转区教育局答复助学政策。"),
    ("家中老人住院，医药费负担重。", "协助申请医疗救助。"),
]
SPRING_GOODS = (visits.GoodLine("米面油礼包", 1, 20_000), visits.GoodLine("春联福字", 1, 3_000))
NEW_YEAR_GOODS = (visits.GoodLine("米面油礼包", 1, 20_000), visits.GoodLine("牛奶水果", 1, 8_000))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_moment(day, time(hour, minute))


@cache
def _font(size: int):
    return ImageFont.truetype(str(FONT), size)


def _png(image: Image.Image, fmt: str = "PNG") -> io.BytesIO:
    data = io.BytesIO()
    image.save(data, format=fmt)
    data.seek(0)
    return data


def signature(rng: random.Random) -> io.BytesIO:
    """A signature drawn on the phone: a squiggle in dark blue, never anyone's hand."""
    image = Image.new("RGB", (360, 120), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    # Loops along a line: a wave whose x runs back on itself, each with its own size.
    a, b, k, m = rng.uniform(8, 16), rng.uniform(18, 34), rng.uniform(0.5, 0.8), rng.uniform(1, 2)
    points = [
        (24 + t * 1.6 + a * math.sin(k * t), 60 + b * math.sin(m * k * t) * math.cos(t / 40))
        for t in range(0, 190)
    ]
    draw.line(points, fill=(20, 40, 110), width=3, joint="curve")
    draw.line([(20, 108), (340, 108)], fill=(200, 200, 200), width=1)
    return _png(image)


def scanned_list(rng: random.Random) -> io.BytesIO:
    """A scanned receipt list (慰问金签收单): a grey page with its heading, a grid and
    squiggles for signatures."""
    image = Image.new("RGB", (720, 960), (236, 234, 228))
    draw = ImageDraw.Draw(image)
    draw.text((360, 60), "慰问金签收单", font=_font(40), fill=(30, 30, 30), anchor="mm")
    for n, heading in enumerate(("序号", "金额（元）", "领取人签名", "日期")):
        draw.text((60 + n * 165, 130), heading, font=_font(22), fill=(30, 30, 30))
    for row in range(11):
        draw.line([(40, 160 + row * 70), (680, 160 + row * 70)], fill=(90, 90, 90), width=2)
    for row in range(3):
        top = 175 + row * 70
        draw.text((70, top + 10), str(row + 1), font=_font(22), fill=(30, 30, 30))
        squiggle = [(400 + k * 12, top + 25 + rng.uniform(-14, 14)) for k in range(12)]
        draw.line(squiggle, fill=(20, 40, 110), width=3)
    return _png(image, "JPEG")


COLOURS = ((164, 22, 26), (31, 95, 139), (138, 66, 0), (61, 90, 64), (96, 54, 130))


def photo(rng: random.Random, words: str) -> io.BytesIO:
    """A photo of a visit: coloured shapes under a red banner with its words; never of anyone."""
    image = Image.new("RGB", (640, 480), (222, 232, 240))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        left, top = rng.randrange(0, 560), rng.randrange(160, 420)
        size = rng.randrange(40, 120)
        draw.ellipse(
            (left, top, left + size, top + size), fill=COLOURS[rng.randrange(len(COLOURS))]
        )
    draw.rectangle((40, 40, 600, 130), fill=(190, 20, 30))
    draw.text((320, 85), words, font=_font(44), fill=(255, 230, 150), anchor="mm")
    return _png(image, "JPEG")


def _season(office: User, year: int, season: Season) -> Campaign:
    """The year's seasonal campaign, made from the city's standard one if the events demo has
    none (it makes this year's and last year's only)."""
    found = db.session.scalar(
        select(Campaign)
        .where(Campaign.year == year, Campaign.season == season)
        .order_by(Campaign.id)
        .limit(1)
    )
    if found is not None:
        return found
    spec = next(s for s in events.standard_campaigns(year) if s["season"] is season)
    return events.create_campaign(office, year=year, **spec)


def _recorder(clerks: list[User], office: User, region_id: int, at: datetime) -> User:
    """The first demo clerk acting for the region at `at`, else the office: the clerks hold
    their roles only since a season before the demo was loaded."""
    return next((c for c in clerks if scope_of(c, at).acts_in(region_id)), office)


def _verifier(clerks: list[User], office: User, region_id: int, at: datetime) -> User:
    """The district clerk of the region at `at`, else the office."""
    return next((c for c in clerks if scope_of(c, at).sees_whole(region_id)), office)


class _Visiting:
    """What recording a campaign's visits needs: the office, the clerks, the upload settings
    and a seeded generator for the drawings."""

    def __init__(self, office: User, clerks: list[User], care: CareCampaign) -> None:
        self.office, self.clerks, self.care = office, clerks, care
        self.settings = current_settings().uploads
        self.rng = random.Random(SEED + care.id)

    def record(self, person: Person, at: datetime, details: visits.VisitDetails, **extra):
        actor = _recorder(self.clerks, self.office, person.region_id, at)
        return visits.record_visit(actor, self.care.id, person.id, details, now=at, **extra)

    def receipt(self, visit: Visit, at: datetime, *, scanned: bool = False) -> Visit:
        actor = _recorder(self.clerks, self.office, visit.person.region_id, at)
        upload = store_upload(
            actor,
            kind=visits.RECEIPT_KIND,
            stream=scanned_list(self.rng) if scanned else signature(self.rng),
            filename="签收单.jpg" if scanned else "签名.png",
            now=at,
            settings=self.settings,
        )
        kind = ReceiptKind.scan if scanned else ReceiptKind.signature
        return visits.attach_receipt(
            actor, visit.id, upload, kind, expected_version=visit.version, now=at
        )

    def photo(self, visit: Visit, at: datetime, words: str) -> None:
        actor = _recorder(self.clerks, self.office, visit.person.region_id, at)
        upload = store_upload(
            actor,
            kind=visits.PHOTO_KIND,
            stream=photo(self.rng, words),
            filename="走访慰问.jpg",
            now=at,
            settings=self.settings,
        )
        visits.add_photo(actor, visit.id, upload, now=at)

    def verify(self, visit: Visit, at: datetime) -> Visit:
        actor = _verifier(self.clerks, self.office, visit.person.region_id, at)
        return visits.verify_visit(actor, visit.id, now=at)


def _highest(person_id: int) -> str:
    """The code of the highest honour of CASH the person holds unrevoked."""
    held = set(
        db.session.scalars(
            select(HonourType.code)
            .join(Honour, Honour.honour_type_id == HonourType.id)
            .where(Honour.person_id == person_id, Honour.revoked_at.is_(None))
        )
    )
    return next(code for code in CASH if code in held)


def _fund(code: str, n: int) -> FundSource:
    if code in MORAL_MODELS:
        return FundSource.moral_fund
    return {3: FundSource.donations, 6: FundSource.enterprises}.get(n % 8, FundSource.city_budget)


def _winter_visit(person: Person, n: int, day: date, spring: bool) -> visits.VisitDetails:
    code = _highest(person.id)
    needs, follow_up = NEEDS[n // 6 % len(NEEDS)] if n % 6 == 0 else ("", "")
    district = db.session.get(District, person.district_id)
    return visits.VisitDetails(
        visit_on=day,
        place=VisitPlace.workplace if n % 9 == 4 else VisitPlace.home,
        visitors=f"{OFFICE_VISITORS}、{district.name}文明办",
        cash_fen=CASH[code],
        fund_source=_fund(code, n),
        needs=needs,
        follow_up=follow_up,
        goods=SPRING_GOODS if spring else NEW_YEAR_GOODS,
    )


def _set_budgets(office: User, care: CareCampaign, lines, at: datetime) -> None:
    for source, yuan, reason in lines:
        budgets.set_budget(office, care.id, source, yuan * 100, reason=reason, now=at)


def _winter(office: User, clerks: list[User]) -> None:
    """Last winter's visits, from the office's plan in December to the second locking in
    March, with a reversal between."""
    created = _at(date(2025, 12, 8), 10)
    care = campaigns.create_care_campaign(
        office,
        campaigns.CampaignDetails(
            campaign_id=_season(office, 2025, Season.winter).id,
            kind=CareKind.visits,
            name=WINTER,
            rule=ListRule.honour_level,
            min_level=HonourLevel.provincial,
            plan="元旦、春节期间，市文明办会同各县区文明办走访慰问全国、省级道德模范和"
            "中国好人、河北好人，送去慰问金、慰问品和节日祝福；道德模范慰问金由道德基金列支，"
            "其余由市财政、社会捐赠和爱心企业资助。",
        ),
        now=created,
    )
    _set_budgets(
        office,
        care,
        [
            (FundSource.city_budget, 100_000, "2026年元旦春节走访慰问经费（市财政）"),
            (FundSource.moral_fund, 70_000, "道德模范专项慰问（市道德基金）"),
        ],
        created,
    )
    campaigns.make_list(office, care.id, now=created + timedelta(minutes=5))
    _set_budgets(
        office,
        care,
        [
            (FundSource.donations, 25_000, "市慈善总会“暖冬行动”定向捐赠到账"),
            (FundSource.enterprises, 25_000, "秦皇岛港口集团等爱心企业资助到账"),
        ],
        _at(date(2025, 12, 18), 15),
    )
    targets = list(
        db.session.scalars(
            select(CareTarget)
            .where(CareTarget.care_campaign_id == care.id)
            .order_by(CareTarget.person_id)
        )
    )
    visiting = _Visiting(office, clerks, care)
    deceased = [t for t in targets if t.person.status is PersonStatus.deceased]
    living = [t for t in targets if t.person.status is not PersonStatus.deceased]
    *paid, skipped, planned, unreceipted = living
    half = len(paid) // 2
    paid_visits: list[Visit] = []
    for n, target in enumerate(paid):
        spring = n >= half
        day = (
            date(2026, 2, 5) + timedelta(days=(n - half) % 9)
            if spring
            else date(2025, 12, 26) + timedelta(days=n % 6)
        )
        at = _at(day, 9 + n % 8, 10 * (n % 6))
        details = _winter_visit(target.person, n, day, spring)
        visit = visiting.record(target.person, at, details, done=True)
        if n == half + 1:
            # Paid more than planned, with a down coat: the clerk corrected it the next day.
            visit = visits.edit_visit(
                _recorder(clerks, office, target.person.region_id, at),
                visit.id,
                replace(
                    details,
                    cash_fen=details.cash_fen + 50_000,
                    goods=(*details.goods, visits.GoodLine("羽绒服", 1, 40_000)),
                ),
                expected_version=visit.version,
                now=at + timedelta(days=1),
            )
        visit = visiting.receipt(visit, at + timedelta(days=1, hours=1))
        if n % 8 == 0:
            visiting.photo(visit, at + timedelta(days=1, hours=1), "走访慰问 温暖送到家")
        paid_visits.append(visit)
    # The last two paid were verified only after the second locking: waiting for the next.
    late = paid_visits[-2:]
    if deceased:
        paid_visits.append(_to_the_widow(visiting, deceased[0].person))
    paid_visits.append(_off_the_list(visiting, targets))
    _budget_raised(office, care)
    for visit in paid_visits:
        if visit not in late:
            visiting.verify(visit, _at(visit.visit_on + timedelta(days=3), 10))
    _skip_and_plan(visiting, skipped, planned, unreceipted)
    visits.lock_visits(office, care.id, now=_at(date(2026, 2, 26), 16))
    # Locking updates the rows in the database only: read them again, as the next request.
    db.session.expire_all()
    done_at = _at(date(2026, 3, 2), 10)
    for n, visit in enumerate(v for v in paid_visits if v.follow_up):
        if n % 2 == 0:
            actor = _recorder(clerks, office, visit.person.region_id, done_at)
            visits.complete_follow_up(actor, visit.id, now=done_at)
    wrong = next(v for v in paid_visits[half + 2 :] if v.fund_source is FundSource.city_budget)
    _reversed_and_recorded_anew(visiting, wrong)
    visits.lock_visits(office, care.id, now=_at(date(2026, 3, 16), 16))
    for visit in late:
        visiting.verify(visit, _at(date(2026, 3, 20), 10))


def _budget_raised(office: User, care: CareCampaign) -> None:
    budgets.set_budget(
        office,
        care.id,
        FundSource.city_budget,
        120_000 * 100,
        reason="春节前追加慰问经费（新增省级好人）",
        now=_at(date(2026, 1, 20), 11),
    )


def _to_the_widow(visiting: _Visiting, person: Person) -> Visit:
    """The good person who died saving a boy: his widow receives the visit (遗属)."""
    day = date(2026, 2, 9)
    at = _at(day, 10)
    visit = visiting.record(
        person,
        at,
        visits.VisitDetails(
            visit_on=day,
            place=VisitPlace.home,
            visitors=f"{OFFICE_VISITORS}、县区文明办",
            recipient=Recipient.relative,
            relative_name="张桂英",
            relative_relation="妻子",
            cash_fen=200_000,
            fund_source=FundSource.moral_fund,
            needs="儿子在外地读大学，家中只有她一人。",
            follow_up="请社区春节期间多上门看望。",
            goods=SPRING_GOODS,
        ),
        done=True,
    )
    visit = visiting.receipt(visit, at + timedelta(hours=1))
    visiting.photo(visit, at + timedelta(hours=1), "缅怀英雄 慰问遗属")
    return visit


def _off_the_list(visiting: _Visiting, targets: list[CareTarget]) -> Visit:
    """A person with a hardship profile who holds no provincial honour: visited all the same,
    with the reason."""
    listed = {t.person_id for t in targets}
    person = db.session.scalar(
        select(Person)
        .where(
            Person.hardship_notes.is_not(None),
            Person.status == PersonStatus.active,
            Person.merged_into_id.is_(None),
            Person.id.not_in(listed),
        )
        .order_by(Person.id)
        .limit(1)
    )
    day = date(2026, 2, 10)
    at = _at(day, 14)
    visit = visiting.record(
        person,
        at,
        visits.VisitDetails(
            visit_on=day,
            place=VisitPlace.home,
            visitors=f"{OFFICE_VISITORS}、社区网格员",
            cash_fen=100_000,
            fund_source=FundSource.donations,
            needs=person.hardship_notes or "",
            follow_up="纳入社区重点关爱名单，每月走访一次。",
            goods=SPRING_GOODS,
        ),
        done=True,
        off_list_reason="春节前社区反映其生活困难，经市文明办同意临时增加走访，慰问金由社会捐赠列支。",
    )
    return visiting.receipt(visit, at + timedelta(hours=1))


def _skip_and_plan(
    visiting: _Visiting, skipped: CareTarget, planned: CareTarget, unreceipted: CareTarget
) -> None:
    """One person not reached, one visit still planned (in hospital), one paid whose receipt
    the clerk has yet to bring."""
    at = _at(date(2026, 2, 14), 16)
    campaigns.skip_target(
        _recorder(visiting.clerks, visiting.office, skipped.person.region_id, at),
        skipped.id,
        "本人随子女在外地过春节，多次联系未能见面，慰问金未发放，节后由社区转达慰问。",
        now=at,
    )
    code = _highest(planned.person.id)
    visiting.record(
        planned.person,
        _at(date(2026, 2, 12), 11),
        visits.VisitDetails(
            visit_on=date(2026, 3, 20),
            place=VisitPlace.hospital,
            visitors=f"{OFFICE_VISITORS}、区文明办",
            cash_fen=CASH[code],
            fund_source=_fund(code, 0),
            needs="春节前住院治疗，出院后上门补访。",
            goods=SPRING_GOODS,
        ),
        done=False,
    )
    day = date(2026, 2, 13)
    visiting.record(
        unreceipted.person,
        _at(day, 15),
        _winter_visit(unreceipted.person, 1, day, True),
        done=True,
    )


def _reversed_and_recorded_anew(visiting: _Visiting, visit: Visit) -> None:
    """The city found on the books that a locked visit's cash came from the moral fund, not
    the city budget: reversed with the reason and recorded anew, pointing at it."""
    at = _at(date(2026, 3, 9), 10)
    visits.reverse_visit(
        visiting.office,
        visit.id,
        "核对签收单发现：该笔慰问金实际由道德基金列支，误记为市财政资金，冲销后按实际资金来源"
        "重新登记。",
        now=at,
    )
    person = visit.person
    anew = visiting.record(
        person,
        at + timedelta(minutes=20),
        visits.VisitDetails(
            visit_on=visit.visit_on,
            place=visit.place,
            visitors=visit.visitors,
            cash_fen=visit.cash_fen,
            fund_source=FundSource.moral_fund,
            goods=tuple(visits.GoodLine(g.item, g.quantity, g.value_fen) for g in visit.goods),
        ),
        done=True,
        corrects_id=visit.id,
    )
    anew = visiting.receipt(anew, at + timedelta(minutes=30), scanned=True)
    visiting.verify(anew, at + timedelta(days=1))


def _old_members(limit: int) -> list[Person]:
    """The oldest people of 海港区 in the register: the old party members and veterans the
    districts put on the autumn list."""
    return list(
        db.session.scalars(
            select(Person)
            .join(District, District.id == Person.district_id)
            .where(
                District.code == "haigang",
                Person.status == PersonStatus.active,
                Person.merged_into_id.is_(None),
                Person.birth_date <= date(1950, 12, 31),
            )
            .order_by(Person.birth_date, Person.id)
            .limit(limit)
        )
    )


def _workbook(people: list[Person]) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.append(["序号", "姓名", "身份证号", "类别"])
    for n, person in enumerate(people, start=1):
        book.active.append([n, person.name, person.id_number, "老党员" if n <= 3 else "退役军人"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


# The autumn's days: 七一, 八一 and the Double Ninth (重阳, 18 October 2026).
AUTUMN_DAYS = [
    (date(2026, 6, 29), "七一走访老党员", 50_000, (visits.GoodLine("党史读物", 1, 5_000),)),
    (date(2026, 7, 31), "八一慰问退役军人", 80_000, (visits.GoodLine("米面油", 1, 20_000),)),
    (date(2026, 10, 16), "重阳节慰问老兵", 60_000, (visits.GoodLine("牛奶", 2, 6_000),)),
]


def _autumn(office: User, clerks: list[User]) -> None:
    """This autumn's visits from an uploaded list: three days of visits, the first two
    verified, and two visits still planned after the Double Ninth."""
    created = _at(date(2026, 6, 18), 10)
    care = campaigns.create_care_campaign(
        office,
        campaigns.CampaignDetails(
            campaign_id=_season(office, 2026, Season.autumn_harvest).id,
            kind=CareKind.visits,
            name=AUTUMN,
            rule=ListRule.upload,
            plan="七一前走访老党员，八一、重阳节走访独居的退役军人和抗战老兵，送去米面油等生活"
            "物资和帮扶资金；名单由各县区文明办报送，按身份证号导入。",
        ),
        now=created,
    )
    _set_budgets(
        office,
        care,
        [
            (FundSource.city_budget, 8_000, "七一、八一、重阳走访慰问经费（市财政）"),
            (FundSource.enterprises, 3_000, "秦皇岛爱心企业联盟资助"),
        ],
        created,
    )
    people = _old_members(10)
    campaigns.upload_list(office, care.id, _workbook(people), now=created + timedelta(minutes=5))
    visiting = _Visiting(office, clerks, care)
    for n, person in enumerate(people[:8]):
        day, words, cash, goods = AUTUMN_DAYS[min(n // 3, 2)]
        at = _at(day, 9 + n % 6)
        visit = visiting.record(
            person,
            at,
            visits.VisitDetails(
                visit_on=day,
                place=VisitPlace.home,
                visitors="海港区文明办、社区志愿服务队",
                cash_fen=cash,
                fund_source=FundSource.enterprises if n % 4 == 3 else FundSource.city_budget,
                needs="帮助打扫卫生、测量血压。" if n % 2 == 0 else "",
                goods=goods,
            ),
            done=True,
        )
        if n % 3 == 0:
            visiting.photo(visit, at + timedelta(hours=2), words)
        if n < 6:
            visit = visiting.receipt(visit, at + timedelta(hours=2))
            visiting.verify(visit, at + timedelta(days=3))
    for person in people[8:]:
        visiting.record(
            person,
            _at(date(2026, 10, 19), 9),
            visits.VisitDetails(
                visit_on=date(2026, 10, 28),
                place=VisitPlace.home,
                visitors="海港区文明办",
                cash_fen=60_000,
                fund_source=FundSource.city_budget,
                needs="重阳节期间外出，节后补访。",
            ),
            done=False,
        )


def _past_totals(office: User) -> None:
    recorded = set(db.session.execute(select(PastCareTotal.year, PastCareTotal.fund_source)))
    for year, source, yuan, persons, note in PAST_TOTALS:
        if (year, source) not in recorded:
            record_past_total(
                office,
                year=year,
                fund_source=source,
                cash_fen=yuan * 100,
                persons=persons,
                note=note,
                now=_at(date(2026, 1, 5), 9),
            )


def _exists(name: str) -> bool:
    return db.session.scalar(select(CareCampaign.id).where(CareCampaign.name == name)) is not None


def load() -> list[tuple[str, str, str]]:
    """Record the past totals and make both campaigns with their visits unless they are there;
    no accounts of its own (the office and the clerks are the regions demo's)."""
    office = find_user_by_phone(OFFICE[0])
    clerks = [find_user_by_phone(phone) for phone, *_ in CLERKS]
    _past_totals(office)
    if not _exists(WINTER):
        _winter(office, clerks)
    if not _exists(AUTUMN):
        _autumn(office, clerks)
    return []
