"""Search by credit code and by name fragment, against a brute-force reference."""

from __future__ import annotations

import pytest
from django.db import connection

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.registry import search
from yingshang.registry.models import MarketEntity
from yingshang.registry.selectors import entity_search

from .conftest import BAD_CODE, CODE

pytestmark = pytest.mark.django_db

NAMES = [
    "上海鑫达贸易有限公司",
    "上海鑫达物流达贸咨询有限公司",  # 鑫达 and 达贸, but never 鑫达贸
    "浦东新区张记小吃店",
    "上海ABC科技有限公司",
    "艾克（上海）信息技术有限公司",
    "上海星辰贸易发展有限公司",
    "上海贸易之星有限公司",
    "上海哈哈哈文化传播有限公司",
    "上海“引号”*星号(括号) NEAR-科技有限公司",
    "上海😀表情包设计有限公司",
]


@pytest.fixture
def named(register):
    return [register(name=name) for name in NAMES]


def brute(fragment: str) -> list[str]:
    needle = search.search_text(fragment.strip())
    return [
        name
        for _id, name in MarketEntity.objects.order_by("id").values_list("id", "name")
        if needle in search.search_text(name)
    ]


def names(page) -> list[str]:
    return [item.name for item in page.items]


@pytest.mark.parametrize(
    "fragment",
    [
        "鑫达",  # 2 characters at the start of the trade name
        "达贸",  # 2 characters in the middle of a name
        "贸易",
        "鑫达贸",  # 3 characters
        "鑫达贸易",  # 4 characters
        "张记小吃",
        "有限公司",  # only stop bigrams: not indexed, found by scanning
        "限公",
        "公司",
        "司有",
        "技有限",
        "（上海）",
        "abc",  # ASCII letters ignore case
        "ABC科",
        "哈哈",
        "哈哈哈",
        "😀表",
        "“引号”",
        "*星号(",
        "NEAR",
        "-科",
        "上海鑫达贸易有限公司",  # a whole name
        "不存在的名字",
    ],
)
def test_name_fragment_matches_exactly_the_names_containing_it(named, fragment):
    result = entity_search(q=fragment, page_size=100)
    assert not result.by_code
    assert names(result) == brute(fragment)
    assert not result.has_next


def test_no_false_positive_from_bigrams_far_apart(named):
    assert names(entity_search(q="鑫达贸")) == ["上海鑫达贸易有限公司"]


def test_search_summary_fields(named):
    item = entity_search(q="张记小吃").items[0]
    assert item.region_name == "浦东新区"
    assert item.entity_type_label == "有限责任公司（自然人投资或控股）"
    assert item.status_label == "存续"
    assert item.legal_representative == "张伟"


def test_credit_code_exact_any_case(register):
    entity = register(credit_code=CODE)
    register(name="上海另一家有限公司")
    for q in (CODE, CODE.lower(), f"  {CODE}  ", "".join(chr(ord(c) + 0xFEE0) for c in CODE)):
        result = entity_search(q=q)
        assert result.by_code
        assert [i.credit_code for i in result.items] == [entity.credit_code]


def test_unknown_code_finds_nothing_and_bad_code_explains(register):
    register()
    other = CODE[:8] + "MA1FL5XL"
    from yingshang.core.uscc import uscc_generate

    valid_unknown = uscc_generate(region="310115", body="MA1FL5XL").code
    assert entity_search(q=valid_unknown).items == []
    with pytest.raises(DomainError) as exc:
        entity_search(q=BAD_CODE)
    assert exc.value.code is ErrorCode.INVALID_USCC
    assert exc.value.details["position"] == 18
    assert other  # an 18-character fragment with a digit is read as a code


@pytest.mark.parametrize("q", ["", " ", "a", "鑫", "  鑫  "])
def test_too_short(named, q):
    with pytest.raises(DomainError) as exc:
        entity_search(q=q)
    assert exc.value.code is ErrorCode.QUERY_TOO_SHORT


@pytest.mark.parametrize("q", ["鑫\x00达", "鑫\u200b达", "x" * 101, "\ud800\ud800"])
def test_unusable_queries_are_invalid_input(named, q):
    with pytest.raises(DomainError) as exc:
        entity_search(q=q)
    assert exc.value.code is ErrorCode.INVALID_INPUT


def test_paging_is_stable_and_has_next_without_counting(register):
    made = [register(name=f"上海测试{chr(0x4E00 + i)}{chr(0x4E80 + i)}有限公司") for i in range(7)]
    pages = [entity_search(q="测试", page=p, page_size=3) for p in (1, 2, 3, 4)]
    assert [len(p.items) for p in pages] == [3, 3, 1, 0]
    assert [p.has_next for p in pages] == [True, True, False, False]
    seen = [i.credit_code for p in pages for i in p.items]
    assert seen == [e.credit_code for e in made]


@pytest.mark.parametrize(
    ("page", "size"), [(0, 20), (-1, 20), (501, 20), (1, 0), (1, 101), (True, 20)]
)
def test_page_bounds(named, page, size):
    with pytest.raises(DomainError) as exc:
        entity_search(q="贸易", page=page, page_size=size)
    assert exc.value.code is ErrorCode.INVALID_INPUT


def test_jurisdiction_filter(register):
    pudong = register(name="上海甲乙贸易有限公司", region_code="310115")
    register(name="上海甲乙物流有限公司", region_code="310104")
    assert [i.credit_code for i in entity_search(q="甲乙", jurisdiction="310115").items] == [
        pudong.credit_code
    ]
    assert len(entity_search(q="甲乙", jurisdiction="310000").items) == 2
    assert entity_search(q="甲乙", jurisdiction="320100").items == []
    with pytest.raises(DomainError):
        entity_search(q="甲乙", jurisdiction="31")


@pytest.mark.parametrize("strategy", ["scan", "gin", "auto"])
def test_every_strategy_gives_the_same_answer(register, strategy):
    """PostgreSQL plans an id-order scan or the GIN index from statistics; both agree."""
    words = ["贸易", "科技", "咨询", "物流"]
    made = [register(name=f"上海{chr(0x4E00 + i)}{words[i % 4]}有限公司") for i in range(24)]
    made.append(register(name="上海ABC贸易有限公司"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_marketentity")
    search.stats_forget()
    for fragment in ("贸易", "科技有限", "有限公司", "限公", "上海", "流有", "abc", "c贸"):
        expected = [e.pk for e in made if fragment in e.name.lower()]
        for size in (1, 2, 5, 50):
            got: list[int] = []
            for page in range(1, 40):
                ids = search.search_ids(
                    fragment=fragment, offset=(page - 1) * size, limit=size, strategy=strategy
                )
                got += ids
                if len(ids) < size:
                    break
            assert got == expected, (fragment, size)


def test_postgresql_plan_follows_the_statistics():
    stats = search._GramStats(
        frequencies=dict.fromkeys(search.name_grams("科技贸易"), 0.5), floor=0.0001, rows=3e6,
        loaded_at=0.0,
    )  # fmt: skip
    plan, budget = search._postgresql_plan("科技贸易", 21, stats)
    assert plan == "scan" and budget >= 21 * 2
    assert search._postgresql_plan("鑫达", 21, stats) == ("gin", 0)  # rare bigram
    assert search._postgresql_plan("科技鑫", 21, stats) == ("gin", 0)
    assert search._postgresql_plan("有限公司", 21, stats) == ("scan", 0)  # stop bigrams only
    empty = search._GramStats(frequencies={}, floor=1.0, rows=0.0, loaded_at=0.0)
    assert search._postgresql_plan("科技贸易", 21, empty) == ("gin", 0)


def test_index_rebuild_restores_search(named):
    assert search.index_rebuild() == len(NAMES)
    assert names(entity_search(q="鑫达贸")) == ["上海鑫达贸易有限公司"]


def test_search_ids_rejects_bad_arguments(db):
    with pytest.raises(ValueError):
        search.search_ids(fragment="a", offset=0, limit=1)
    with pytest.raises(ValueError):
        search.search_ids(fragment="ab", offset=0, limit=1, region_prefix="31%")
    with pytest.raises(ValueError):
        search.search_ids(fragment="ab", offset=0, limit=1, strategy="fast")


def test_stop_bigrams_are_not_indexed():
    assert search.fts_query("有限公司") == ""
    assert search.name_grams("有限公司") == []
    assert search.name_grams("科技有限") == sorted(
        search.name_grams("科技") + search.name_grams("技有")
    )
    assert search.grams_literal("有限公司") == "{}"
    assert search.fts_document("上海有限公司") == search.fts_document("上海有")


def test_terms_and_grams():
    assert search.name_terms("哈哈哈") == [search.name_terms("哈哈")[0]]
    assert search.fts_document("Ab") == search.fts_document("aB")
    assert search.name_grams("ab") == [(ord("a") * 1114112 + ord("b")) % 2147483647]
    assert search.grams_literal("a") == "{}"


def test_credit_code_with_spaces_inside(register):
    entity = register(credit_code=CODE)
    spaced = " ".join(CODE[i : i + 4] for i in range(0, 18, 4))
    assert [i.credit_code for i in entity_search(q=spaced).items] == [entity.credit_code]
