"""Enterprise names (企业名称): parsing, prohibited and restricted words, comparison keys.

A name is 行政区划 + 字号 + 行业（或经营特点）+ 组织形式 (《企业名称登记管理规定》, 国务院令第734号,
第六条), e.g. 上海鑫达贸易有限公司 = 上海 + 鑫达 + 贸易 + 有限公司. The region may also follow the
字号, in parentheses (鑫达（上海）贸易有限公司, 鑫达贸易（上海）有限公司) or directly between
字号 and industry (鑫达上海贸易有限公司).

Pure code, no models and no database. The word lists and the organisational forms are shipped
data in ``data/`` (``words.json``, ``industry_terms.json``, ``forms.json``); the rules and the
articles they come from are in ``data/SOURCES.md``.

* :func:`name_parse` splits a declared name into :class:`NameParts` or raises
  ``DomainError(INVALID_INPUT)`` whose ``details`` are ``{"rule": ..., "field": "name"}``.
  Restricted words (限用字词) do not fail the parse: they become :class:`NameFlag` values
  and :attr:`NameParts.needs_approval` is true.
* :func:`name_keys` computes the keys a conflict index is built from (:class:`NameKeys`).
  It is meant to run over millions of registered names: no regular expressions, dictionary
  look-ups only, per-character pinyin cached.
* :func:`name_compare` classifies a proposed name against an existing one as identical
  (相同, a conflict), similar (相近, a risk warning) or different, with the reason in Chinese.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from yingshang.core import regions
from yingshang.core.errors import DomainError, ErrorCode

DATA_DIR = Path(__file__).resolve().parent / "data"
WORDS_PATH = DATA_DIR / "words.json"
INDUSTRY_TERMS_PATH = DATA_DIR / "industry_terms.json"
FORMS_PATH = DATA_DIR / "forms.json"

# No article fixes a maximum length; 50 characters is the platform's bound (see SOURCES.md).
MAX_NAME_LENGTH = 50
MIN_TRADE_NAME_LENGTH = 2  # 第八条: 字号应当由两个以上汉字组成

ART_CHARACTERS = "《企业名称登记管理规定》第五条"
ART_COMPOSITION = "《企业名称登记管理规定》第六条"
ART_REGION = "《企业名称登记管理规定》第七条"
ART_TRADE_NAME = "《企业名称登记管理规定》第八条"
ART_INDUSTRY = "《企业名称登记管理规定》第九条"
ART_FORM = "《企业名称登记管理规定》第十条"
ART_SAME = "《企业名称登记管理规定》第十七条"
ART_COMPARE_SAME = "《企业名称相同相近比对规则》（工商企注字〔2017〕133号）第三条"
ART_COMPARE_NEAR = "《企业名称相同相近比对规则》（工商企注字〔2017〕133号）第四条"

OPEN, CLOSE = "（", "）"

Verdict = Literal["identical", "similar", "different"]
RegionPlacement = Literal["prefix", "parenthesized", "inline", "none"]


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class NameFlag:
    """Something in a valid name that needs approval or an officer's review (限用)."""

    rule: str  # restricted_word, trade_name_is_region, trade_name_is_industry, no_industry
    word: str
    article: str
    message: str


@dataclass(frozen=True, slots=True)
class NameParts:
    """A parsed enterprise name (企业名称) and its four parts."""

    name: str  # normalised: NFKC, full-width parentheses, no surrounding blanks
    region_text: str  # 行政区划, as written ("上海", "上海市浦东新区"); "" if absent
    trade_name: str  # 字号
    industry_text: str  # 行业或者经营特点; "" if absent (跨行业综合经营, 第六条)
    form: str  # 组织形式, e.g. 有限公司, 合伙企业（有限合伙）
    region_code: str | None = None  # GB/T 2260 code of region_text (lowest code if ambiguous)
    region_placement: RegionPlacement = "prefix"
    industry_terms: tuple[str, ...] = ()  # the recognised terms making up industry_text
    flags: tuple[NameFlag, ...] = ()

    @property
    def needs_approval(self) -> bool:
        """Whether a restricted word or another flag needs approval or review."""
        return bool(self.flags)


@dataclass(frozen=True, slots=True)
class NameKeys:
    """Comparison keys of one name, for a conflict index (see :func:`name_keys`)."""

    identical_key: str  # 字号 + 行业 text: equal keys are identical names (133号 第三条)
    trade_name: str  # 字号: equal 字号 within one industry group conflict (第十七条)
    pinyin_key: str  # toneless pinyin of the 字号, syllables joined by "-"
    industry_group: str  # canonical industry; "" = no industry (compares with every one)
    anagram_key: str  # the 字号's characters sorted, + "|" + industry_group


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of comparing a proposed name with an existing one."""

    verdict: Verdict
    rule: str  # identical_text, same_trade_name_same_industry, homophone, containment, ...
    reason: str  # Chinese, names the existing name
    article: str = ""


# --------------------------------------------------------------------------- shipped data


@dataclass(frozen=True, slots=True)
class _Word:
    word: str
    category: str
    article: str
    reason: str
    except_followed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Data:
    prohibited: dict[str, tuple[_Word, ...]]  # first character -> words, longest first
    restricted: dict[str, tuple[_Word, ...]]
    terms: dict[str, str]  # industry term -> group ("" for modifiers)
    term_lengths: tuple[int, ...]  # distinct term lengths, longest first
    forms_by_type: dict[str, frozenset[str]]
    unsupported_types: dict[str, str]
    forms: tuple[str, ...]  # every known form, longest first


def _data_error(path: Path, problem: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_INPUT,
        _("名称规则数据 %(file)s 有误：%(problem)s") % {"file": path.name, "problem": problem},
        {"file": path.name},
    )


def _is_han(ch: str) -> bool:
    return (
        "\u4e00" <= ch <= "\u9fff"
        or "\u3400" <= ch <= "\u4dbf"
        or "\U00020000" <= ch <= "\U0003134f"
        or ch == "〇"
    )


def _words(path: Path, entries: Iterable[dict[str, Any]]) -> dict[str, tuple[_Word, ...]]:
    index: dict[str, list[_Word]] = {}
    seen: set[str] = set()
    for entry in entries:
        article = entry.get("article", "")
        if not isinstance(article, str) or "《" not in article:
            raise _data_error(path, f"category {entry.get('category')!r} has no article")
        for word in entry["words"]:
            if len(word) < 2 or not all(_is_han(c) for c in word) or word in seen:
                raise _data_error(path, f"word {word!r} is short, not Chinese or repeated")
            seen.add(word)
            item = _Word(
                word,
                entry["category"],
                article,
                entry.get("reason", ""),
                tuple(entry.get("except_followed_by", ())),
            )
            index.setdefault(word[0], []).append(item)
    return {k: tuple(sorted(v, key=lambda w: -len(w.word))) for k, v in index.items()}


@cache
def _data() -> _Data:
    words = json.loads(WORDS_PATH.read_text(encoding="utf-8"))
    prohibited = _words(WORDS_PATH, words["prohibited"])
    restricted = _words(WORDS_PATH, words["restricted"])
    clash = {w.word for ws in prohibited.values() for w in ws} & {
        w.word for ws in restricted.values() for w in ws
    }
    if clash:
        raise _data_error(WORDS_PATH, f"words both prohibited and restricted: {sorted(clash)}")

    industry = json.loads(INDUSTRY_TERMS_PATH.read_text(encoding="utf-8"))
    terms: dict[str, str] = {}
    for group in industry["groups"]:
        for term in group["terms"]:
            if term in terms or not all(_is_han(c) for c in term):
                raise _data_error(INDUSTRY_TERMS_PATH, f"term {term!r} repeated or not Chinese")
            terms[term] = group["group"]
    for term in industry["modifiers"]:
        if term in terms:
            raise _data_error(INDUSTRY_TERMS_PATH, f"modifier {term!r} is also a term")
        terms[term] = ""

    forms_data = json.loads(FORMS_PATH.read_text(encoding="utf-8"))
    forms_by_type = {k: frozenset(v) for k, v in forms_data["forms_by_entity_type"].items()}
    unsupported = dict(forms_data["unsupported"])
    all_forms = sorted({f for fs in forms_by_type.values() for f in fs}, key=lambda f: -len(f))
    # Every registry entity type is either mapped or explained (imported lazily: models).
    from yingshang.registry.models import EntityType

    missing = {t.value for t in EntityType} - set(forms_by_type) - set(unsupported)
    if missing:
        raise _data_error(FORMS_PATH, f"entity types without forms: {sorted(missing)}")
    return _Data(
        prohibited,
        restricted,
        terms,
        tuple(sorted({len(t) for t in terms}, reverse=True)),
        forms_by_type,
        unsupported,
        tuple(all_forms),
    )


# --------------------------------------------------------------------------- regions

_REGION_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "林区",
    "特区",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
# Peoples named in the names of autonomous areas, dropped in the short form (广西壮族自治区 → 广西).
_ETHNIC = sorted(
    [
        "壮族",
        "回族",
        "维吾尔",
        "藏族",
        "苗族",
        "彝族",
        "土家族",
        "蒙古族",
        "朝鲜族",
        "布依族",
        "侗族",
        "瑶族",
        "白族",
        "哈尼族",
        "哈萨克族",
        "傣族",
        "黎族",
        "傈僳族",
        "佤族",
        "畲族",
        "拉祜族",
        "水族",
        "东乡族",
        "纳西族",
        "景颇族",
        "柯尔克孜族",
        "土族",
        "达斡尔族",
        "仫佬族",
        "羌族",
        "布朗族",
        "撒拉族",
        "毛南族",
        "仡佬族",
        "锡伯族",
        "阿昌族",
        "普米族",
        "塔吉克族",
        "怒族",
        "鄂温克族",
        "德昂族",
        "保安族",
        "裕固族",
        "京族",
        "塔塔尔族",
        "独龙族",
        "鄂伦春族",
        "赫哲族",
        "门巴族",
        "珞巴族",
        "基诺族",
        "满族",
        "俄罗斯族",
        "乌孜别克族",
        "各族",
    ],
    key=len,
    reverse=True,
)


def _region_forms(name: str) -> set[str]:
    """The full name and its short form (上海市 → 上海, 浦东新区 → 浦东)."""
    out = {name}
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if suffix.startswith("自治"):
                stripped = True
                while stripped:
                    stripped = False
                    for people in _ETHNIC:
                        if base.endswith(people) and len(base) - len(people) >= 2:
                            base = base[: -len(people)]
                            stripped = True
                            break
            if len(base) >= 2:
                out.add(base)
            break
    return out


def _subtree(code: str) -> list[regions.Region]:
    out: list[regions.Region] = []
    stack = [code]
    while stack:
        for child in regions.children(stack.pop()):
            out.append(child)
            stack.append(child.code)
    return out


@cache
def _region_index(region_code: str | None) -> tuple[dict[str, str], tuple[int, ...]]:
    """Region texts a name may carry → region code, and the distinct lengths, longest first.

    A text names one region, optionally preceded by its ancestors (上海浦东新区,
    江苏省南京市玄武区), each in its full or short form. A 市辖区 never stands alone: 第七条
    requires the name of its city before it. With ``region_code`` the regions are the one
    given, its ancestors and everything under it; without, every current region.
    """
    if region_code is None:
        nodes = regions.all_regions()
    else:
        path = regions.region_path(region_code)
        nodes = path + _subtree(region_code)
    index: dict[str, str] = {}
    for node in sorted(nodes, key=lambda r: r.code):
        path = regions.region_path(node.code)
        last = len(path) - 1
        first_allowed = last - 1 if node.kind == "市辖区" else last
        for start in range(first_allowed, -1, -1):
            texts = [""]
            for region in path[start:]:
                texts = [t + f for t in texts for f in sorted(_region_forms(region.name))]
            for text in texts:
                index.setdefault(text, node.code)
    return index, tuple(sorted({len(t) for t in index}, reverse=True))


@cache
def _bare_district_names() -> frozenset[str]:
    """Names of 市辖区 on their own, full and short (浦东新区, 浦东): not a region alone."""
    out: set[str] = set()
    for region in regions.all_regions():
        if region.kind == "市辖区":
            out |= _region_forms(region.name)
    return frozenset(out)


def _region_prefix(body: str, index: dict[str, str], lengths: tuple[int, ...]) -> str:
    for length in lengths:
        if length < len(body) and body[:length] in index:
            return body[:length]
    return ""


# --------------------------------------------------------------------------- parsing


def _invalid(rule: str, message: str, **extra: Any) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"rule": rule, "field": "name", **extra})


def _normalise(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name if name is not None else "")).strip()
    return text.replace("(", OPEN).replace(")", CLOSE)


def _check_characters(text: str) -> None:
    for position, ch in enumerate(text):
        if not (_is_han(ch) or ch in (OPEN, CLOSE)):
            kind = (
                _("阿拉伯数字")
                if ch.isdigit()
                else _("外文或拼音字母")
                if ch.isascii() and ch.isalpha()
                else _("空格")
                if ch.isspace()
                else _("符号")
            )
            raise _invalid(
                "characters",
                _(
                    "企业名称应当使用规范汉字（%(article)s），第%(position)d个字符“%(char)s”是"
                    "%(kind)s，不能使用。"
                )
                % {"article": ART_CHARACTERS, "position": position + 1, "char": ch, "kind": kind},
                position=position,
            )
    depth = 0
    for position, ch in enumerate(text):
        depth += 1 if ch == OPEN else -1 if ch == CLOSE else 0
        if depth not in (0, 1) or (ch == CLOSE and text[position - 1] == OPEN):
            raise _invalid(
                "parentheses",
                _("企业名称中的括号不成对、嵌套或为空，请检查第%(position)d个字符。")
                % {"position": position + 1},
                position=position,
            )
    if depth:
        raise _invalid("parentheses", _("企业名称中的括号不成对。"))


def _allowed_forms(entity_type: object) -> frozenset[str] | None:
    if entity_type is None or entity_type == "":
        return None
    data = _data()
    value = str(getattr(entity_type, "value", entity_type))
    if value in data.unsupported_types:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            data.unsupported_types[value],
            {"rule": "entity_type_unsupported", "field": "entity_type"},
        )
    forms = data.forms_by_type.get(value)
    if forms is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("未知的市场主体类型“%(value)s”。") % {"value": value},
            {"rule": "entity_type", "field": "entity_type"},
        )
    return forms


def _split_industry(core: str) -> tuple[str, tuple[str, ...]]:
    """Strip industry terms from the end, longest first, leaving at least one character.

    A one-character remainder is then refused as too short a 字号 (上海鑫贸易有限公司).
    """
    data = _data()
    terms: list[str] = []
    end = len(core)
    while True:
        for length in data.term_lengths:
            if end - length >= 1 and core[end - length : end] in data.terms:
                terms.append(core[end - length : end])
                end -= length
                break
        else:
            break
    return core[:end], tuple(reversed(terms))


def _has_industry(terms: tuple[str, ...]) -> bool:
    data = _data()
    return any(data.terms[t] for t in terms)


def _hits(text: str, index: dict[str, tuple[_Word, ...]]) -> list[tuple[int, _Word]]:
    out: list[tuple[int, _Word]] = []
    for position, ch in enumerate(text):
        for word in index.get(ch, ()):
            if text.startswith(word.word, position):
                after = position + len(word.word)
                if not any(text.startswith(e, after) for e in word.except_followed_by):
                    out.append((position, word))
                    break
    return out


def name_parse(
    name: str,
    *,
    region_code: str | None = None,
    entity_type: str | None = None,
    registered: bool = False,
    industry_required: bool = False,
) -> NameParts:
    """Split a declared enterprise name into its parts, or raise INVALID_INPUT.

    ``region_code`` (GB/T 2260) is where the enterprise is registered: the name's region must
    be that region, one above it or one under it (a city-wide authority: 上海 or 上海浦东新区).
    Without it any current region is accepted. ``entity_type`` is an
    :class:`~yingshang.registry.models.EntityType` value whose organisational forms the name
    must end with. ``registered=True`` parses a name already on the register for the conflict
    index: it tolerates what older rules allowed (no region, other characters) and does not
    check words. ``industry_required`` refuses a name without an industry term (otherwise it
    is allowed for 跨行业综合经营, 第六条, and flagged ``no_industry``).

    ``details["rule"]`` is one of: empty, too_long, characters, parentheses, form_missing,
    form_mismatch, region_missing, region_outside, district_without_city, trade_name_too_short,
    industry_missing, prohibited_word (and entity_type / entity_type_unsupported with
    ``field`` = ``entity_type``).
    """
    text = _normalise(name)
    if registered:
        text = "".join(text.split())
    if not text:
        raise _invalid("empty", _("请填写企业名称。"))
    if len(text) > MAX_NAME_LENGTH:
        raise _invalid(
            "too_long",
            _("企业名称最多 %(limit)d 个字，现有 %(length)d 个，请删减。")
            % {"limit": MAX_NAME_LENGTH, "length": len(text)},
        )
    if not registered:
        _check_characters(text)
    data = _data()
    allowed = _allowed_forms(entity_type)

    # 组织形式 (第十条): the longest known form at the end.
    form = next((f for f in data.forms if text.endswith(f) and len(f) < len(text)), "")
    if not form:
        raise _invalid(
            "form_missing",
            _(
                "企业名称应当以组织形式结尾（如“有限公司”“股份有限公司”“合伙企业（有限合伙）”），"
                "依据%(article)s。"
            )
            % {"article": ART_FORM},
        )
    if allowed is not None and form not in allowed:
        raise _invalid(
            "form_mismatch",
            _("组织形式“%(form)s”与所选的市场主体类型不符，应为：%(allowed)s（%(article)s）。")
            % {
                "form": form,
                "allowed": "、".join(sorted(allowed, key=len, reverse=True)),
                "article": ART_FORM,
            },
            form=form,
        )
    body = text[: -len(form)]

    # 行政区划 (第六条、第七条): in front, in parentheses after the 字号, or inline.
    index, lengths = _region_index(region_code)
    region_text = _region_prefix(body, index, lengths)
    placement: RegionPlacement = "prefix"
    core = body[len(region_text) :]
    start = body.find(OPEN) if not region_text else -1
    end = body.find(CLOSE, start) if start >= 0 else -1
    if start >= 0 and end < 0 and not registered:
        raise _invalid("parentheses", _("名称中的括号不成对，请补全或删去括号。"))
    if start >= 0 and end >= 0:
        inside = body[start + 1 : end]
        if start >= MIN_TRADE_NAME_LENGTH and (inside in index or inside == "中国"):
            region_text, placement = inside, "parenthesized"
            core = body[:start] + body[end + 1 :]
    if not region_text:
        for position in range(MIN_TRADE_NAME_LENGTH, len(body) - 1):
            found = _region_prefix(body[position:], index, lengths)
            if found:
                rest = body[position + len(found) :]
                _trade, terms = _split_industry(body[:position] + rest)
                if _has_industry(terms) and "".join(terms) == rest:
                    region_text, placement, core = found, "inline", body[:position] + rest
                    break
    if not region_text:
        if not registered:
            raise _region_error(body, region_code)
        placement = "none"
    if OPEN in core or CLOSE in core:
        raise _invalid(
            "parentheses",
            _("括号只能用于行政区划（如“鑫达（上海）贸易有限公司”）或合伙企业的组织形式。"),
        )

    # 字号 (第八条) and 行业 (第九条).
    trade_name, terms = _split_industry(core)
    if len(trade_name) < MIN_TRADE_NAME_LENGTH:
        raise _invalid(
            "trade_name_too_short",
            _("字号应当由两个以上汉字组成（%(article)s），“%(trade)s”不足两个字。")
            % {"article": ART_TRADE_NAME, "trade": trade_name},
        )
    has_industry = _has_industry(terms)
    if industry_required and not has_industry:
        raise _invalid(
            "industry_missing",
            _("企业名称应当依据主营业务标明行业或者经营特点（如“贸易”“科技”），依据%(article)s。")
            % {"article": ART_INDUSTRY},
        )

    flags: list[NameFlag] = []
    if not registered:
        for position, word in _hits(text, data.prohibited):
            raise _invalid(
                "prohibited_word",
                _("企业名称不得含有“%(word)s”（%(article)s）。")
                % {"word": word.word, "article": word.article},
                word=word.word,
                category=word.category,
                article=word.article,
                position=position,
            )
        for _position, word in _hits(text, data.restricted):
            flags.append(
                NameFlag(
                    "restricted_word",
                    word.word,
                    word.article,
                    _("含有限用字词“%(word)s”：%(reason)s。")
                    % {"word": word.word, "reason": word.reason},
                )
            )
        if trade_name in _region_index(None)[0] or trade_name in _bare_district_names():
            flags.append(
                NameFlag(
                    "trade_name_is_region",
                    trade_name,
                    ART_TRADE_NAME,
                    _("县级以上地方行政区划名称不得作为字号，另有含义的除外，需人工审核。"),
                )
            )
        if trade_name in data.terms:
            flags.append(
                NameFlag(
                    "trade_name_is_industry",
                    trade_name,
                    ART_TRADE_NAME,
                    _("行业或者经营特点不得作为字号，另有含义的除外，需人工审核。"),
                )
            )
        if not has_industry:
            flags.append(
                NameFlag(
                    "no_industry",
                    "",
                    ART_COMPOSITION,
                    _("名称未标明行业或者经营特点，仅限跨行业综合经营的企业，需声明并审核。"),
                )
            )
    return NameParts(
        name=text,
        region_text=region_text,
        trade_name=trade_name,
        industry_text="".join(terms),
        form=form,
        region_code=index.get(region_text) if region_text else None,
        region_placement=placement,
        industry_terms=terms,
        flags=tuple(flags),
    )


def _region_error(body: str, region_code: str | None) -> DomainError:
    for name in sorted(_bare_district_names(), key=len, reverse=True):
        if len(name) >= 3 and body.startswith(name):  # full names only (浦东新区, 黄浦区)
            return _invalid(
                "district_without_city",
                _(
                    "企业名称中使用市辖区名称“%(district)s”时，应当同时冠以其所属市的名称"
                    "（如“上海%(district)s”），依据%(article)s。"
                )
                % {"district": name, "article": ART_REGION},
            )
    if region_code is not None:
        national, lengths = _region_index(None)
        found = _region_prefix(body, national, lengths)
        if found:
            return _invalid(
                "region_outside",
                _(
                    "行政区划“%(region)s”不是企业所在地（%(here)s）或其上级、下级的行政区划名称，"
                    "依据%(article)s。"
                )
                % {
                    "region": found,
                    "here": regions.region_full_name(region_code),
                    "article": ART_REGION,
                },
            )
    return _invalid(
        "region_missing",
        _(
            "企业名称应当含有企业所在地县级以上地方行政区划名称（如“上海”“上海浦东新区”），"
            "置于名称最前或字号之后，依据%(articles)s。"
        )
        % {"articles": f"{ART_COMPOSITION}、{ART_REGION}"},
    )


# --------------------------------------------------------------------------- keys

_PINYIN: dict[str, str] = {}


def _pinyin(ch: str) -> str:
    syllable = _PINYIN.get(ch)
    if syllable is None:
        syllable = lazy_pinyin(ch, style=Style.NORMAL, errors="default")[0]
        _PINYIN[ch] = syllable
    return syllable


def industry_group(terms: Iterable[str]) -> str:
    """The canonical industry of some terms: their synonym groups, sorted, joined by "+".

    Modifiers (发展, 控股 ...) do not count; no industry at all gives "".
    """
    table = _data().terms
    groups = sorted({table.get(t, t) for t in terms} - {""})
    return "+".join(groups)


def name_keys(parts: NameParts) -> NameKeys:
    """The comparison keys of a parsed name (cheap: dictionary look-ups only).

    ``identical_key`` is 字号 + 行业 text: the name without region and form, so names that
    differ only in region, form or where the region stands share it (133号 第三条).
    """
    trade = parts.trade_name
    group = industry_group(parts.industry_terms)
    return NameKeys(
        identical_key=trade + parts.industry_text,
        trade_name=trade,
        pinyin_key="-".join([_pinyin(c) for c in trade]),
        industry_group=group,
        anagram_key="".join(sorted(trade)) + "|" + group,
    )


def trade_name_substrings(trade_name: str) -> frozenset[str]:
    """Every part of a 字号 of two or more characters, shorter than the whole (for containment)."""
    n = len(trade_name)
    return frozenset(
        trade_name[i:j]
        for i in range(n)
        for j in range(i + MIN_TRADE_NAME_LENGTH, n + 1)
        if j - i < n
    )


# --------------------------------------------------------------------------- comparison


def name_compare(proposed: NameParts, existing: NameParts) -> Comparison:
    """Classify ``proposed`` against ``existing``: identical (conflict), similar, different.

    Identical (相同):
      * same 字号 + 行业 text, whatever the region, form or order of the parts
        (133号 第三条第（二）、（三）项);
      * same 字号 and the same industry, including synonymous industry terms, or one of the two
        without any industry term (第十七条: 字号 not the same as that of a name in the same
        industry or without an industry).
    Similar (相近, a risk warning) within the same industry (or either without one):
      * 字号 pronounced the same, written differently (133号 第四条第（二）项);
      * one 字号 contains the other (two characters or more, 133号 第四条第（三）项);
      * the same characters in another order.
    Everything else is different.
    """
    kp, ke = name_keys(proposed), name_keys(existing)
    other = existing.name
    if kp.identical_key == ke.identical_key:
        return Comparison(
            "identical",
            "identical_text",
            _("与已有名称“%(name)s”的字号和行业表述相同，仅行政区划、组织形式或排列顺序不同。")
            % {"name": other},
            ART_COMPARE_SAME,
        )
    same_industry = (
        kp.industry_group == ke.industry_group or not kp.industry_group or not ke.industry_group
    )
    if not same_industry:
        return Comparison(
            "different",
            "other_industry",
            _("与“%(name)s”行业不同。") % {"name": other},
        )
    if kp.trade_name == ke.trade_name:
        if kp.industry_group and ke.industry_group:
            reason = _("与已有名称“%(name)s”字号相同，行业表述“%(a)s”与“%(b)s”属同一行业。")
            values = {"name": other, "a": proposed.industry_text, "b": existing.industry_text}
        else:
            reason = _("与已有名称“%(name)s”字号相同，其中一方未标明行业，视为同行业。")
            values = {"name": other}
        return Comparison("identical", "same_trade_name_same_industry", reason % values, ART_SAME)
    if kp.pinyin_key == ke.pinyin_key:
        return Comparison(
            "similar",
            "homophone",
            _("字号“%(a)s”与已有名称“%(name)s”的字号“%(b)s”读音相同（%(pinyin)s），同行业。")
            % {"a": kp.trade_name, "b": ke.trade_name, "name": other, "pinyin": kp.pinyin_key},
            ART_COMPARE_NEAR,
        )
    shorter, longer = sorted((kp.trade_name, ke.trade_name), key=len)
    if len(shorter) >= MIN_TRADE_NAME_LENGTH and shorter in longer:
        return Comparison(
            "similar",
            "containment",
            _("字号“%(a)s”与已有名称“%(name)s”的字号“%(b)s”存在包含关系，同行业。")
            % {"a": kp.trade_name, "b": ke.trade_name, "name": other},
            ART_COMPARE_NEAR,
        )
    if kp.anagram_key == ke.anagram_key:
        return Comparison(
            "similar",
            "reordered_trade_name",
            _("字号“%(a)s”与已有名称“%(name)s”的字号“%(b)s”用字相同、顺序不同，同行业。")
            % {"a": kp.trade_name, "b": ke.trade_name, "name": other},
            ART_COMPARE_NEAR,
        )
    return Comparison(
        "different", "different_trade_name", _("与“%(name)s”字号不同。") % {"name": other}
    )
