"""Reading shipped JSON data (catalogues, word lists) strictly, with messages that point.

A :class:`Where` is a position in the data: a dotted path (for ``details["field"]``) and
a Chinese label (for the message). The readers check one value each and raise
``DomainError(INVALID_INPUT, "<label> 的字段“key”：<problem>", {"field": path})``;
:func:`json_file_read` refuses unreadable files, invalid JSON and duplicate keys.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode


def json_file_read(path: Path, root: Where, *, what: str) -> Any:
    """Parse the JSON file at ``path`` (``what`` names it in messages, e.g. 事项目录)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise root.fail(
            _("无法读取%(what)s文件 %(path)s：%(error)s")
            % {"what": what, "path": path, "error": exc}
        ) from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKeyError as exc:
        raise root.fail(_("JSON 对象中字段“%(key)s”重复。") % {"key": exc.key}) from exc
    except json.JSONDecodeError as exc:
        raise root.fail(
            _("%(what)s不是有效的 JSON（第 %(line)d 行第 %(col)d 列）：%(msg)s")
            % {"what": what, "line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from exc


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


@dataclass(frozen=True, slots=True)
class Where:
    """Where in the catalogue a check is: a dotted path and a Chinese label for messages."""

    path: str
    label: str

    def child(self, key: str, label: str | None = None) -> Where:
        path = f"{self.path}.{key}" if self.path else key
        return Where(path, label if label is not None else self.label)

    def fail(self, problem: str, key: str | None = None) -> DomainError:
        path = self.child(key).path if key else self.path
        where = self.label
        if key:
            where = _("%(where)s 的字段“%(key)s”") % {"where": where, "key": key}
        return DomainError(
            ErrorCode.INVALID_INPUT,
            _("%(where)s：%(problem)s") % {"where": where, "problem": problem},
            {"field": path or "catalogue"},
        )


def fields(
    value: object, at: Where, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise at.fail(_("应为 JSON 对象。"))
    for key in required:
        if key not in value:
            raise at.fail(_("缺少字段“%(key)s”。") % {"key": key}, key)
    allowed = set(required) | set(optional)
    for key in value:
        if key not in allowed:
            raise at.fail(
                _("未知字段“%(key)s”（允许的字段：%(allowed)s）。")
                % {"key": key, "allowed": "、".join((*required, *optional))},
                key,
            )
    return cast(dict[str, Any], value)


def text(
    obj: Mapping[str, Any], key: str, at: Where, pattern: re.Pattern[str] | None = None
) -> str:
    value = obj[key]
    if not isinstance(value, str) or not value.strip():
        raise at.fail(_("应为非空文本。"), key)
    if value != value.strip():
        raise at.fail(_("首尾不能有空白。"), key)
    if pattern is not None and not pattern.fullmatch(value):
        raise at.fail(
            _("“%(value)s”格式不正确（应匹配 %(pattern)s）。")
            % {"value": value, "pattern": pattern.pattern},
            key,
        )
    return value


def boolean(obj: Mapping[str, Any], key: str, at: Where) -> bool:
    value = obj[key]
    if not isinstance(value, bool):
        raise at.fail(_("应为 true 或 false。"), key)
    return value


def integer(obj: Mapping[str, Any], key: str, at: Where, low: int, high: int) -> int:
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise at.fail(_("应为整数。"), key)
    if not low <= value <= high:
        raise at.fail(
            _("应在 %(low)d 到 %(high)d 之间，现为 %(value)d。")
            % {"low": low, "high": high, "value": value},
            key,
        )
    return value


def array(obj: Mapping[str, Any], key: str, at: Where, *, min_items: int = 0) -> list[Any]:
    value = obj[key]
    if not isinstance(value, list):
        raise at.fail(_("应为 JSON 数组。"), key)
    if len(value) < min_items:
        raise at.fail(_("至少需要 %(n)d 项。") % {"n": min_items}, key)
    return value


# --- Shared records: departments and sources ---------------------------------------------------

DEPARTMENT_CODE_RE = re.compile(r"[A-Z][A-Z0-9]{1,15}")
_SOURCE_DATE_RE = re.compile(r"[0-9]{4}(?:-[0-9]{2}-[0-9]{2})?")


@dataclass(frozen=True, slots=True)
class Department:
    """A department by function code (``SCJG`` 市场监督管理局)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Source:
    """A public document that shipped data was taken from."""

    title: str
    issued_by: str
    date: str  # "YYYY" or "YYYY-MM-DD"
    url: str | None
    note: str


def departments(obj: Mapping[str, Any], at: Where, *, label: str) -> tuple[Department, ...]:
    """The ``departments`` list: codes like ``SCJG``, each once; ``label`` names one entry."""
    found: list[Department] = []
    for index, item in enumerate(array(obj, "departments", at, min_items=1)):
        d_at = at.child(
            f"departments.{index}", _("%(label)s第 %(n)d 项") % {"label": label, "n": index + 1}
        )
        d_obj = fields(item, d_at, ("code", "name"))
        code = text(d_obj, "code", d_at, DEPARTMENT_CODE_RE)
        if any(d.code == code for d in found):
            raise d_at.fail(_("部门代码“%(code)s”重复。") % {"code": code}, "code")
        found.append(Department(code, text(d_obj, "name", d_at)))
    return tuple(found)


def source(raw: object, at: Where) -> Source:
    """One source: title, issuer, date (year or ISO date), note, optional http(s) URL."""
    obj = fields(raw, at, ("title", "issued_by", "date", "note"), ("url",))
    date = text(obj, "date", at, _SOURCE_DATE_RE)
    if len(date) > 4:
        try:
            dt.date.fromisoformat(date)
        except ValueError as exc:
            raise at.fail(_("“%(value)s”不是有效日期。") % {"value": date}, "date") from exc
    url: str | None = None
    if "url" in obj:
        url = text(obj, "url", at)
        if not url.startswith(("https://", "http://")):
            raise at.fail(_("网址应以 http:// 或 https:// 开头。"), "url")
    return Source(
        text(obj, "title", at), text(obj, "issued_by", at), date, url, text(obj, "note", at)
    )
