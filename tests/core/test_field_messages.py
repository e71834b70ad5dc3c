"""Field messages of the API come in the request's language, values filled in: Chinese by
default, English when asked."""

from __future__ import annotations

from core.field_messages import translated
from tests.builders import make_shift


def test_a_field_message_answers_in_chinese_by_default_and_english_when_asked(
    app, volunteer, bearer
):
    shift = make_shift()
    url = f"/api/v1/shifts/{shift.id}/sign-up"
    headers = bearer(volunteer)
    client = app.test_client()

    chinese = client.post(url, json={"join_waiting_list": "maybe"}, headers=headers)
    english = client.post(
        url, json={"join_waiting_list": "maybe"}, headers=headers | {"Accept-Language": "en"}
    )

    assert chinese.status_code == english.status_code == 422
    assert chinese.get_json()["errors"] == {"join_waiting_list": ["不是有效的是/否值。"]}
    assert english.get_json()["errors"] == {"join_waiting_list": ["Not a valid boolean."]}


def test_values_are_kept_when_a_message_is_translated(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert translated("Longer than maximum length 200.") == "超过最大长度 200。"
        assert translated("Must be one of: a, b.") == "须为以下之一：a, b。"
        assert translated("这条已经是中文。") == "这条已经是中文。"
