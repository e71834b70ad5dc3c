"""Demo flowers of Lei Feng day (学雷锋日送鲜花) of 2026: the spring flowers campaign made from
the spring seasonal campaign, its list by the honour-level rule (the city's good people and
above), a courier company with a staff account, a delivery task for everyone on the list and
some in every state (planned to the courier, planned to the 未淑云 team's shift on 5 March,
delivered with a photo by the courier and by the team's leader, not delivered as nobody was
home and planned again, declined), and the public's recommendations of February, one waiting,
one accepted and one not. Everything happens at fixed moments of February and March 2026,
through the services. Photos are flowers drawn as coloured circles, never anyone. Loaded once:
a second load finds the campaign by its name and adds nothing.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from care.flower_models import FailReason, FlowerDelivery
from care.models import CareCampaign, CareKind, CareTarget, ListRule
from care.services import campaigns, flowers, recommendations
from core.auth.models import Role, User
from core.auth.services import find_user_by_phone
from core.clock import local_moment
from core.demo import OFFICE, ensure_account
from core.districts import District
from core.extensions import db
from core.regions import Region
from core.regions_demo import CLERKS
from core.settings import current_settings
from core.uploads.services import store_upload
from events import services as events
from events.models import Activity, Campaign, Season, ServiceCategory, Shift
from honours.card_models import Partner, PartnerKind
from honours.demo_nominations import LIKERS
from honours.models import HonourLevel, Person
from honours.services import partners
from honours.services.partners import PartnerDetails
from honours.services.scope import scope_of
from volunteer.models import Team

SEED = 20260305
YEAR = 2026
NAME = "2026年学雷锋纪念日为道德模范和身边好人送鲜花"
PLAN = (
    "3月5日学雷锋纪念日前后，为全市市级以上道德模范和身边好人送上一束鲜花和一张贺卡；"
    "由爱心配送企业和志愿服务队上门送达，送达时拍照留存，未送达的说明原因后重新安排。"
    "2月份面向社会征集“身边的雷锋”，经社区核实后一并送花。"
)
# The courier company (name, district, address, contact, phone) and its staff account.
COURIER = ("秦皇岛市鲜到家同城配送有限公司", "haigang", "海港区迎宾路 88 号", "调度 冯经理")
COURIER_PHONE = "03353118866"
STAFF = ("13400000021", "配送员 陈师傅")
STAFF_PHONES = (STAFF[0],)
# The team whose shift on Lei Feng day delivers flowers too (volunteer.demo's).
TEAM = "未淑云道德模范志愿服务队"
FLOWER_DAY = date(YEAR, 3, 5)
# Recommendations of February (volunteers whose phones are verified): the recommender, the
# recommended person's name (None: someone of the register of that community), what they do.
RECOMMENDATIONS = [
    (LIKERS[0], None, "每天清晨义务打扫小区楼道和健身广场，十多年从没间断，邻居们都叫她楼道雷锋。"),
    (LIKERS[1], "周桂兰", "退休后开了爱心缝补站，免费为老人和环卫工人缝补衣物，一干就是八年。"),
    (LIKERS[2], "吴建国", "修车师傅，给上学的孩子和老人修车从不收钱，还常帮独居老人买菜送上楼。"),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_moment(day, time(hour, minute))


def _created() -> datetime:
    return _at(date(YEAR, 2, 2), 10)


def flowers_photo(rng: random.Random) -> io.BytesIO:
    """A photo of flowers handed over: a bunch of coloured circles on green stems, in a pale
    room; never of anyone."""
    image = Image.new("RGB", (480, 640), (238, 232, 224))
    draw = ImageDraw.Draw(image)
    for _ in range(7):
        x, y = rng.randrange(150, 330), rng.randrange(140, 300)
        draw.line([(x, y), (240, 560)], fill=(58, 120, 60), width=6)
    palette = ((214, 40, 70), (244, 162, 97), (233, 196, 106), (231, 111, 150), (255, 255, 255))
    for _ in range(9):
        x, y = rng.randrange(130, 350), rng.randrange(120, 320)
        size = rng.randrange(34, 60)
        colour = palette[rng.randrange(len(palette))]
        for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            petal = (x + dx * size // 2, y + dy * size // 2)
            draw.ellipse(
                (
                    petal[0] - size // 2,
                    petal[1] - size // 2,
                    petal[0] + size // 2,
                    petal[1] + size // 2,
                ),
                fill=colour,
            )
        draw.ellipse(
            (x - size // 4, y - size // 4, x + size // 4, y + size // 4), fill=(250, 210, 60)
        )
    draw.polygon([(170, 420), (310, 420), (270, 600), (210, 600)], fill=(190, 30, 45))
    data = io.BytesIO()
    image.save(data, format="JPEG")
    data.seek(0)
    return data


def _spring(office: User) -> Campaign:
    """2026's spring seasonal campaign, made from the city's standard one if the events demo
    has none."""
    found = db.session.scalar(
        select(Campaign)
        .where(Campaign.year == YEAR, Campaign.season == Season.spring)
        .order_by(Campaign.id)
        .limit(1)
    )
    if found is not None:
        return found
    spec = next(s for s in events.standard_campaigns(YEAR) if s["season"] is Season.spring)
    return events.create_campaign(office, year=YEAR, **spec)


def _shift(spring: Campaign) -> tuple[Shift, User]:
    """The team's flower-delivery shift on Lei Feng day and its leader: the events demo's, or
    one planned by the leader in February if the events demo made none that year."""
    team = db.session.scalar(select(Team).where(Team.name == TEAM))
    found = db.session.scalar(
        select(Shift)
        .join(Activity)
        .where(
            Activity.campaign_id == spring.id,
            Activity.team_id == team.id,
            Activity.category == ServiceCategory.flower_delivery,
        )
        .order_by(Shift.starts_at, Shift.id)
        .limit(1)
    )
    if found is not None:
        return found, team.founder
    planned_at = _created()
    activity = events.create_activity(
        team.founder,
        team_id=team.id,
        campaign_id=spring.id,
        title="学雷锋纪念日为道德模范献花",
        category=ServiceCategory.flower_delivery,
        place=events.Place("海港区文明实践中心"),
        description="学雷锋纪念日上门为道德模范和身边好人送鲜花。",
        now=planned_at,
    )
    shift = events.add_shift(
        team.founder,
        activity.id,
        starts_at=_at(FLOWER_DAY, 9),
        ends_at=_at(FLOWER_DAY, 11, 30),
        capacity=8,
        allows_walk_ins=False,
        now=planned_at,
    )
    return shift, team.founder


def _courier(office: User) -> tuple[Partner, User]:
    name, district, address, contact = COURIER
    district_id = db.session.scalar(select(District.id).where(District.code == district))
    partner = partners.register_partner(
        office,
        PartnerDetails(
            name=name,
            kind=PartnerKind.courier,
            district_id=district_id,
            address=address,
            contact_name=contact,
            contact_phone=COURIER_PHONE,
        ),
        now=_created(),
    )
    partners.approve_partner(office, partner.id, now=_created())
    staff = find_user_by_phone(STAFF[0]) or ensure_account(STAFF[0], STAFF[1], Role.volunteer)
    partners.add_partner_staff(office, partner.id, phone=staff.phone, now=_created())
    return partner, staff


def _screener(office: User, region_id: int, at: datetime) -> User:
    """The first demo clerk acting for the region at `at`, else the office (the clerks hold
    their roles only since a season before the demo was loaded)."""
    clerks = [find_user_by_phone(phone) for phone, *_ in CLERKS]
    return next((c for c in clerks if c and scope_of(c, at).acts_in(region_id)), office)


def _recommendations(office: User, care: CareCampaign) -> None:
    """The public's three recommendations of February: one waiting, one accepted naming the
    person of the register (who goes on the list), one not accepted."""
    community = db.session.scalar(select(Region).where(Region.code == CLERKS[0][3]))
    listed = select(CareTarget.person_id).where(CareTarget.care_campaign_id == care.id)
    known = db.session.scalar(
        select(Person)
        .where(
            Person.region_id == community.id,
            Person.merged_into_id.is_(None),
            Person.id.not_in(listed),
        )
        .order_by(Person.id)
        .limit(1)
    )
    made = []
    for n, (phone, name, deeds) in enumerate(RECOMMENDATIONS):
        person_name = name or (known.name if known is not None else "刘玉芬")
        made.append(
            recommendations.recommend(
                find_user_by_phone(phone),
                name=person_name,
                region_id=community.id,
                deeds=deeds,
                now=_at(date(YEAR, 2, 9 + 5 * n), 20, 15),
            )
        )
    screened_at = _at(date(YEAR, 2, 24), 10)
    clerk = _screener(office, community.id, screened_at)
    if known is not None:
        recommendations.accept_recommendation(
            clerk, made[0].id, known.id, note="经社区核实，事迹属实。", now=screened_at
        )
    recommendations.decline_recommendation(
        clerk,
        made[1].id,
        note="经社区走访核实，本人已搬离本社区，请向现居住地社区推荐。",
        now=screened_at + timedelta(minutes=20),
    )


def _deliveries(office: User, care: CareCampaign, courier: Partner, staff: User, spring) -> None:
    """A task for everyone on the list; some planned to the courier, two to the team's shift;
    delivered, not delivered and planned again, declined."""
    flowers.make_deliveries(office, care.id, now=_at(date(YEAR, 2, 26), 9))
    tasks = list(
        db.session.scalars(
            select(FlowerDelivery)
            .where(FlowerDelivery.care_campaign_id == care.id)
            .order_by(FlowerDelivery.id)
        )
    )
    shift, leader = _shift(spring)
    planned = _at(date(YEAR, 3, 2), 15)
    rng = random.Random(SEED)
    settings = current_settings().uploads

    def plan(task, at, day=FLOWER_DAY, **deliverer):
        flowers.plan_delivery(office, task.id, deliver_on=day, now=at, **deliverer)

    def deliver(task, who: User, at: datetime) -> None:
        photo = store_upload(
            who,
            kind=flowers.PHOTO_KIND,
            stream=flowers_photo(rng),
            filename="送鲜花.jpg",
            now=at,
            settings=settings,
        )
        flowers.record_delivered(who, task.id, photo, now=at)

    by_courier, by_shift = tasks[:4], tasks[4:6]
    for task in by_courier:
        plan(task, planned, courier_id=courier.id)
    for task in by_shift:
        plan(task, planned, shift_id=shift.id)
    if len(by_courier) > 1:
        deliver(by_courier[1], staff, _at(FLOWER_DAY, 9, 40))
    if len(by_courier) > 2:
        nobody_home = by_courier[2]
        flowers.record_failed(
            staff,
            nobody_home.id,
            FailReason.nobody_home,
            note="电话未接通",
            now=_at(FLOWER_DAY, 10, 5),
        )
        plan(
            nobody_home,
            _at(FLOWER_DAY, 16),
            day=FLOWER_DAY + timedelta(days=1),
            courier_id=courier.id,
        )
    if len(by_courier) > 3:
        flowers.record_failed(
            staff,
            by_courier[3].id,
            FailReason.declined,
            note="老人说心意领了，请把鲜花送给更需要的人",
            now=_at(FLOWER_DAY, 10, 40),
        )
    if len(by_shift) > 1:
        deliver(by_shift[1], leader, _at(FLOWER_DAY, 10, 20))


def load() -> list[tuple[str, str, str]]:
    """Make the 2026 flowers campaign with its tasks and recommendations unless it is there;
    return the courier's staff account as (role, phone, name)."""
    accounts = [("partner_staff", *STAFF)]
    if db.session.scalar(select(CareCampaign.id).where(CareCampaign.name == NAME)) is not None:
        return accounts
    office = find_user_by_phone(OFFICE[0])
    spring = _spring(office)
    care = campaigns.create_care_campaign(
        office,
        campaigns.CampaignDetails(
            campaign_id=spring.id,
            kind=CareKind.flowers,
            name=NAME,
            rule=ListRule.honour_level,
            min_level=HonourLevel.city,
            plan=PLAN,
        ),
        now=_created(),
    )
    campaigns.make_list(office, care.id, now=_created() + timedelta(minutes=5))
    courier, staff = _courier(office)
    _recommendations(office, care)
    _deliveries(office, care, courier, staff, spring)
    return accounts
