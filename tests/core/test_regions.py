"""The city's region tree and the sectors: the seed, the tree's questions (within, under,
district of), and the public API."""

from __future__ import annotations

import json

from core import regions
from core.districts import District, list_districts
from core.extensions import db
from core.regions import Region, RegionLevel


def seeded() -> dict[str, Region]:
    regions.ensure_regions(demo_communities=True)
    regions.ensure_sectors()
    return {region.code: region for region in regions.list_regions()}


def test_the_seed_makes_todays_districts_the_second_level_once(app):
    created = regions.ensure_regions(demo_communities=True)
    tree = seeded()

    city = tree["qinhuangdao"]
    assert city.level is RegionLevel.city and city.parent_id is None and city.name == "秦皇岛市"
    districts = [r for r in tree.values() if r.level is RegionLevel.district]
    assert [r.name for r in sorted(districts, key=lambda r: r.position)] == [
        d.name for d in list_districts()
    ]
    assert {r.district_id for r in districts} == {d.id for d in list_districts()}
    assert all(r.parent_id == city.id for r in districts)
    assert tree["haigang-wenhualu"].parent_id == tree["haigang"].id
    assert tree["haigang-wenhualu-01"].level is RegionLevel.community
    assert created == len(tree)
    # Again: nothing new.
    assert regions.ensure_regions(demo_communities=True) == 0
    assert regions.ensure_sectors() == 0


def test_without_the_demo_only_the_real_levels_are_made(app):
    regions.ensure_regions()
    levels = {region.level for region in regions.list_regions()}
    assert levels == {RegionLevel.city, RegionLevel.district, RegionLevel.town}


def test_a_district_added_later_joins_the_tree(app):
    seeded()
    db.session.add(District(code="jingkai", name="经济技术开发区", name_en="ETDZ", position=9))
    db.session.flush()

    assert regions.ensure_regions() == 1
    added = regions.find_region_by_code("jingkai")
    assert added.level is RegionLevel.district and added.district.name == "经济技术开发区"


def test_within_under_and_the_district_of_a_community(app):
    tree = seeded()
    community, street = tree["haigang-wenhualu-01"], tree["haigang-wenhualu"]
    haigang, city = tree["haigang"], tree["qinhuangdao"]

    assert [r.code for r in regions.ancestors(community)] == [
        "qinhuangdao",
        "haigang",
        "haigang-wenhualu",
    ]
    assert regions.is_within(community, street)
    assert regions.is_within(community, city)
    assert regions.is_within(street, street)
    assert not regions.is_within(street, community)
    assert not regions.is_within(community, tree["haigang-haibinlu"])
    assert not regions.is_within(community, tree["shanhaiguan"])

    under = regions.descendant_ids(street)
    assert under == {street.id} | {r.id for r in regions.list_children(street)}
    assert community.id in regions.descendant_ids(haigang)
    assert len(regions.descendant_ids(city)) == len(tree)

    assert regions.district_of(community).code == "haigang"
    assert regions.district_of(haigang).code == "haigang"
    assert regions.district_of(city) is None
    assert regions.region_of_district(haigang.district) == haigang


def test_the_tree_lists_depth_first_and_choices_by_level(app):
    seeded()
    rows = regions.list_tree()
    assert rows[0].region.code == "qinhuangdao" and rows[0].depth == 0
    assert [r.region.code for r in rows[1:4]] == [
        "haigang",
        "haigang-wenhualu",
        "haigang-wenhualu-01",
    ]
    assert [r.depth for r in rows[1:4]] == [1, 2, 3]

    towns = regions.region_choices((RegionLevel.town,))
    assert towns[0][1] == "\u3000\u3000文化路街道"
    assert all(regions.get_region(rid).level is RegionLevel.town for rid, _ in towns)


def test_an_unknown_region_code_is_not_found(app):
    seeded()
    assert regions.find_region_by_code("nowhere") is None
    response = app.test_client().get("/api/v1/regions?code=nowhere")
    assert response.status_code == 200 and response.json == []
    assert app.test_client().get("/api/v1/regions/999999").status_code == 404


def test_the_api_reads_the_tree_level_by_level(app):
    tree = seeded()
    db.session.commit()
    client = app.test_client()

    top = client.get("/api/v1/regions?level=district&page_size=100")
    assert top.status_code == 200
    assert [r["name"] for r in top.json][:2] == ["海港区", "山海关区"]
    assert json.loads(top.headers["X-Pagination"])["total"] == len(list_districts())

    under = client.get(f"/api/v1/regions?parent_id={tree['haigang'].id}").json
    assert [r["code"] for r in under] == [
        "haigang-wenhualu",
        "haigang-haibinlu",
        "haigang-beihuanlu",
        "haigang-baitaling",
    ]

    one = client.get(f"/api/v1/regions/{tree['haigang-wenhualu'].id}").json
    assert [r["code"] for r in one["path"]] == ["qinhuangdao", "haigang"]
    assert one["children"][0]["name"] == "文化里社区"
    assert one["level"] == "town" and one["district_id"] is None

    by_code = client.get("/api/v1/regions?code=haigang").json
    assert by_code[0]["district_id"] == tree["haigang"].district_id

    assert client.get("/api/v1/regions?level=province").status_code == 422


def test_the_sectors_are_public(app):
    seeded()
    db.session.commit()
    sectors = app.test_client().get("/api/v1/sectors").json
    assert [s["name"] for s in sectors][:3] == ["教育", "卫生健康", "交通运输"]


def test_the_cli_seeds_and_prints_the_tree(app, runner):
    result = runner.invoke(args=["regions", "seed"])
    assert result.exit_code == 0, result.output
    assert "Regions created" in result.output
    again = runner.invoke(args=["regions", "seed"])
    assert "Regions created: 0; sectors created: 0." in again.output
    tree = runner.invoke(args=["regions", "tree"])
    assert "秦皇岛市  [qinhuangdao]" in tree.output
    assert "    文化路街道  [haigang-wenhualu]" in tree.output
