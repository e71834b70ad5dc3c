"""Demo data of the register (好人库) at the scale of the city's account: 7 national, 38
provincial and 236 city moral models, 45 中国好人, 152 河北好人, 292 新时代好少年, 812
outstanding volunteers and 106 honours of 104 outstanding volunteer teams, with 秦皇岛好人 and
district good people beside them, so that the public figures show the article's numbers.

Everyone here is made up: names drawn from common surnames and given-name characters by a
seeded generator, valid-looking ID numbers of the districts' area codes, phones that belong
to no one we know, initials drawn as avatars (never a real person's photo). A few have public
stories, a few withdrew their consent (hidden from the roll), one died, the youths under 18
have a guardian. Written in a few batched INSERTs so that `make demo` stays quick; loaded
once (a second load finds the first person and adds nothing). This month's 秦皇岛好人 round
(评选批次) is open, with two places for each district.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, insert, select

from core.auth.services import find_user_by_phone
from core.clock import local_day, local_moment, utcnow
from core.demo import OFFICE
from core.districts import list_districts
from core.extensions import db
from core.regions import Region, RegionLevel
from core.settings import current_settings
from core.uploads.services import store_upload
from honours.models import (
    Gender,
    Honour,
    HonourCategory,
    HonourRevision,
    HonourSource,
    HonourType,
    Person,
    PersonRevision,
    PersonStatus,
    RevisionAction,
    Round,
    RoundKind,
)
from honours.services import rounds
from honours.services.honours import HONOUR_FIELDS
from honours.services.publication import PHOTO_KIND, sync_roll_photos
from honours.services.records import FIELDS, stored
from honours.services.types import ensure_honour_types, find_honour_type_by_code
from volunteer.demo import TEAMS
from volunteer.models import Team, TeamStatus

SEED = 3444
FONT = (
    Path(__file__).resolve().parent.parent / "static/vendor/noto-sans-sc/NotoSansSC_400Regular.ttf"
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
GIVEN = (
    "建国志强秀兰桂英玉珍淑华海燕丽娟文明德厚春生秋菊冬梅立新红霞永刚晓东丽萍国庆振华"
    "爱民爱军学勤思远明辉金凤淑琴宝山宝林长顺长青俊杰子涵梓萱浩然一诺欣怡雨桐宇轩佳怡"
)
# Real people of the city's account: the demo never names one of them.
NOT_GENERATED = {"王文彬", "未淑云", "龙浩然", "沈汝波"}

# Where people live, by district code: weight, and the ID number's area code (行政区划代码).
DISTRICTS = {
    "haigang": (30, "130302"),
    "shanhaiguan": (8, "130303"),
    "beidaihe": (8, "130304"),
    "funing": (12, "130306"),
    "changli": (18, "130322"),
    "lulong": (10, "130324"),
    "qinglong": (10, "130321"),
    "beidaihe_new": (4, "130304"),
}
STREETS = ("文化路", "海阳路", "建设大街", "迎宾路", "民族路", "河东街", "红旗路", "燕山大街")

# Honour types: their award days (month, day) and the years they were given in.
EVERY_YEAR = tuple(range(2016, 2026))
TYPE_DAYS = {
    "moral_model_national": ((11, 5), (2017, 2019, 2021, 2023)),
    "moral_model_hebei": ((9, 20), (2017, 2019, 2021, 2023, 2025)),
    "moral_model_city": ((9, 20), (2016, 2018, 2020, 2022, 2024)),
    "good_person_china": (None, EVERY_YEAR),
    "good_person_hebei": (None, EVERY_YEAR),
    "good_person_city": (None, EVERY_YEAR),
    "good_person_county": (None, EVERY_YEAR),
    "youth_new_era": ((6, 1), EVERY_YEAR),
    "outstanding_volunteer": ((12, 5), EVERY_YEAR),
    "outstanding_team": ((12, 5), EVERY_YEAR),
}
# Decision documents (决定文号) of the bodies that award each type.
ISSUERS = {
    "moral_model_national": "中央文明委〔{year}〕{n}号",
    "moral_model_hebei": "冀文明委〔{year}〕{n}号",
    "moral_model_city": "秦文明委〔{year}〕{n}号",
    "good_person_hebei": "冀文明办〔{year}〕{n}号",
    "good_person_city": "秦文明办〔{year}〕{n}号",
    "good_person_county": "县区文明办〔{year}〕{n}号",
    "youth_new_era": "秦文明办〔{year}〕{n}号",
    "outstanding_volunteer": "秦文明委〔{year}〕{n}号",
    "outstanding_team": "秦文明委〔{year}〕{n}号",
}
CERTIFICATES = {
    "moral_model_national": "全国道德模范",
    "moral_model_hebei": "冀道德模范证",
    "moral_model_city": "秦道德模范证",
    "good_person_hebei": "冀好人证",
    "good_person_city": "秦好人证",
    "good_person_county": "县区好人证",
    "youth_new_era": "秦好少年证",
    "outstanding_volunteer": "秦优志证",
    "outstanding_team": "秦优团证",
}
# Recorded from the external listing with its link rather than from a decision of ours.
EXTERNAL = {"good_person_china": ("中国好人榜", "https://www.wenming.cn/sbhr_pd/")}

# The groups of persons: how many, and the honours each of them holds. Together they give
# the city's figures: national moral models 7; provincial 7 + 31 = 38; city 7 + 31 + 38 + 160
# = 236; 中国好人 7 + 38 = 45; 河北好人 7 + 31 + 38 + 76 = 152.
GROUPS = [
    (7, ("moral_model_national", "moral_model_hebei", "moral_model_city", "good_person_china",
         "good_person_hebei")),
    (31, ("moral_model_hebei", "moral_model_city", "good_person_hebei")),
    (38, ("good_person_china", "good_person_hebei", "moral_model_city")),
    (76, ("moral_model_city", "good_person_hebei")),
    (84, ("moral_model_city",)),
    (96, ("good_person_city",)),
    (64, ("good_person_county",)),
    (292, ("youth_new_era",)),
    (812, ("outstanding_volunteer",)),
]  # fmt: skip
# Teams honoured beside the demo's own three (one of them twice more).
NEW_TEAMS = 101
TEAM_WORDS = ("", "红星", "春晖", "夕阳红", "向日葵", "晨光", "微光", "暖心")
TEAM_KINDS = ("志愿服务队", "爱心服务队", "学雷锋志愿服务队", "文明实践志愿服务队", "志愿者协会")
TEAM_PLACES = (
    "港城", "海滨", "长城", "燕山", "碣石", "老龙头", "鸽子窝", "祖山", "桃林", "枫林", "滦河",
    "洋河", "石河", "汤河", "联峰", "金梦", "银滩", "渔岛", "团林", "双岭",
)  # fmt: skip

# Stories for a few people on the roll, after the kinds of deeds the city's account tells of.
STORIES = [
    (HonourCategory.helping_others, "二十多年来，他每逢清明和烈士纪念日都到烈士陵园清扫墓碑、"
     "讲述英烈事迹，义务守护着一百多座烈士墓。\n他说：“英雄不能被遗忘，我守着他们，也守着"
     "这份念想。”在他的带动下，附近学校的孩子们也常来陵园献花。"),
    (HonourCategory.helping_others, "她热心拥军四十余年，逢年过节为驻地官兵缝补衣物、送去饺子，"
     "还牵头组织志愿服务队走访慰问困难退役军人和军属。\n队员们说，跟着她做好事，心里踏实。"),
    (HonourCategory.bravery, "一天深夜，他在街头遇到持刀抢劫，挺身而出与歹徒搏斗，身中数刀仍"
     "死死拖住对方，直到民警赶到。\n伤愈后他回到工作岗位，说：“再遇到，我还会冲上去。”"),
    (HonourCategory.helping_others, "他给自己许下一个承诺：一生做十万件好事。四十年来，他义务"
     "修理家电、为老人理发、给贫困学生送去学习用品，一本本记录写满了善行。"),
    (HonourCategory.filial_piety, "丈夫因病瘫痪在床十六年，她一边打工一边照料，还把年迈的公婆"
     "接到身边赡养。\n邻居们说，这个家再难，她脸上总带着笑。"),
    (HonourCategory.honesty, "他在出租车后座发现乘客遗落的提包，里面有五万元现金和合同。他"
     "顾不上吃饭，辗转联系到失主，原封不动交还，谢绝了酬金。"),
    (HonourCategory.dedication, "她在山区村小任教三十年，一个人教过语文、数学和音乐，把一届届"
     "山里娃送出大山。\n学校缺教具，她就自己动手做；学生没钱吃午饭，她从工资里拿钱垫上。"),
    (HonourCategory.bravery, "夏日海边，两名儿童被海浪卷走，他来不及脱衣就跳入海中，接连救起"
     "两个孩子，自己却因体力透支被救生员拖上岸。"),
    (HonourCategory.helping_others, "退休后他组建了社区义剪队，十多年来每周为独居老人和残疾人"
     "上门理发，累计服务上万人次。"),
    (HonourCategory.dedication, "作为乡镇卫生院的医生，他三十年坚守在基层，风雨无阻为村里的"
     "慢性病老人送医送药，手机二十四小时开机。"),
    (HonourCategory.honesty, "企业遭遇困难时，他变卖家产也要按时发放工人工资、偿还供货商"
     "欠款，“诚信经营”四个字在当地传为佳话。"),
    (HonourCategory.filial_piety, "父亲患阿尔茨海默病后，她辞去城里的工作回到村里，一边照顾"
     "父亲一边种地，十年如一日。"),
]  # fmt: skip
# The story of the one who died, told by the family that agreed to it.
POSTHUMOUS = (
    HonourCategory.bravery,
    "他在滦河边听到呼救声，跳入湍急的河水救起落水少年，自己却被暗流卷走，献出了年仅四十二"
    "岁的生命。\n家人说，他一辈子都是这样，见不得别人有难。",
)


@dataclass
class Draft:
    """A made-up person before insertion, and the honours they are to hold."""

    name: str
    gender: Gender
    birth_date: date
    district_code: str
    region_id: int
    district_id: int
    honours: list[tuple[str, date, HonourCategory | None]] = field(default_factory=list)
    values: dict = field(default_factory=dict)


def id_number(area: str, birth: date, serial: int, gender: Gender) -> str:
    """A 身份证号 that passes the check digit, for made-up people (the serial keeps it
    unique; the 17th digit is odd for men)."""
    sequence = (serial % 500) * 2 + (1 if gender is Gender.male else 0)
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _names(rng: random.Random) -> Iterator[str]:
    """Made-up names, each once: a surname and one or two given-name characters."""
    seen = set(NOT_GENERATED)
    while True:
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in seen:
            seen.add(name)
            yield name


def _places() -> dict[str, list[tuple[int, int]]]:
    """By district code: (region id, district id) of the towns and communities under it,
    where the demo places people (the district itself where it has none)."""
    regions = list(db.session.scalars(select(Region)))
    by_id = {r.id: r for r in regions}

    def district_of(region: Region) -> Region:
        while region.level is not RegionLevel.district:
            region = by_id[region.parent_id]
        return region

    places: dict[str, list[tuple[int, int]]] = {}
    for region in regions:
        if region.level in (RegionLevel.town, RegionLevel.community):
            district = district_of(region)
            places.setdefault(district.code, []).append((region.id, district.district_id))
    for region in regions:
        if region.level is RegionLevel.district and region.code not in places:
            places[region.code] = [(region.id, region.district_id)]
    return places


def _award_day(rng: random.Random, code: str, earliest: date, today: date) -> date:
    day, years = TYPE_DAYS[code]
    eligible = [y for y in years if date(y, 12, 31) >= earliest] or [years[-1]]
    year = rng.choice(eligible)
    # A listing published in any month, or a decision of a fixed day (e.g. 20 September).
    month_day = day or (rng.randint(1, 12), rng.randint(1, 28))
    chosen = date(year, *month_day)
    return min(max(chosen, earliest), today - timedelta(days=1))


def _drafts(rng: random.Random, today: date) -> list[Draft]:
    places = _places()
    codes = list(DISTRICTS)
    weights = [DISTRICTS[c][0] for c in codes]
    names = _names(rng)
    drafts = []
    for count, honours in GROUPS:
        for _ in range(count):
            code = rng.choices(codes, weights)[0]
            region_id, district_id = rng.choice(places[code])
            gender = rng.choice((Gender.male, Gender.female))
            youth = honours == ("youth_new_era",)
            if youth:
                award_year = rng.choice(EVERY_YEAR)
                birth = date(
                    award_year - rng.randint(9, 15), rng.randint(1, 12), rng.randint(1, 28)
                )
            else:
                birth = date(rng.randint(1940, 1995), rng.randint(1, 12), rng.randint(1, 28))
            draft = Draft(next(names), gender, birth, code, region_id, district_id)
            earliest = birth.replace(year=birth.year + 9)
            # A person is honoured for one kind of deed, whatever the level.
            deed = rng.choice(list(HonourCategory))
            for type_code in honours:
                if youth:
                    day = date(award_year, 6, 1)
                else:
                    day = _award_day(rng, type_code, earliest, today)
                category = None if type_code == "outstanding_volunteer" else deed
                draft.honours.append((type_code, day, category))
            drafts.append(draft)
    return drafts


def _person_rows(drafts: list[Draft], rng: random.Random, office_id: int, now: datetime):
    today = local_day(now)
    rows = []
    for serial, draft in enumerate(drafts):
        area = DISTRICTS[draft.district_code][1]
        minor = (
            today.year
            - draft.birth_date.year
            - ((today.month, today.day) < (draft.birth_date.month, draft.birth_date.day))
            < 18
        )
        # About one in forty asked not to be shown on the roll (their honours still count).
        consents = rng.random() >= 0.025
        row = {
            "name": draft.name,
            "gender": draft.gender,
            "birth_date": draft.birth_date,
            "id_number": id_number(area, draft.birth_date, serial, draft.gender),
            "phone": None if minor else f"1573035{serial:04d}",
            "region_id": draft.region_id,
            "district_id": draft.district_id,
            "address": f"{rng.choice(STREETS)}{rng.randint(1, 199)}号{rng.randint(1, 6)}单元"
            f"{rng.randint(1, 6)}0{rng.randint(1, 4)}",
            "status": PersonStatus.active,
            "died_on": None,
            "guardian_name": None,
            "guardian_relation": None,
            "guardian_phone": None,
            "hardship_notes": None,
            "story": None,
            "photo_upload_id": None,
            "user_id": None,
            "has_publication_consent": consents,
            "consent_recorded_at": now,
            "consent_recorded_by_id": office_id,
            "merged_into_id": None,
            "merged_at": None,
            "created_at": now,
            "created_by_id": office_id,
            "updated_at": now,
        }
        if minor:
            row.update(
                guardian_name=draft.name[0] + rng.choice(("建国", "志强", "海燕", "丽娟")),
                guardian_relation=rng.choice(("父亲", "母亲")),
                guardian_phone=f"1573036{serial:04d}",
            )
        if rng.random() < 0.03 and not minor:
            row["hardship_notes"] = rng.choice(
                (
                    "独居，腿脚不便，需定期走访。",
                    "家中有重病患者，收入微薄。",
                    "年迈体弱，子女在外地。",
                )
            )
        draft.values = row
        rows.append(row)
    return rows


def _tell_stories(drafts: list[Draft]) -> list[Draft]:
    """Give the first consenting people of the top groups a story (and the one who died, his),
    with the category of the story on their honours; return those to draw avatars for."""
    storied = []
    candidates = [d for d in drafts if d.values["has_publication_consent"]]
    for draft, (category, story) in zip(candidates, STORIES, strict=False):
        draft.values["story"] = story
        draft.honours = [(code, day, category) for code, day, _ in draft.honours]
        storied.append(draft)
    # A 中国好人 of the third group died saving a boy; his family agreed to his story.
    fallen = next(d for d in drafts[38:76] if d.values["has_publication_consent"])
    category, story = POSTHUMOUS
    last_award = max(day for _, day, _ in fallen.honours)
    fallen.values.update(
        status=PersonStatus.deceased,
        died_on=last_award - timedelta(days=40),
        story=story,
        phone=None,
    )
    fallen.honours = [(code, day, category) for code, day, _ in fallen.honours]
    storied.append(fallen)
    # The first youth with a guardian gets a story too.
    youth = next(
        d for d in drafts if d.values["guardian_name"] and d.values["has_publication_consent"]
    )
    youth.values["story"] = (
        "她每天放学后到社区养老驿站陪老人读报、聊天，还带动同学们成立了“小小志愿者”小组，"
        "坚持了三年。"
    )
    storied.append(youth)
    return storied


@cache
def _font(size: int):
    return ImageFont.truetype(str(FONT), size)


COLOURS = ((164, 22, 26), (31, 95, 139), (138, 66, 0), (61, 90, 64), (96, 54, 130))


def avatar(name: str, serial: int) -> io.BytesIO:
    """A 160 px avatar: the surname in white on a coloured disc. Never a photo of anyone."""
    size = 160
    image = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=COLOURS[serial % len(COLOURS)])
    draw.text((size / 2, size / 2), name[0], font=_font(84), fill=(255, 255, 255), anchor="mm")
    data = io.BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    return data


def _insert_persons(rows: list[dict]) -> list[int]:
    """Insert the persons and return their ids in the rows' order. Without RETURNING, which
    costs SQLite a statement per few rows: the ids are read back by the ID numbers."""
    db.session.execute(insert(Person), rows)
    numbers = [row["id_number"] for row in rows]
    ids = dict(
        db.session.execute(
            select(Person.id_number, Person.id).where(Person.id_number.in_(numbers))
        ).all()
    )
    return [ids[number] for number in numbers]


def _teams(office_id: int, rng: random.Random, now: datetime) -> list[tuple[int, int]]:
    """(team id, district id) of the teams honoured: the demo's approved three and the new
    ones made here, approved by the office."""
    districts = dict(
        db.session.execute(
            select(Region.code, Region.district_id).where(Region.level == RegionLevel.district)
        ).all()
    )
    names = [name for name, *_ in TEAMS]
    existing = db.session.execute(
        select(Team.id, Team.district_id)
        .where(Team.name.in_(names), Team.status == TeamStatus.approved)
        .order_by(Team.id)
    ).all()
    rows, taken = [], set(db.session.scalars(select(Team.name)))
    codes = list(DISTRICTS)
    while len(rows) < NEW_TEAMS:
        code = rng.choices(codes, [DISTRICTS[c][0] for c in codes])[0]
        name = rng.choice(TEAM_PLACES) + rng.choice(TEAM_WORDS) + rng.choice(TEAM_KINDS)
        if name in taken:
            continue
        taken.add(name)
        rows.append(
            {
                "name": name,
                "district_id": districts[code],
                "categories": [],
                "description": "常年开展关爱老人、环境清洁、文明劝导等志愿服务。",
                "status": TeamStatus.approved,
                "founder_id": office_id,
                "decided_by_id": office_id,
                "created_at": now,
                "decided_at": now,
            }
        )
    db.session.execute(insert(Team), rows)
    made = db.session.execute(
        select(Team.id, Team.district_id).where(Team.name.in_([row["name"] for row in rows]))
    ).all()
    return [tuple(t) for t in existing] + sorted(tuple(t) for t in made)


def _honour_row(type_code, types, day, category, office_id, now, numbers) -> dict:
    numbers[(type_code, day.year)] = numbers.get((type_code, day.year), 0) + 1
    n = numbers[(type_code, day.year)]
    row = {
        "honour_type_id": types[type_code],
        "category": category,
        "awarded_on": day,
        "round_id": None,
        "revoked_at": None,
        "created_at": now,
        "created_by_id": office_id,
        "certificate_number": None,
        "decision_number": None,
        "source_name": None,
        "source_url": None,
    }
    if type_code in EXTERNAL:
        name, url = EXTERNAL[type_code]
        row.update(
            source=HonourSource.external,
            source_name=f"{name}（{day.year}年{day.month}月）",
            source_url=f"{url}hr{day.year}/",
        )
    else:
        row.update(
            source=HonourSource.archive,
            decision_number=ISSUERS[type_code].format(year=day.year, n=day.month + 2),
            certificate_number=f"{CERTIFICATES[type_code]}〔{day.year}〕第{n:04d}号",
        )
    return row


def monthly_round(office, now: datetime) -> Round:
    """The 秦皇岛好人 round of the month of `now`, open, with a quota for each district (two
    each): made once a month, prepared and opened by the office the day before the month
    begins."""
    today = local_day(now)
    name = f"{today.year}年{today.month}月“秦皇岛好人”月评"
    held = db.session.scalar(select(Round).where(Round.name == name))
    if held is not None:
        return held
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    prepared = local_moment(first - timedelta(days=1), time(10))
    held = rounds.create_round(
        office,
        {
            "name": name,
            "kind": RoundKind.monthly,
            "honour_type_id": find_honour_type_by_code("good_person_city").id,
            "opens_on": first,
            "closes_on": min(first.replace(day=20), last),
        },
        now=prepared,
    )
    rounds.set_quotas(office, held.id, {d.id: 2 for d in list_districts()}, now=prepared)
    return rounds.open_round(office, held.id, now=prepared)


def load() -> list[tuple[str, str, str]]:
    """Create the demo register unless it is there; it signs in with no account of its own."""
    now = utcnow()
    rng = random.Random(SEED)
    ensure_honour_types()
    drafts = _drafts(rng, local_day(now))
    office = find_user_by_phone(OFFICE[0])
    monthly_round(office, now)
    rows = _person_rows(drafts, rng, office.id, now)
    first = rows[0]["id_number"]
    if db.session.scalar(select(Person.id).where(Person.id_number == first)) is not None:
        return []
    storied = _tell_stories(drafts)

    settings = current_settings().uploads
    # Avatars for those with a story and the national moral models: a drawing costs time.
    for serial, draft in enumerate(storied + [d for d in drafts[:7] if d not in storied]):
        upload = store_upload(
            office,
            kind=PHOTO_KIND,
            stream=avatar(draft.name, serial),
            filename="avatar.png",
            now=now,
            settings=settings,
        )
        draft.values["photo_upload_id"] = upload.id

    person_ids = _insert_persons(rows)
    types = dict(db.session.execute(select(HonourType.code, HonourType.id)).all())
    numbers: dict = {}
    honour_rows = []
    for person_id, draft in zip(person_ids, drafts, strict=True):
        for type_code, day, category in draft.honours:
            honour_rows.append(
                {
                    "person_id": person_id,
                    "team_id": None,
                    **_honour_row(type_code, types, day, category, office.id, now, numbers),
                }
            )
    teams = _teams(office.id, rng, now)
    for serial, (team_id, _district) in enumerate(teams):
        years = (2019, 2022, 2025) if serial == 0 else (rng.choice(EVERY_YEAR),)
        for year in years:
            honour_rows.append(
                {
                    "person_id": None,
                    "team_id": team_id,
                    **_honour_row(
                        "outstanding_team", types, date(year, 12, 5), None, office.id, now, numbers
                    ),
                }
            )
    honour_ids = _insert_honours(honour_rows)
    _history(person_ids, rows, honour_ids, honour_rows, office.id, now)
    sync_roll_photos()
    return []


def _insert_honours(rows: list[dict]) -> list[int]:
    """Insert the honours and return their ids in the rows' order, read back by holder,
    type and day (the register holds no honour twice on one day)."""
    before = db.session.scalar(select(func.max(Honour.id))) or 0
    db.session.execute(insert(Honour), rows)
    found = db.session.execute(
        select(
            Honour.person_id, Honour.team_id, Honour.honour_type_id, Honour.awarded_on, Honour.id
        ).where(Honour.id > before)
    ).all()
    ids = {tuple(row[:4]): row[4] for row in found}
    return [
        ids[(row["person_id"], row["team_id"], row["honour_type_id"], row["awarded_on"])]
        for row in rows
    ]


def _history(person_ids, rows, honour_ids, honour_rows, office_id, now) -> None:
    """The revisions the register keeps of what it was given: each person and honour
    entered, and each consent recorded (given, or given and withdrawn)."""
    person_revisions = []
    for person_id, row in zip(person_ids, rows, strict=True):
        person_revisions.append(
            {
                "person_id": person_id,
                "action": RevisionAction.created,
                "changes": {
                    key: [None, stored(row.get(key))] for key in FIELDS if row.get(key) is not None
                },
                "reason": None,
                "actor_id": office_id,
                "created_at": now,
            }
        )
        person_revisions.append(
            {
                "person_id": person_id,
                "action": RevisionAction.consent,
                "changes": {"has_publication_consent": [False, True]},
                "reason": None,
                "actor_id": office_id,
                "created_at": now,
            }
        )
        if not row["has_publication_consent"]:
            person_revisions.append(
                {
                    "person_id": person_id,
                    "action": RevisionAction.consent,
                    "changes": {"has_publication_consent": [True, False]},
                    "reason": None,
                    "actor_id": office_id,
                    "created_at": now + timedelta(seconds=1),
                }
            )
    db.session.execute(insert(PersonRevision), person_revisions)
    db.session.execute(
        insert(HonourRevision),
        [
            {
                "honour_id": honour_id,
                "action": RevisionAction.created,
                "changes": {
                    key: [None, stored(row[key])] for key in HONOUR_FIELDS if row[key] is not None
                },
                "reason": None,
                "actor_id": office_id,
                "created_at": now,
            }
            for honour_id, row in zip(honour_ids, honour_rows, strict=True)
        ],
    )
    db.session.flush()
