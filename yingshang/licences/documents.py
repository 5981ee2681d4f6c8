"""Offline JSON-LD document loader (离线 JSON-LD 上下文加载器).

pyld would otherwise fetch every ``@context`` URL over the network with ``requests``. That is
both a security hole (a credential could make the verifier fetch any URL, and a changed remote
context changes what a signature means) and a source of flaky results. This loader serves
only the contexts bundled in ``contexts/`` and refuses every other URL with a
:class:`DomainError` before anything touches the network.

pyld keeps a module-level cache of resolved contexts keyed by URL only
(``pyld.jsonld._resolved_context_cache``), shared by every call that does not pass its own
``contextResolver``. :func:`jsonld_options` therefore gives each loader its own resolver
and cache, so a context served by one loader (for example a test extension) is never seen
by another, and pyld's global ``set_document_loader`` is never touched.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.jsonld import LRUCache  # pyld's own cache class (cachetools)

from yingshang.core.errors import DomainError, ErrorCode

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
LICENCE_V1 = "https://yingshang.example/ns/licence/v1"  # our own vocabulary (营业执照)

#: URL -> bundled file in ``contexts/`` (see ``contexts/NOTICE.md`` for source and licence).
BUNDLED_CONTEXTS: dict[str, str] = {
    CREDENTIALS_V2: "credentials-v2.json",
    DATA_INTEGRITY_V2: "data-integrity-v2.json",
    MULTIKEY_V1: "multikey-v1.json",
    LICENCE_V1: "licence-v1.json",
}

RemoteDocument = dict[str, Any]
DocumentLoader = Callable[[str, Any], RemoteDocument]


@cache
def _bundled_text(filename: str) -> str:
    return (CONTEXTS_DIR / filename).read_text(encoding="utf-8")


def bundled_text(url: str) -> str:
    """The bundled context served for ``url`` (KeyError if none is bundled)."""
    return _bundled_text(BUNDLED_CONTEXTS[url])


def _remote_document(url: str, document: Any) -> RemoteDocument:
    return {"contextUrl": None, "documentUrl": url, "document": document}


class ContextRefused(DomainError):
    """A JSON-LD context that is not bundled: refused, never fetched."""

    def __init__(self, url: str) -> None:
        super().__init__(
            ErrorCode.INVALID_INPUT,
            _("不支持的 JSON-LD 上下文：%(url)s（为安全起见不从网络获取）") % {"url": url},
            {"url": url},
        )


# Resolved contexts a loader keeps per thread: the bundled contexts and every scoped context
# inside them (credentials v2 alone has dozens); too small a cache re-processes them all.
_RESOLVED_CONTEXTS = 1024


class OfflineLoader:
    """A pyld document loader over the bundled contexts plus vetted ``extra`` ones.

    Each load returns a fresh, parsed copy, so pyld can never mutate what later loads see.
    Each loader keeps its own context cache (one per thread): processed contexts are reused
    across calls with the same loader, and never shared with a loader that serves other
    documents (pyld's global cache would let one loader's contexts leak into another).
    """

    def __init__(self, extra: Mapping[str, Any] | None = None) -> None:
        self._extra_text = {url: json.dumps(doc) for url, doc in (extra or {}).items()}
        self._local = threading.local()

    def __call__(self, url: str, options: Any = None) -> RemoteDocument:
        if url in self._extra_text:
            return _remote_document(url, json.loads(self._extra_text[url]))
        filename = BUNDLED_CONTEXTS.get(url)
        if filename is None:
            raise ContextRefused(url)
        return _remote_document(url, json.loads(_bundled_text(filename)))

    def context_resolver(self) -> ContextResolver:
        resolver: ContextResolver | None = getattr(self._local, "resolver", None)
        if resolver is None:
            resolver = ContextResolver(LRUCache(maxsize=_RESOLVED_CONTEXTS), self)
            resolver.yingshang_scoped = LRUCache(maxsize=_RESOLVED_CONTEXTS)
            self._local.resolver = resolver
        return resolver


_BUNDLED = OfflineLoader()


def offline_loader(extra: Mapping[str, Any] | None = None) -> DocumentLoader:
    """The loader of bundled contexts, or a new one that also serves ``extra`` (URL -> parsed
    JSON; tests add the W3C examples context from the shared reference data this way)."""
    return OfflineLoader(extra) if extra else _BUNDLED


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor, remembering what type-scoped contexts resolve to.

    pyld caches a processed context per (context, active context), keyed by the active
    context's ``_uuid``; but a type-scoped context (``propagate: false``, as credentials v2
    gives VerifiableCredential, DataIntegrityProof, BitstringStatusListEntry …) is processed
    on a fresh clone with a fresh ``_uuid`` every time, so it is never found again and
    every credential re-processes dozens of term definitions. Processing is a pure function
    of the (frozen, cached) active context, the local context and the flags, so this keeps
    the result per resolver (that is, per loader and thread) and returns it again. The local
    context object is kept in the entry and compared by identity, so a reused ``id()`` can
    never match.
    """

    #: An already expanded document that the next :meth:`expand` returns as it is (set by
    #: :func:`jsonld_normalize` so that canonicalization does not expand a second time).
    pre_expanded: Any = None

    def expand(self, input_: Any, options: Any) -> Any:
        if self.pre_expanded is not None:
            expanded, self.pre_expanded = self.pre_expanded, None
            return expanded
        return super().expand(input_, options)

    def _process_context(
        self,
        active_ctx: dict[str, Any],
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: set[str] | None = None,
    ) -> Any:
        resolver = options.get("contextResolver")
        memo = getattr(resolver, "yingshang_scoped", None)
        if propagate or memo is None or "_uuid" not in active_ctx or cycles:
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate,
                validate_scoped, cycles,
            )  # fmt: skip
        key = (active_ctx["_uuid"], id(local_ctx), override_protected, validate_scoped)
        found = memo.get(key)
        if found is not None and found[0] is local_ctx:
            return found[1]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        memo[key] = (local_ctx, result)
        return result


def jsonld_expand(
    document: Any,
    options: dict[str, Any],
    on_property_dropped: Callable[[str | None], object] | None = None,
) -> Any:
    """``pyld.jsonld.expand`` with the type-scoped context memo of :class:`_Processor`;
    ``on_property_dropped`` is told every property expansion drops."""
    if on_property_dropped is None:
        return _Processor().expand(document, options)
    return _Processor(on_property_dropped=on_property_dropped).expand(document, options)


def jsonld_normalize(document: Any, options: dict[str, Any], *, expanded: bool = False) -> Any:
    """``pyld.jsonld.normalize`` with the type-scoped context memo of :class:`_Processor`;
    ``expanded=True`` says ``document`` is already the output of :func:`jsonld_expand`."""
    processor = _Processor()
    if expanded:
        processor.pre_expanded = document
    return processor.normalize(document, options)


def jsonld_options(loader: DocumentLoader, **options: Any) -> dict[str, Any]:
    """pyld call options with ``loader`` and its own context cache (never pyld's global)."""
    resolver = (
        loader.context_resolver()
        if isinstance(loader, OfflineLoader)
        else ContextResolver(LRUCache(maxsize=64), loader)
    )
    return {**options, "documentLoader": loader, "contextResolver": resolver}


def domain_error_in(exc: BaseException) -> DomainError | None:
    """The :class:`DomainError` that pyld wrapped (it re-raises loader errors as its own)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, DomainError):
            return current
        seen.add(id(current))
        details = getattr(current, "details", None)
        nested = details.get("cause") if isinstance(details, dict) else None
        current = (
            nested
            if isinstance(nested, BaseException)
            else (current.__cause__ or current.__context__)
        )
    return None
