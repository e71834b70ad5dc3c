"""The whole nomination pipeline in one run, through the services and the public pages: a
community clerk's draft climbs every level to the notice and the decision and ends as an honour
in the register, its certificate verifiable on the public page and the person on the honour
roll; a lead from the public form and a media case go the same way beside it, and an objection
upheld on the media case takes that entry off and no other. Database-neutral: it runs on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import time_machine
from PIL import Image
from pypdf import PdfReader

from core.auth.assignments import AssignmentKind
from core.clock import local_day
from core.extensions import db
from core.settings import current_settings
from honours.models import Honour, HonourSource
from honours.nomination_models import Agency, Stage, StepAction
from honours.services import background, decision, notice, panel, review
from honours.services import nomination_consent as consent
from honours.services import nomination_matching as matching
from honours.services import nominations as channels
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW, id_number, make_clerk, make_office, make_places
from tests.honours.nomination_builders import DEEDS, open_round

NUMBER = "秦文明委〔2026〕15号"


def hours(n: float):
    return NOW + timedelta(hours=n)


def verified(name: str):
    user = make_user(display_name=name)
    user.phone_verified_at = NOW - timedelta(days=200)
    return user


def signed_form() -> consent.Scan:
    image = io.BytesIO()
    Image.new("RGB", (24, 24), (250, 250, 250)).save(image, format="PNG")
    image.seek(0)
    return consent.Scan(image, "同意书.png")


def nominee(name: str, born: date, place, *, male: bool, area: str = "130302", **values):
    return {
        "nominee_name": name,
        "nominee_gender": "male" if male else "female",
        "nominee_birth_date": born,
        "nominee_id_number": id_number(born, male=male, area=area),
        "region_id": place.id,
        "deeds": (DEEDS * 2)[:900],
        **values,
    }


def forward(user, nomination, at):
    """A forward at the nomination's level, ticking what the level's checklist asks."""
    return review.review(
        user,
        nomination.id,
        "forward",
        checklist=[item.value for item in review.CHECKLIST[nomination.stage]],
        declared_no_conflict=True,
        opinion="经核实，事迹属实，同意推荐。",
        now=at,
    )


def answer_checks(user, nomination, at):
    day = local_day(at)
    for agency in Agency:
        background.record_check(
            user,
            nomination.id,
            agency,
            {"sent_on": day - timedelta(days=1), "answered_on": day, "result": "clear"},
            now=at,
        )


def agree(clerk, nomination, at):
    values = {"agreed": True, "giver": "nominee", "method": "signed_form"}
    settings = current_settings()
    consent.record_consent(
        clerk, nomination.id, values, now=at, settings=settings, scan=signed_form()
    )


def trail(nomination) -> list[tuple[StepAction, Stage, Stage]]:
    steps = sorted(nomination.steps, key=lambda step: step.id)
    times = [step.acted_at for step in steps]
    assert times == sorted(times), "the steps are kept in the order they were taken"
    return [(step.action, step.from_stage, step.to_stage) for step in steps]


def pdf_text(body: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return re.sub(r"\s+", "", text)


def test_a_community_draft_becomes_an_honour_on_the_roll_beside_a_public_lead_and_a_media_case(
    app, client
):
    places = make_places()
    office = make_office()
    round_ = open_round(office)
    community = make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="社区专干")
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    editor = make_clerk(AssignmentKind.media_editor, name="秦皇岛日报 编辑")
    reviewers = [
        make_clerk(AssignmentKind.panel_reviewer, name=name) for name in ("评议员甲", "评议员乙")
    ]
    for reviewer in reviewers:
        panel.assign_member(office, round_.id, reviewer.id, now=hours(0.5))
    volunteer = verified("热心市民")
    neighbour, objector = verified("邻居"), verified("王异议")

    # Three channels: a community's draft, a lead from the public form, a media case.
    draft = channels.draft_nomination(
        community,
        {
            "round_id": round_.id,
            **nominee("李秀英", date(1958, 3, 12), places["wenhuali"], male=False),
            "category": "filial_piety",
            "summary": "三十年如一日照顾瘫痪婆婆的好儿媳",
            "unit_name": "文化里社区居委会",
        },
        now=hours(1),
    )
    matching.match_nominee(
        community, draft.id, now=hours(2), person_values={"address": "文化路12号3单元401"}
    )
    channels.submit_nomination(community, draft.id, now=hours(3))
    lead = channels.nominate(
        volunteer,
        {
            "round_id": round_.id,
            **nominee("张建国", date(1961, 8, 3), places["wenhuali"], male=True),
            "category": "helping_others",
            "summary": "义务为社区老人修理家电二十年",
        },
        now=hours(4),
    )
    media = channels.file_media_nomination(
        editor,
        {
            "round_id": round_.id,
            **nominee("周海涛", date(1979, 11, 21), places["nanguan"], male=True, area="130303"),
            "category": "bravery",
            "summary": "跳入冰冷河水救起落水儿童",
            "media_url": "https://www.qhdnews.com/2026/06/01/jianyiyongwei.html",
            "media_discovery": "interview",
            "address": "南关大街8号",
        },
        now=hours(5),
    )
    assert (draft.stage, lead.stage, media.stage) == (Stage.street, Stage.community, Stage.city)

    # The levels, each by its own reviewer.
    matching.match_nominee(
        community, lead.id, now=hours(6), person_values={"address": "文化路30号1单元202"}
    )
    forward(community, lead, hours(7))
    for nomination in (draft, lead):
        forward(street, nomination, hours(8))
        answer_checks(district, nomination, hours(9))
        forward(district, nomination, hours(10))
    answer_checks(office, media, hours(10))
    for nomination in (draft, lead, media):
        forward(office, nomination, hours(11))
        assert nomination.stage is Stage.consent
        agree(district if nomination is not media else office, nomination, hours(12))
        for reviewer in reviewers:
            panel.cast_vote(
                reviewer, nomination.id, {"vote": "approve", "score": 90}, now=hours(13)
            )
        tally = panel.close_review(office, nomination.id, now=hours(14))
        assert (tally.votes_for, tally.votes_against, tally.mean_score) == (2, 0, 90)

    # The notice: a like and a dismissed objection on the draft's entry, an upheld one on the
    # media case's.
    opened = notice.open_notice(office, round_.id, [draft.id, lead.id, media.id], now=hours(15))
    assert opened.closes_at == hours(15) + timedelta(days=round_.notice_days)
    during = hours(20)
    assert notice.like(neighbour, draft.id, now=during).counted
    dismissed = notice.file_objection(
        objector, draft.id, "其婆婆已去世多年，事迹存疑。", is_name_confirmed=True, now=during
    )
    upheld = notice.file_objection(
        objector, media.id, "救人者另有其人，报道有误。", is_name_confirmed=True, now=during
    )
    notice.answer_objection(
        district,
        dismissed.id,
        "dismissed",
        "经走访核实，婆婆去年病故前一直由其照料。",
        now=hours(30),
    )
    notice.answer_objection(
        office, upheld.id, "upheld", "经核实，救人者为另一位市民，撤下该公示。", now=hours(31)
    )
    db.session.commit()
    with time_machine.travel(hours(32), tick=False):
        page = client.get(f"/notices/{round_.id}")
    assert page.status_code == 200
    assert "李秀英" in page.text and "张建国" in page.text and "周海涛" not in page.text
    assert media.stage is Stage.rejected and draft.stage is lead.stage is Stage.notice

    # The notice closes by itself at its computed time; the decision comes after it.
    after = opened.closes_at + timedelta(hours=2)
    decision.record_decision(
        office,
        round_.id,
        document_number=NUMBER,
        decided_on=local_day(after),
        now=after,
        settings=current_settings().certificates,
    )
    assert (draft.stage, lead.stage, media.stage) == (
        Stage.approved,
        Stage.approved,
        Stage.rejected,
    )
    assert media.honour_id is None
    honour = db.session.get(Honour, draft.honour_id)
    assert (honour.person_id, honour.round_id, honour.source) == (
        draft.person_id,
        round_.id,
        HonourSource.round,
    )
    assert honour.decision_number == NUMBER and honour.certificate_number
    db.session.commit()

    # The certificate, downloaded by the person's district, is genuine on the public page.
    pdf = sign_in(app.test_client(), district).get(
        f"/honours/register/honours/{honour.id}/certificate.pdf"
    )
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    printed = pdf_text(pdf.data)
    number = re.search(r"编号：(\S+?)校验码", printed).group(1)
    code = re.search(r"校验码：([0-9A-Z]+)", printed).group(1)
    assert number == honour.certificate_number and "李秀英" in printed
    checked = client.get("/certificates/verify", query_string={"number": number, "code": code})
    assert 'data-testid="genuine"' in checked.text and "李*英" in checked.text

    # The public roll shows both honoured people, and not the one whose entry came off.
    roll = client.get("/honour-roll")
    assert roll.status_code == 200
    assert "李秀英" in roll.text and "张建国" in roll.text and "周海涛" not in roll.text

    # Every step kept, in order.
    territorial = [
        (StepAction.submitted, Stage.draft, Stage.street),
        (StepAction.forwarded, Stage.street, Stage.district),
        (StepAction.forwarded, Stage.district, Stage.city),
        (StepAction.forwarded, Stage.city, Stage.consent),
        (StepAction.consent_given, Stage.consent, Stage.panel),
        (StepAction.panel_closed, Stage.panel, Stage.panel),
        (StepAction.notice_opened, Stage.panel, Stage.notice),
        (StepAction.approved, Stage.notice, Stage.approved),
    ]
    assert trail(draft) == territorial
    assert trail(lead) == [
        (StepAction.submitted, Stage.draft, Stage.community),
        (StepAction.forwarded, Stage.community, Stage.street),
        *territorial[1:],
    ]
    assert trail(media) == [
        (StepAction.submitted, Stage.draft, Stage.city),
        *territorial[3:7],
        (StepAction.objection_upheld, Stage.notice, Stage.rejected),
    ]
    assert [n.name for n in lead.nominators] == ["热心市民"]
