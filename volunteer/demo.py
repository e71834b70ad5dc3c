"""Demo data of volunteers: registered volunteers with profiles, and the teams named in the
city's reports with their leaders and members."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.auth.services import find_user_by_phone
from core.clock import utcnow
from core.demo import DEMO_PASSWORD, OFFICE
from core.districts import District
from core.extensions import db
from volunteer import services
from volunteer.models import ServiceCategory, Skill, Team

VOLUNTEERS = [
    ("13900000001", "李志强", "haigang", [Skill.cleaning, Skill.appliance_repair]),
    ("13900000002", "张晓梅", "shanhaiguan", [Skill.tourist_guidance, Skill.foreign_language]),
    ("13900000003", "王海燕", "beidaihe", [Skill.elderly_care, Skill.first_aid]),
    ("13900000004", "刘建国", "changli", [Skill.farm_help, Skill.driving]),
    ("13900000005", "陈静", "funing", [Skill.haircut]),
    ("13900000006", "赵磊", "qinglong", [Skill.traffic_duty, Skill.photography]),
    ("13900000007", "孙丽", "haigang", [Skill.elderly_care]),
    ("13900000008", "周洋", "beidaihe", [Skill.tourist_guidance, Skill.traffic_duty]),
    ("13900000009", "吴桂芳", "changli", [Skill.farm_help, Skill.haircut]),
]

# Team, district, categories, description, leader (phone, name), member phones.
TEAMS = [
    (
        "未淑云道德模范志愿服务队",
        "haigang",
        [ServiceCategory.elderly_care, ServiceCategory.visits, ServiceCategory.flower_delivery],
        "以全国道德模范未淑云命名，常年关爱孤寡老人、走访慰问道德模范和身边好人。",
        ("13700000001", "未淑云"),
        ["13900000001", "13900000003", "13900000007"],
    ),
    (
        "爱先行志愿服务队",
        "beidaihe",
        [ServiceCategory.tourist_guidance, ServiceCategory.traffic_duty, ServiceCategory.cleaning],
        "旅游旺季在北戴河景区和繁忙路口开展文明引导、交通劝导和海滩清洁。",
        ("13700000002", "马先行"),
        ["13900000002", "13900000006", "13900000008"],
    ),
    (
        "“暖阳”志愿服务队",
        "changli",
        [ServiceCategory.farm_help, ServiceCategory.free_haircut, ServiceCategory.elderly_care],
        "扎根昌黎乡村，秋收助农、义务理发、陪伴留守老人。",
        ("13700000003", "韩暖阳"),
        ["13900000004", "13900000005", "13900000009"],
    ),
]

PENDING_TEAM = "青龙满乡义剪志愿服务队"


def founded_at(now: datetime) -> datetime:
    """When the demo teams were founded: early in the year, before the spring campaign."""
    return datetime(now.year, 1, 10, 2, 0, tzinfo=now.tzinfo)


def load() -> list[tuple[str, str, str]]:
    """Create the demo volunteers that are missing; return them as (role, phone, name)."""
    districts = {d.code: d.id for d in db.session.scalars(select(District))}
    accounts = []
    for phone, name, district_code, skills in VOLUNTEERS:
        user = find_user_by_phone(phone)
        if user is None:
            user = services.register_volunteer(
                phone=phone,
                password=DEMO_PASSWORD,
                display_name=name,
                district_id=districts[district_code],
            )
            services.update_profile(
                user,
                display_name=name,
                district_id=districts[district_code],
                skills=[skill.value for skill in skills],
                email=None,
            )
        accounts.append(("volunteer", phone, name))
    accounts.extend(_load_teams(districts))
    return accounts


def _load_teams(districts: dict[str, int]) -> list[tuple[str, str, str]]:
    office = find_user_by_phone(OFFICE[0])
    start = founded_at(utcnow())
    accounts = []
    for name, district, categories, description, (phone, leader_name), members in TEAMS:
        leader = find_user_by_phone(phone) or services.register_volunteer(
            phone=phone,
            password=DEMO_PASSWORD,
            display_name=leader_name,
            district_id=districts[district],
        )
        accounts.append(("leader", phone, f"{leader_name}（{name}）"))
        if db.session.scalar(select(Team.id).where(Team.name == name)):
            continue
        team = services.apply_for_team(
            leader,
            name=name,
            district_id=districts[district],
            categories=[c.value for c in categories],
            description=description,
            now=start,
        )
        services.decide_team(office, team.id, approve=True, reason=None, now=start)
        for offset, member_phone in enumerate(members, start=1):
            member = find_user_by_phone(member_phone)
            asked = start + timedelta(days=offset)
            membership = services.request_to_join(member, team.id, now=asked)
            services.decide_join_request(
                leader, membership.id, approve=True, reason=None, now=asked + timedelta(hours=3)
            )
    # One application waits for the office, so that its queue is not empty.
    if not db.session.scalar(select(Team.id).where(Team.name == PENDING_TEAM)):
        services.apply_for_team(
            find_user_by_phone("13900000005"),
            name=PENDING_TEAM,
            district_id=districts["qinglong"],
            categories=[ServiceCategory.free_haircut.value],
            description="为青龙山区的老人免费理发。",
            now=utcnow(),
        )
    return accounts
