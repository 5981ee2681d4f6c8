"""W3C Verifiable Credentials Data Model 2.0 conformance (可验证凭证数据模型 2.0 合规校验).

:func:`credential_validate` checks a credential (unsecured or secured, as JSON) against the
data-model rules of VCDM 2.0 and returns every problem it finds, each with a stable code and
a plain Chinese message naming the property. An empty list means the credential conforms.
The rules are the ones exercised by the W3C *vc-data-model-2.0-test-suite* inputs kept in
the shared reference data (``w3c-vc/conformance-fixtures``); the section of the
Recommendation each rule comes from is named beside it.

Whether a type is defined, and whether the contexts are consistent (no redefinition of the
``@protected`` VCDM terms, no term mapped to something that is not an IRI), is decided by
JSON-LD expansion with pyld. As in :mod:`yingshang.licences.dataintegrity`, pyld gets a
per-call ``documentLoader`` (the offline loader of bundled contexts unless the caller passes
another) and a private ``contextResolver`` cache; nothing is ever fetched from the network
and pyld's global state is never used.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import threading
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyld import jsonld
from pyld.jsonld import LRUCache  # pyld's own cache class (cachetools)

from yingshang.core.errors import DomainError
from yingshang.licences.documents import (
    BUNDLED_CONTEXTS,
    CREDENTIALS_V2,
    DocumentLoader,
    domain_error_in,
    jsonld_expand,
    jsonld_options,
    offline_loader,
)

VERIFIABLE_CREDENTIAL = "VerifiableCredential"
VERIFIABLE_CREDENTIAL_IRI = "https://www.w3.org/2018/credentials#VerifiableCredential"


class ProblemCode(enum.StrEnum):
    """What kind of rule a credential breaks (machine-readable; messages are in Chinese)."""

    DOCUMENT = "DOCUMENT"
    CONTEXT = "CONTEXT"
    TYPE = "TYPE"
    ID = "ID"
    ISSUER = "ISSUER"
    SUBJECT = "SUBJECT"
    VALIDITY = "VALIDITY"
    LANGUAGE_VALUE = "LANGUAGE_VALUE"
    MISSING_TYPE = "MISSING_TYPE"


@dataclass(frozen=True)
class Problem:
    """One broken rule: its code, the property (a path such as ``credentialStatus[1].id``)."""

    code: ProblemCode
    property: str
    message: str


@dataclass(frozen=True)
class _TypedResource:
    """A property whose values are objects that MUST carry ``type`` (and maybe ``id``)."""

    name: str
    id_required: bool
    basis: str


#: VCDM 2.0: each of these objects MUST have a ``type``; ``id``, where present, is one URL.
TYPED_RESOURCES: tuple[_TypedResource, ...] = (
    _TypedResource("credentialStatus", id_required=False, basis="VCDM 2.0 §4.10 Status"),
    _TypedResource("credentialSchema", id_required=True, basis="VCDM 2.0 §4.11 Data Schemas"),
    _TypedResource("refreshService", id_required=False, basis="VCDM 2.0 §5.4 Refreshing"),
    _TypedResource("termsOfUse", id_required=False, basis="VCDM 2.0 §5.5 Terms of Use"),
    _TypedResource("evidence", id_required=False, basis="VCDM 2.0 §5.6 Evidence"),
    _TypedResource("proof", id_required=False, basis="VC Data Integrity 1.0 §2.1 Proofs"),
)

# An absolute URL (RFC 3986 scheme ":" rest) with no whitespace or characters URLs never hold.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+", re.ASCII)

# XML Schema dateTimeStamp: a dateTime with a required time zone (VCDM 2.0 §4.9).
_DATETIME_STAMP = re.compile(
    r"(?P<year>-?\d{4,})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)

_LANGUAGE_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})
_DIRECTIONS = frozenset({"ltr", "rtl"})


def is_url(value: object) -> bool:
    """Whether ``value`` is a string holding an absolute URL (``https:…``, ``did:…``, …)."""
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def credential_validate(
    document: dict[str, Any],
    *,
    document_loader: DocumentLoader | None = None,
    expansion: list[tuple[Any, set[str]]] | None = None,
) -> list[Problem]:
    """Every VCDM 2.0 conformance problem of ``document``; an empty list means it conforms.

    ``document_loader`` defaults to the offline loader of bundled contexts; a context it does
    not serve is reported as a ``CONTEXT`` problem (it is refused, never fetched).
    """
    if not isinstance(document, dict):
        return [Problem(ProblemCode.DOCUMENT, "", _("凭证必须是 JSON 对象。"))]
    problems: list[Problem] = []
    context_ok = _check_context(document, problems)
    _check_type(document, problems)
    _check_id(document, "id", "id", problems)
    _check_issuer(document, problems)
    _check_subjects(document, problems)
    _check_validity(document, problems)
    _check_language_values(document, "", problems)
    for resource in TYPED_RESOURCES:
        _check_typed_resource(document, resource, problems)
    if context_ok:
        loader = document_loader or offline_loader()
        if expansion is None:
            _check_expansion_remembered(document, loader, problems)
        else:
            _check_expansion(document, loader, problems, expansion)
    return problems


# What the expansion check finds depends on the contexts, the keys, the types and the kinds
# of the values, never on the other strings (names, addresses, dates ...). For documents
# that use only bundled contexts by URL, its findings are remembered by that shape, so
# verifying the ten-thousandth licence of a kind does not expand it again.
_EXPANSION_FINDINGS: LRUCache[Hashable, tuple[Problem, ...]] = LRUCache(maxsize=1024)
_EXPANSION_FINDINGS_LOCK = threading.Lock()
_TYPE_KEYS = frozenset({"type", "@type"})  # the bundled contexts alias @type only as "type"


def _bundled_urls(contexts: object) -> tuple[str, ...]:
    """The context URLs, if every one is bundled; else the shape is not remembered."""
    urls = contexts if isinstance(contexts, list) else [contexts]
    if not all(isinstance(url, str) and url in BUNDLED_CONTEXTS for url in urls):
        raise _NoShape
    return tuple(urls)


def _shape(value: object, key: str | None = None) -> Hashable:
    if isinstance(value, dict):
        return (
            "{",
            tuple(
                (k, _bundled_urls(v) if k == "@context" else _shape(v, k))
                for k, v in sorted(value.items())
            ),
        )
    if isinstance(value, list):
        return ("[", tuple(_shape(item, key) for item in value))
    if key in _TYPE_KEYS:
        return ("=", value)
    return type(value).__name__


class _NoShape(Exception):
    """The document has an inline or unbundled context: its findings are not remembered."""


def _expansion_shape(document: dict[str, Any]) -> Hashable | None:
    try:
        return _shape(document)
    except _NoShape:
        return None


def _check_expansion_remembered(
    document: dict[str, Any], loader: DocumentLoader, problems: list[Problem]
) -> None:
    shape = _expansion_shape(document) if loader is offline_loader() else None
    if shape is None:
        _check_expansion(document, loader, problems, None)
        return
    key = (shape, bool(problems))  # an earlier DOCUMENT problem changes what is reported
    with _EXPANSION_FINDINGS_LOCK:
        found = _EXPANSION_FINDINGS.get(key)
    if found is None:
        scratch = list(problems)
        _check_expansion(document, loader, scratch, None)
        found = tuple(scratch[len(problems) :])
        with _EXPANSION_FINDINGS_LOCK:
            _EXPANSION_FINDINGS[key] = found
    problems.extend(found)


# --- §4.3 Contexts ---------------------------------------------------------------------------


def _check_context(document: dict[str, Any], problems: list[Problem]) -> bool:
    """VCDM 2.0 §4.3: ``@context`` is an ordered set whose first item is the v2 URL."""
    if "@context" not in document:
        problems.append(Problem(ProblemCode.CONTEXT, "@context", _("凭证缺少 @context。")))
        return False
    context = document["@context"]
    items = context if isinstance(context, list) else [context]
    ok = True
    if not items or items[0] != CREDENTIALS_V2:
        problems.append(
            Problem(
                ProblemCode.CONTEXT,
                "@context",
                _("@context 的第一项必须是 %(url)s。") % {"url": CREDENTIALS_V2},
            )
        )
        ok = False
    for index, item in enumerate(items[1:], start=1):
        if not (is_url(item) or isinstance(item, dict)):
            problems.append(
                Problem(
                    ProblemCode.CONTEXT,
                    f"@context[{index}]",
                    _("@context 的第 %(n)d 项必须是 URL 或上下文对象。") % {"n": index + 1},
                )
            )
            ok = False
    return ok


# --- §4.5 Types ------------------------------------------------------------------------------


def _check_type(document: dict[str, Any], problems: list[Problem]) -> None:
    """VCDM 2.0 §4.5: ``type`` is required and includes ``VerifiableCredential``."""
    if "type" not in document:
        problems.append(Problem(ProblemCode.TYPE, "type", _("凭证缺少 type 属性。")))
        return
    types = _type_values(document["type"])
    if types is None:
        problems.append(Problem(ProblemCode.TYPE, "type", _("type 必须是字符串或字符串数组。")))
    elif VERIFIABLE_CREDENTIAL not in types:
        problems.append(
            Problem(
                ProblemCode.TYPE,
                "type",
                _("type 必须包含 %(type)s。") % {"type": VERIFIABLE_CREDENTIAL},
            )
        )


def _type_values(value: object) -> list[str] | None:
    """The type names of a ``type`` value, or ``None`` if it is not a string or string list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return list(value)
    return None


# --- §4.4 Identifiers ------------------------------------------------------------------------


def _check_id(holder: dict[str, Any], key: str, path: str, problems: list[Problem]) -> None:
    """VCDM 2.0 §4.4: an ``id``, where present, is one URL (not a list, not null)."""
    if key not in holder:
        return
    value = holder[key]
    if isinstance(value, list):
        message = _("%(property)s 只能是一个 URL，不能是数组。") % {"property": path}
    elif not is_url(value):
        message = _("%(property)s 必须是 URL。") % {"property": path}
    else:
        return
    problems.append(Problem(ProblemCode.ID, path, message))


# --- §4.7 Issuer -----------------------------------------------------------------------------


def _check_issuer(document: dict[str, Any], problems: list[Problem]) -> None:
    """VCDM 2.0 §4.7: ``issuer`` is a URL or an object whose ``id`` is a URL."""
    if "issuer" not in document:
        problems.append(Problem(ProblemCode.ISSUER, "issuer", _("凭证缺少 issuer（签发者）。")))
        return
    issuer = document["issuer"]
    if isinstance(issuer, dict):
        if not is_url(issuer.get("id")):
            problems.append(
                Problem(ProblemCode.ISSUER, "issuer.id", _("issuer 对象的 id 必须是 URL。"))
            )
        _check_language_values(issuer, "issuer.", problems)
    elif not is_url(issuer):
        problems.append(
            Problem(ProblemCode.ISSUER, "issuer", _("issuer 必须是 URL 或带有 URL id 的对象。"))
        )


# --- §4.8 Credential Subject -----------------------------------------------------------------


def _check_subjects(document: dict[str, Any], problems: list[Problem]) -> None:
    """VCDM 2.0 §4.8: ``credentialSubject`` is required; each subject makes claims."""
    if "credentialSubject" not in document:
        problems.append(
            Problem(ProblemCode.SUBJECT, "credentialSubject", _("凭证缺少 credentialSubject。"))
        )
        return
    for path, subject in _entries(document["credentialSubject"], "credentialSubject"):
        if not isinstance(subject, dict):
            problems.append(
                Problem(
                    ProblemCode.SUBJECT, path, _("%(property)s 必须是对象。") % {"property": path}
                )
            )
        elif not subject:
            problems.append(
                Problem(
                    ProblemCode.SUBJECT,
                    path,
                    _("%(property)s 不能为空，必须至少包含一项声明或 id。") % {"property": path},
                )
            )
        else:
            _check_id(subject, "id", f"{path}.id", problems)


def _entries(value: object, name: str) -> Iterator[tuple[str, object]]:
    """``(path, item)`` for a value that may be one item or an array of items."""
    if isinstance(value, list):
        if not value:
            yield name, None
        for index, item in enumerate(value):
            yield f"{name}[{index}]", item
    else:
        yield name, value


# --- §4.9 Validity Period --------------------------------------------------------------------


def _check_validity(document: dict[str, Any], problems: list[Problem]) -> None:
    """VCDM 2.0 §4.9: ``validFrom``/``validUntil`` are dateTimeStamps, in order."""
    moments: dict[str, dt.datetime | None] = {}
    for key in ("validFrom", "validUntil"):
        if key not in document:
            continue
        valid, moment = _parse_datetime_stamp(document[key])
        if not valid:
            problems.append(
                Problem(
                    ProblemCode.VALIDITY,
                    key,
                    _("%(property)s 必须是带时区的日期时间（如 2026-01-01T00:00:00Z）。")
                    % {"property": key},
                )
            )
        moments[key] = moment
    start, end = moments.get("validFrom"), moments.get("validUntil")
    if start is not None and end is not None and end < start:
        problems.append(
            Problem(ProblemCode.VALIDITY, "validUntil", _("validUntil 不能早于 validFrom。"))
        )


def _parse_datetime_stamp(value: object) -> tuple[bool, dt.datetime | None]:
    """``(valid, moment)``; ``moment`` is ``None`` where Python cannot hold it (year > 9999)."""
    if not isinstance(value, str):
        return False, None
    match = _DATETIME_STAMP.fullmatch(value)
    if match is None:
        return False, None
    try:
        return True, dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # Beyond datetime's range the form is still a valid xsd:dateTimeStamp.
        year = match.group("year")
        return len(year.lstrip("-")) > 4 or year.startswith("-"), None


# --- §4.6 Names and Descriptions -------------------------------------------------------------


def _check_language_values(holder: dict[str, Any], prefix: str, problems: list[Problem]) -> None:
    """VCDM 2.0 §4.6: ``name``/``description`` are strings or language value objects."""
    for key in ("name", "description"):
        if key not in holder:
            continue
        for path, value in _entries(holder[key], prefix + key):
            message = _language_value_problem(value, path)
            if message is not None:
                problems.append(Problem(ProblemCode.LANGUAGE_VALUE, path, message))


def _language_value_problem(value: object, path: str) -> str | None:
    if isinstance(value, str):
        return None
    if not isinstance(value, dict):
        return _("%(property)s 必须是字符串或语言值对象。") % {"property": path}
    extra = sorted(set(value) - _LANGUAGE_VALUE_KEYS)
    if extra:
        return _(
            "%(property)s 的语言值对象只能有 @value、@language、@direction，不能有 %(extra)s。"
        ) % {
            "property": path,
            "extra": "、".join(extra),
        }
    if not isinstance(value.get("@value"), str):
        return _("%(property)s 的 @value 必须是字符串。") % {"property": path}
    if "@language" in value and not isinstance(value["@language"], str):
        return _("%(property)s 的 @language 必须是语言标签字符串。") % {"property": path}
    if "@direction" in value and value["@direction"] not in _DIRECTIONS:
        return _("%(property)s 的 @direction 只能是 ltr 或 rtl。") % {"property": path}
    return None


# --- §4.10, §4.11, §5.4–5.6 and proofs: objects that must have a type ------------------------


def _check_typed_resource(
    document: dict[str, Any], resource: _TypedResource, problems: list[Problem]
) -> None:
    if resource.name not in document:
        return
    for path, item in _entries(document[resource.name], resource.name):
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    ProblemCode.MISSING_TYPE,
                    path,
                    _("%(property)s 必须是对象。") % {"property": path},
                )
            )
            continue
        if "type" not in item:
            problems.append(
                Problem(
                    ProblemCode.MISSING_TYPE,
                    f"{path}.type",
                    _("%(property)s 缺少 type 属性。") % {"property": path},
                )
            )
        elif _type_values(item["type"]) is None:
            problems.append(
                Problem(
                    ProblemCode.TYPE,
                    f"{path}.type",
                    _("%(property)s.type 必须是字符串或字符串数组。") % {"property": path},
                )
            )
        if resource.id_required and "id" not in item:
            problems.append(
                Problem(
                    ProblemCode.ID,
                    f"{path}.id",
                    _("%(property)s 缺少 id 属性。") % {"property": path},
                )
            )
        _check_id(item, "id", f"{path}.id", problems)


# --- JSON-LD: every type defined, contexts consistent ----------------------------------------


def _check_expansion(
    document: dict[str, Any],
    loader: DocumentLoader,
    problems: list[Problem],
    expansion: list[tuple[Any, set[str]]] | None,
) -> None:
    """Expand offline; every ``@type`` must expand to an absolute IRI (§4.5 "defined").

    ``expansion``, if given, receives the expanded document and the properties expansion
    dropped, so that a verifier can canonicalize from them instead of expanding again.
    """
    # pyld deep-copies its input: a shallow copy with the adjusted context is enough.
    prepared = {**document, "@context": _without_noop_vocab_reset(document["@context"], loader)}
    try:
        # base=None: with pyld's default (""), relative IRIs are silently resolved against
        # pyld's DEFAULT_BASE_IRI (http://example.org/base/) and an undefined type would
        # look like a URL.
        dropped: set[str] = set()
        expanded = jsonld_expand(
            prepared,
            jsonld_options(loader, base=None),
            on_property_dropped=lambda term: dropped.add(str(term)),
        )
    except jsonld.JsonLdError as exc:
        problem = _expansion_problem(exc)
        # A malformed id or type already reported above also stops pyld: say it once.
        if not (problems and problem.code == ProblemCode.DOCUMENT):
            problems.append(problem)
        return
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # pyld itself failed on an unusual context: report it rather than crash.
        problems.append(
            Problem(
                ProblemCode.CONTEXT,
                "@context",
                _("JSON-LD 处理器无法处理该上下文（%(error)s）。") % {"error": type(exc).__name__},
            )
        )
        return
    undefined = sorted({t for t in _expanded_types(expanded) if not is_url(t)})
    for name in undefined:
        problems.append(
            Problem(
                ProblemCode.TYPE,
                "type",
                _("类型 %(type)s 未在 @context 中定义，也不是 URL。") % {"type": name},
            )
        )
    top_types = expanded[0].get("@type", []) if len(expanded) == 1 else []
    compact_types = _type_values(document.get("type")) or []
    if VERIFIABLE_CREDENTIAL in compact_types and VERIFIABLE_CREDENTIAL_IRI not in top_types:
        problems.append(
            Problem(
                ProblemCode.TYPE,
                "type",
                _("type 中的 VerifiableCredential 没有按 VCDM 2.0 上下文展开。"),
            )
        )
    if expansion is not None:
        expansion.append((expanded, dropped))


#: pyld error codes that mean the contexts themselves are wrong (JSON-LD 1.1 API §9.4.2).
_CONTEXT_ERRORS: dict[str, Any] = {
    "protected term redefinition": gettext_lazy(
        "@context 重新定义了受保护的术语（例如 VCDM 2.0 的术语）。"
    ),
    "invalid IRI mapping": gettext_lazy("@context 把术语映射到了不是 IRI 的值。"),
}


def _expansion_problem(exc: jsonld.JsonLdError) -> Problem:
    refused = domain_error_in(exc)
    if refused is not None:
        return Problem(ProblemCode.CONTEXT, "@context", refused.message)
    code = str(getattr(exc, "code", None) or type(exc).__name__)
    if code in _CONTEXT_ERRORS:
        return Problem(ProblemCode.CONTEXT, "@context", str(_CONTEXT_ERRORS[code]))
    if "context" in code:
        message = _("JSON-LD 上下文无法处理（%(code)s）。") % {"code": code}
        return Problem(ProblemCode.CONTEXT, "@context", message)
    message = _("凭证不是合法的 JSON-LD（%(code)s）。") % {"code": code}
    return Problem(ProblemCode.DOCUMENT, "", message)


def _expanded_types(node: object) -> Iterator[str]:
    """Every ``@type`` value of node objects in expanded JSON-LD (value objects excluded)."""
    if isinstance(node, list):
        for item in node:
            yield from _expanded_types(item)
    elif isinstance(node, dict):
        if "@value" not in node:
            for value in node.get("@type", []):
                if isinstance(value, str):
                    yield value
        for key, value in node.items():
            if key != "@type":
                yield from _expanded_types(value)


def _without_noop_vocab_reset(context: object, loader: DocumentLoader) -> object:
    """The top-level ``@context`` without ``"@vocab": null`` entries that change nothing.

    Resetting ``@vocab`` when no vocabulary mapping is active is a no-op in JSON-LD 1.1, but
    pyld 3.3.0 raises ``KeyError`` on it (it deletes a key that is not there). Dropping
    exactly those entries keeps the meaning and lets undefined types be reported as such.
    """
    if not isinstance(context, list):
        return context
    vocab_active = False
    result: list[object] = []
    for item in context:
        if isinstance(item, str):
            vocab_active = _remote_sets_vocab(item, loader, vocab_active)
        elif isinstance(item, dict) and "@vocab" in item:
            if item["@vocab"] is None and not vocab_active:
                item = {key: value for key, value in item.items() if key != "@vocab"}
            else:
                vocab_active = item["@vocab"] is not None
        result.append(item)
    return result


def _remote_sets_vocab(url: str, loader: DocumentLoader, vocab_active: bool) -> bool:
    try:
        remote = loader(url, None)
    except DomainError:
        return vocab_active  # expansion reports the refused context
    body = remote.get("document")
    context = body.get("@context") if isinstance(body, dict) else None
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, dict) and "@vocab" in item:
            vocab_active = item["@vocab"] is not None
    return vocab_active
