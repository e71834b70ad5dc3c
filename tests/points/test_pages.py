"""Points pages: the volunteer's balance and code, the counter, reversals and statements, and
the office's merchants and adjustments."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.auth.models import Role
from core.clock import local_day, utcnow
from core.districts import District, ensure_districts
from core.extensions import db
from points import services
from points.models import (
    CatalogItem,
    LedgerEntry,
    Merchant,
    MerchantKind,
    MerchantStaff,
    RedeemCode,
    Redemption,
    RedemptionStatus,
)
from tests.builders import make_user


def _english(client):
    # Pages are Chinese by default; these tests read the English source strings.
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


@pytest.fixture
def volunteer_client(volunteer_client):
    return _english(volunteer_client)


@pytest.fixture
def merchant_client(merchant_client):
    return _english(merchant_client)


@pytest.fixture
def office_client(office_client):
    return _english(office_client)


def _office():
    return make_user(role=Role.office, display_name="文明办")


def _grant(volunteer, amount: int, reason: str = "开户奖励") -> None:
    services.adjust(
        _office(), volunteer.id, amount=amount, reason=reason, key=f"g{amount}", now=utcnow()
    )


def _shop(name: str = "海港爱心超市", items=(("环保袋", 10, 5), ("毛巾", 5, None))):
    """A merchant and its catalogue items (name, price, stock or None)."""
    ensure_districts()
    district = db.session.scalars(select(District).order_by(District.position)).first()
    merchant = services.register_merchant(
        _office(),
        name=name,
        kind=MerchantKind.points_supermarket,
        district_id=district.id,
        address="海港区文化路1号",
    )
    office = _office()
    made = [services.add_item(office, merchant.id, name=n, price=p, stock=s) for n, p, s in items]
    return merchant, made


def _link(staff, merchant) -> None:
    db.session.add(MerchantStaff(user_id=staff.id, merchant_id=merchant.id))
    db.session.flush()


def _code(volunteer) -> str:
    return services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5).code


def _key(page: str) -> str:
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', page).group(1)


@pytest.fixture
def shop(merchant_staff):
    merchant, items = _shop()
    _link(merchant_staff, merchant)
    return merchant, items


def _look_up(client, code: str):
    return client.post("/counter/look-up", data={"code": code})


def _basket(client, code: str, quantities: dict[int, int]):
    page = _look_up(client, code)
    assert page.status_code == 200, page.text
    data = {"code": code, "key": _key(page.text)}
    data.update({f"qty-{item_id}": str(q) for item_id, q in quantities.items()})
    return data


def test_volunteer_sees_balance_and_history(volunteer_client, volunteer):
    _grant(volunteer, 50, reason="春季雷锋日奖励")
    page = volunteer_client.get("/points")
    assert page.status_code == 200
    assert 'data-testid="balance">50<' in page.text
    assert "春季雷锋日奖励" in page.text
    assert "+50" in page.text
    assert "/points/code" in page.text and "/merchants" in page.text


def test_volunteer_gets_a_one_time_code(volunteer_client, volunteer):
    assert volunteer_client.get("/points/code").status_code == 200
    page = volunteer_client.post("/points/code")
    assert page.status_code == 200
    code = db.session.scalar(select(RedeemCode.code).where(RedeemCode.user_id == volunteer.id))
    assert f"<span>{code[:4]}</span> <span>{code[4:]}</span>" in page.text
    assert "<svg" in page.text
    assert "data-countdown-redeem=" in page.text


def test_where_to_spend_is_public_and_ignores_a_bad_district(client, shop):
    page = client.get("/merchants?district_id=abc")
    assert page.status_code == 200
    assert "海港爱心超市" in page.text and "环保袋" in page.text
    assert client.get("/merchants?district_id=99999").status_code == 200


def test_staff_redeems_two_items(merchant_client, volunteer, shop):
    _, (bag, towel) = shop
    _grant(volunteer, 100)
    code = _code(volunteer)
    page = _look_up(merchant_client, code)
    assert page.status_code == 200
    assert "志愿者小李" in page.text and 'data-testid="balance">100<' in page.text
    data = _basket(merchant_client, code, {bag.id: 2, towel.id: 1})

    done = merchant_client.post("/counter/redeem", data=data)

    assert done.status_code == 200, done.text
    assert "Redeemed 25 points" in done.text and "志愿者小李" in done.text
    db.session.expire_all()
    assert services.balance_of(volunteer) == 75
    assert db.session.get(CatalogItem, bag.id).stock == 3
    assert db.session.get(CatalogItem, towel.id).stock is None
    used = db.session.scalar(select(RedeemCode).where(RedeemCode.code == code))
    assert used.used_at is not None
    redemption = db.session.scalar(select(Redemption))
    assert f"no. {redemption.id}" in done.text


def test_the_same_form_posted_twice_charges_once(merchant_client, volunteer, shop):
    _, (bag, _towel) = shop
    _grant(volunteer, 100)
    data = _basket(merchant_client, _code(volunteer), {bag.id: 1})

    first = merchant_client.post("/counter/redeem", data=data)
    second = merchant_client.post("/counter/redeem", data=data)

    assert first.status_code == second.status_code == 200
    assert "already recorded" in second.text
    db.session.expire_all()
    assert services.balance_of(volunteer) == 90
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 1


def _nothing_changed(volunteer, code: str, balance: int, stocks: dict[int, int | None]):
    db.session.expire_all()
    assert services.balance_of(volunteer) == balance
    assert {i: db.session.get(CatalogItem, i).stock for i in stocks} == stocks
    assert db.session.scalar(select(RedeemCode).where(RedeemCode.code == code)).used_at is None
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 0


def test_a_short_balance_shows_a_message_and_changes_nothing(merchant_client, volunteer, shop):
    _, (bag, _towel) = shop
    _grant(volunteer, 15)
    code = _code(volunteer)
    page = merchant_client.post("/counter/redeem", data=_basket(merchant_client, code, {bag.id: 2}))
    assert page.status_code == 409
    assert "The balance does not cover this." in page.text
    _nothing_changed(volunteer, code, 15, {bag.id: 5})


def test_sold_out_shows_a_message_and_changes_nothing(merchant_client, volunteer, shop):
    _, (bag, towel) = shop
    _grant(volunteer, 500)
    code = _code(volunteer)
    data = _basket(merchant_client, code, {bag.id: 6, towel.id: 1})
    page = merchant_client.post("/counter/redeem", data=data)
    assert page.status_code == 409
    assert "Not enough of 环保袋 is left." in page.text
    _nothing_changed(volunteer, code, 500, {bag.id: 5, towel.id: None})


def test_bad_quantities_and_an_empty_basket_are_refused(merchant_client, volunteer, shop):
    _, (bag, _towel) = shop
    _grant(volunteer, 100)
    code = _code(volunteer)
    data = _basket(merchant_client, code, {})
    assert merchant_client.post("/counter/redeem", data=data).status_code == 422
    data[f"qty-{bag.id}"] = "two"
    page = merchant_client.post("/counter/redeem", data=data)
    assert page.status_code == 422 and "whole numbers" in page.text
    _nothing_changed(volunteer, code, 100, {bag.id: 5})


@pytest.mark.parametrize("code", ["12345678", "abc", "", "1234 567"])
def test_an_unknown_code_answers_422(merchant_client, shop, code):
    page = _look_up(merchant_client, code)
    assert page.status_code == 422
    assert 'name="code"' in page.text


def test_a_used_code_cannot_buy_again(merchant_client, volunteer, shop):
    _, (bag, _towel) = shop
    _grant(volunteer, 100)
    code = _code(volunteer)
    data = _basket(merchant_client, code, {bag.id: 1})
    assert merchant_client.post("/counter/redeem", data=data).status_code == 200
    data["key"] = "another-key"
    assert merchant_client.post("/counter/redeem", data=data).status_code == 422
    assert _look_up(merchant_client, code).status_code == 422


WHY = {"reason": "顾客退货"}


def _redeemed(client, volunteer, quantities) -> Redemption:
    response = client.post("/counter/redeem", data=_basket(client, _code(volunteer), quantities))
    assert response.status_code == 200, response.text
    return db.session.scalar(select(Redemption).order_by(Redemption.id.desc()))


def test_reverse_restores_balance_and_stock(merchant_client, volunteer, shop):
    _, (bag, _towel) = shop
    _grant(volunteer, 100)
    redemption = _redeemed(merchant_client, volunteer, {bag.id: 2})

    response = merchant_client.post(f"/redemptions/{redemption.id}/reverse", data=WHY)

    assert response.status_code == 302 and response.location.endswith("/statement")
    db.session.expire_all()
    assert services.balance_of(volunteer) == 100
    assert db.session.get(CatalogItem, bag.id).stock == 5
    assert db.session.get(Redemption, redemption.id).status is RedemptionStatus.reversed
    # Reversing again changes nothing more.
    merchant_client.post(f"/redemptions/{redemption.id}/reverse", data=WHY)
    db.session.expire_all()
    assert services.balance_of(volunteer) == 100


def test_statement_totals_and_csv(merchant_client, volunteer, shop):
    _, (bag, towel) = shop
    _grant(volunteer, 100)
    first = _redeemed(merchant_client, volunteer, {bag.id: 1})  # 10
    _redeemed(merchant_client, volunteer, {towel.id: 3})  # 15
    merchant_client.post(f"/redemptions/{first.id}/reverse", data=WHY)

    page = merchant_client.get("/statement")
    assert page.status_code == 200
    assert 'data-testid="total-redeemed">25<' in page.text
    assert 'data-testid="total-reversed">10<' in page.text
    assert 'data-testid="total-net">15<' in page.text

    export = merchant_client.get("/statement.csv")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert export.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0] == ["类型", "时间 (Asia/Shanghai)", "单号", "志愿者", "商品", "积分"]
    assert rows[-1][0] == "合计" and rows[-1][-1] == "15"
    assert [r[0] for r in rows[1:-1]].count("兑换") == 2


def test_statement_refuses_a_bad_period(merchant_client, shop):
    assert merchant_client.get("/statement?start=garbage").status_code == 422
    page = merchant_client.get("/statement?start=2025-05-10&end=2025-05-01")
    assert page.status_code == 422 and "The end must be after the start." in page.text
    assert merchant_client.get("/statement.csv?end=x").status_code == 422
    assert merchant_client.get("/statement?start=2025-05-01&end=2025-05-31").status_code == 200


def test_staff_see_and_reverse_only_their_merchant(merchant_client, volunteer, shop):
    other, (other_bag,) = _shop(name="山海关积分超市", items=(("雨伞", 20, 3),))
    other_staff = services.add_staff(
        _office(), other.id, phone="13900099999", display_name="B店员", password="correct-horse-9"
    )
    _grant(volunteer, 100)
    code = _code(volunteer)
    redemption, _ = services.redeem(
        other_staff, code=code, lines=[(other_bag.id, 1)], key="b-1", now=utcnow()
    )

    assert merchant_client.get(f"/redemptions/{redemption.id}/reverse").status_code == 403
    refused = merchant_client.post(f"/redemptions/{redemption.id}/reverse", data=WHY)
    assert refused.status_code == 403
    assert merchant_client.get(f"/office/merchants/{other.id}/statement").status_code == 403
    assert "山海关积分超市" not in merchant_client.get("/statement").text
    db.session.expire_all()
    assert db.session.get(Redemption, redemption.id).status is RedemptionStatus.completed
    assert services.balance_of(volunteer) == 80


def test_staff_not_linked_to_a_merchant_get_403(merchant_client):
    assert merchant_client.get("/counter").status_code == 403
    assert merchant_client.get("/statement").status_code == 403


def test_office_registers_a_merchant_and_fills_its_catalogue(office_client):
    ensure_districts()
    district = db.session.scalars(select(District).order_by(District.position)).first()
    assert office_client.get("/office/merchants/new").status_code == 200
    response = office_client.post(
        "/office/merchants/new",
        data={
            "name": "北戴河爱心商家",
            "kind": "caring_merchant",
            "district_id": str(district.id),
            "address": "北戴河区海滨路2号",
            "contact": "王经理",
        },
    )
    assert response.status_code == 302
    merchant = db.session.scalar(select(Merchant).where(Merchant.name == "北戴河爱心商家"))
    assert merchant.kind is MerchantKind.caring_merchant

    added = office_client.post(
        f"/office/merchants/{merchant.id}/items",
        data={"new-name": "理发券", "new-price": "30", "new-stock": ""},
    )
    assert added.status_code == 302
    item = db.session.scalar(select(CatalogItem).where(CatalogItem.merchant_id == merchant.id))
    assert item.stock is None
    edited = office_client.post(
        f"/office/merchants/{merchant.id}/items/{item.id}",
        data={f"item{item.id}-name": "理发券", f"item{item.id}-price": "0"},
    )
    assert edited.status_code == 422 and "Enter a price of 1 to 100000 points." in edited.text
    staff = office_client.post(
        f"/office/merchants/{merchant.id}/staff",
        data={"phone": "13900088888", "display_name": "店员小王", "password": "correct-horse-9"},
    )
    assert staff.status_code == 302
    page = office_client.get(f"/office/merchants/{merchant.id}")
    assert page.status_code == 200 and "店员小王" in page.text and "理发券" in page.text
    assert "北戴河爱心商家" in office_client.get("/office/merchants").text
    assert office_client.get(f"/office/merchants/{merchant.id}/statement").status_code == 200
    assert office_client.get(f"/office/merchants/{merchant.id}/statement.csv").status_code == 200


def test_office_merchant_form_shows_errors(office_client):
    ensure_districts()
    response = office_client.post(
        "/office/merchants/new",
        data={"name": "某商家", "kind": "caring_merchant", "district_id": "99999", "address": "x"},
    )
    assert response.status_code == 422 and "Choose a district from the list." in response.text
    assert db.session.scalar(select(func.count()).select_from(Merchant)) == 0
    bad_kind = office_client.post("/office/merchants/new", data={"kind": "bank"})
    assert bad_kind.status_code == 422
    assert office_client.get("/office/merchants/99999").status_code == 404


def _adjust_form(client) -> dict[str, str]:
    page = client.get("/office/adjustments")
    assert page.status_code == 200
    return {"key": _key(page.text)}


def test_office_adjusts_points_with_a_reason(office_client, volunteer):
    data = _adjust_form(office_client) | {"phone": volunteer.phone, "amount": "30"}

    refused = office_client.post("/office/adjustments", data=data | {"reason": " "})
    assert refused.status_code == 422 and "Give a reason." in refused.text
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0

    data["reason"] = "冬季走访补记"
    assert office_client.post("/office/adjustments", data=data).status_code == 302
    # A retry of the same form posts nothing more.
    assert office_client.post("/office/adjustments", data=data).status_code == 302
    db.session.expire_all()
    assert services.balance_of(volunteer) == 30
    unknown = office_client.post(
        "/office/adjustments", data=data | {"phone": "13700000000", "key": "k2"}
    )
    assert unknown.status_code == 422 and "No volunteer has this mobile number." in unknown.text
    deduct = office_client.post("/office/adjustments", data=data | {"amount": "-50", "key": "k3"})
    assert deduct.status_code == 409 and "The balance does not cover this." in deduct.text
    assert office_client.post("/office/adjustments", data=data | {"amount": "x"}).status_code == 422


@pytest.mark.parametrize(
    "path", ["/counter", "/statement", "/office/merchants", "/office/adjustments"]
)
def test_volunteers_get_403_on_staff_and_office_pages(volunteer_client, path):
    assert volunteer_client.get(path).status_code == 403


def test_volunteer_pages_need_a_volunteer(client, office_client):
    assert client.get("/points").status_code == 302
    assert client.get("/counter").status_code == 302
    assert office_client.get("/points").status_code == 403
    assert office_client.post("/counter/look-up", data={"code": "12345678"}).status_code == 403


def test_failed_look_ups_are_rate_limited(make_app, merchant_staff, shop):
    app = make_app(RATELIMIT_ENABLED=True, REDEEM_GUESSES_PER_USER="2 per 10 minutes")
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"phone": merchant_staff.phone, "password": "correct-horse-9"})
    _english(client)
    assert _look_up(client, "00000000").status_code == 422
    assert _look_up(client, "00000001").status_code == 422
    blocked = _look_up(client, "00000002")
    assert blocked.status_code == 429
    assert "Too many wrong codes" in blocked.text


# The statement lists the newest first; reversing asks first and keeps a reason -------------


def _sold(staff, volunteer, item, at) -> Redemption:
    code = services.issue_redeem_code(volunteer, now=at, lifetime_minutes=5).code
    made, _ = services.redeem(staff, code=code, lines=[(item.id, 1)], key=f"at-{at}", now=at)
    return made


def _around(moment) -> str:
    day = local_day(moment)
    return f"start={day - timedelta(days=1)}&end={day}"


def test_the_statement_lists_the_newest_sale_first(
    merchant_client, merchant_staff, volunteer, shop
):
    _, (bag, towel) = shop
    _grant(volunteer, 100)
    now = utcnow()
    older = _sold(merchant_staff, volunteer, bag, now - timedelta(hours=2))
    newer = _sold(merchant_staff, volunteer, towel, now - timedelta(hours=1))

    page = merchant_client.get(f"/statement?{_around(now)}").text

    assert page.index(f'data-testid="redemption-{newer.id}"') < page.index(
        f'data-testid="redemption-{older.id}"'
    )


def test_the_reverse_button_asks_first_naming_volunteer_goods_and_points(
    merchant_client, volunteer, shop
):
    _, (bag, _towel) = shop
    _grant(volunteer, 100)
    redemption = _redeemed(merchant_client, volunteer, {bag.id: 2})

    statement = merchant_client.get("/statement").text
    assert f'href="/redemptions/{redemption.id}/reverse"' in statement
    assert f'action="/redemptions/{redemption.id}/reverse"' not in statement

    page = merchant_client.get(f"/redemptions/{redemption.id}/reverse")

    assert page.status_code == 200, page.text
    assert "志愿者小李" in page.text and "环保袋 × 2" in page.text
    assert 'data-testid="points">20<' in page.text
    assert re.search(r'<textarea[^>]*maxlength="200"[^>]*name="reason"[^>]*required', page.text)
    assert f'action="/redemptions/{redemption.id}/reverse"' in page.text
    db.session.expire_all()
    assert db.session.get(Redemption, redemption.id).status is RedemptionStatus.completed


def test_a_reversal_needs_a_reason_and_keeps_it(merchant_client, volunteer, shop):
    _, (bag, _towel) = shop
    _grant(volunteer, 100)
    redemption = _redeemed(merchant_client, volunteer, {bag.id: 2})
    url = f"/redemptions/{redemption.id}/reverse"

    for refused in ({}, {"reason": "  "}, {"reason": "错" * 201}):
        page = merchant_client.post(url, data=refused)
        assert page.status_code == 422, refused
        assert "志愿者小李" in page.text and 'name="reason"' in page.text
    db.session.expire_all()
    assert db.session.get(Redemption, redemption.id).status is RedemptionStatus.completed
    assert services.balance_of(volunteer) == 80

    done = merchant_client.post(url, data={"reason": "扫错了顾客的码"})

    assert done.status_code == 302 and done.location.endswith("/statement")
    db.session.expire_all()
    reversed_ = db.session.get(Redemption, redemption.id)
    assert reversed_.status is RedemptionStatus.reversed
    assert reversed_.reversal_reason == "扫错了顾客的码"
    assert services.balance_of(volunteer) == 100
    assert "扫错了顾客的码" in merchant_client.get("/statement").text


def test_the_confirmation_offers_nothing_for_a_reversed_or_old_redemption(
    merchant_client, merchant_staff, volunteer, shop
):
    _, (bag, towel) = shop
    _grant(volunteer, 100)
    undone = _redeemed(merchant_client, volunteer, {bag.id: 1})
    merchant_client.post(f"/redemptions/{undone.id}/reverse", data={"reason": "顾客退货"})
    old = _sold(merchant_staff, volunteer, towel, utcnow() - timedelta(days=8))

    shown = merchant_client.get(f"/redemptions/{undone.id}/reverse")
    assert shown.status_code == 200
    assert "顾客退货" in shown.text and 'name="reason"' not in shown.text
    too_old = merchant_client.get(f"/redemptions/{old.id}/reverse")
    assert too_old.status_code == 200
    assert "within 7 days" in too_old.text and 'name="reason"' not in too_old.text


def test_the_statement_csv_shows_local_times_like_the_page(merchant_client, merchant_staff, shop):
    _, (bag, _towel) = shop
    volunteer = make_user(display_name="志愿者小王")
    _grant(volunteer, 100)
    # 17:30 UTC is 01:30 the next morning in Shanghai.
    at = datetime(2026, 3, 5, 17, 30, tzinfo=UTC)
    _sold(merchant_staff, volunteer, bag, at)
    period = "start=2026-03-06&end=2026-03-06"

    page = merchant_client.get(f"/statement?{period}").text
    rows = list(csv.reader(io.StringIO(merchant_client.get(f"/statement.csv?{period}").text)))

    assert "3/6/26, 1:30" in page
    assert rows[0][1] == "时间 (Asia/Shanghai)"
    assert rows[1][1] == "2026-03-06 01:30:00"


def _chinese(client):
    with client.session_transaction() as session:
        session["locale"] = "zh_CN"
    return client


def _history_lines(page: str) -> list[str]:
    """The text of each line of the points history, tags and spaces taken out."""
    history = page.split('data-testid="history"', 1)[1]
    items = re.findall(r"<li\b.*?</li>", history, flags=re.S)
    return ["".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_the_history_tells_purchase_reversal_and_the_shift_earned_for(
    volunteer_client, merchant_staff, volunteer, shop
):
    from events import services as events
    from tests.builders import make_shift

    _, (_bag, towel) = shop
    shift = make_shift(starts_in_hours=-6, hours=2)
    leader = shift.activity.team.founder
    row = events.check_in_by_leader(
        leader, shift.id, phone=volunteer.phone, now=shift.starts_at, leader_days=7
    )
    events.check_out(volunteer, shift.id, now=shift.ends_at)
    events.confirm_attendance(
        leader, shift.id, check_in_ids=[row.id], now=shift.ends_at + timedelta(minutes=5)
    )
    bought = _sold(merchant_staff, volunteer, towel, utcnow() - timedelta(minutes=2))
    services.reverse_redemption(
        merchant_staff, bought.id, reason="顾客退货", now=utcnow(), window_days=7
    )
    shift_day = local_day(shift.starts_at).isoformat()

    earned, spent, back = reversed(_history_lines(_chinese(volunteer_client).get("/points").text))

    assert earned.startswith("服务积分") and f"海滨环境清洁·{shift_day}" in earned
    assert earned.endswith("+20")
    assert spent.startswith("兑换") and "海港爱心超市" in spent and spent.endswith("-5")
    assert back.startswith("撤销兑换") and "海港爱心超市" in back and back.endswith("+5")
    assert f"第{bought.id}号" in spent and f"第{bought.id}号" in back
