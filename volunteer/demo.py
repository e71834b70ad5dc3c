"""Demo data of volunteers: a few registered volunteers with profiles."""

from __future__ import annotations

from sqlalchemy import select

from core.auth.services import find_user_by_phone
from core.demo import DEMO_PASSWORD
from core.districts import District
from core.extensions import db
from volunteer import services
from volunteer.models import Skill

VOLUNTEERS = [
    ("13900000001", "李志强", "haigang", [Skill.cleaning, Skill.appliance_repair]),
    ("13900000002", "张晓梅", "shanhaiguan", [Skill.tourist_guidance, Skill.foreign_language]),
    ("13900000003", "王海燕", "beidaihe", [Skill.elderly_care, Skill.first_aid]),
    ("13900000004", "刘建国", "changli", [Skill.farm_help, Skill.driving]),
    ("13900000005", "陈静", "funing", [Skill.haircut]),
    ("13900000006", "赵磊", "qinglong", [Skill.traffic_duty, Skill.photography]),
]


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
    return accounts
