"""Meilisearch with the embedded index kept beside it (`SEARCH_FALLBACK=embedded`).

`FallbackIndex(primary, fallback)` is what `search.factory.make_index` returns when the fallback
is configured. The outbox worker writes every change to both (`search.outbox`: a row is done only
when both took it; `search_outbox.fallback_done_at` records the embedded copy on its own), and
`search.service.search` answers from the fallback when the primary raises `SearchUnavailable`
(`answer`), saying so in the page (`SearchPage.backend == "embedded-fallback"`). Searching through
this object asks the primary only: the whole page of one request comes from one backend.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

from ops import metrics
from search.index import IndexPage, IndexQuery, SearchDoc, SearchIndex, SearchUnavailable

log = logging.getLogger("gongshi.search")
T = TypeVar("T")


class FallbackIndex:
    def __init__(self, primary: SearchIndex, fallback: SearchIndex) -> None:
        self.primary = primary
        self.fallback = fallback
        self.backend = primary.backend

    async def upsert(self, docs: Sequence[SearchDoc]) -> None:
        await _both(self, lambda ix: ix.upsert(docs))

    async def delete(self, keys: Sequence[str]) -> None:
        await _both(self, lambda ix: ix.delete(keys))

    async def search(self, query: IndexQuery) -> IndexPage:
        return await self.primary.search(query)

    async def count(self) -> int:
        return await self.primary.count()

    async def close(self) -> None:
        await self.fallback.close()
        await self.primary.close()

    async def rebuild(self, batches: AsyncIterable[list[SearchDoc]]) -> int:
        """Both indexes from one pass over the documents. If one fails the other still finishes
        (the embedded copy is rebuilt even while Meilisearch is down); then the failure is raised."""
        parts = (self.fallback, self.primary)
        queues: list[asyncio.Queue[object]] = [asyncio.Queue(maxsize=2) for _ in parts]
        tasks = [asyncio.create_task(ix.rebuild(_consume(q))) for ix, q in zip(parts, queues, strict=False)]
        end: object = None
        try:
            async for batch in batches:
                for q, t in zip(queues, tasks, strict=False):
                    await _give(q, t, batch)
        except BaseException as e:  # the source failed: neither index may keep a partial build
            end = e
            raise
        finally:
            for q, t in zip(queues, tasks, strict=False):
                await _give(q, t, end)
            results = await asyncio.gather(*tasks, return_exceptions=True)
        counts: list[int] = []
        for r in results:
            if isinstance(r, BaseException):
                raise r
            counts.append(r)
        return counts[1]


async def answer(
    index: SearchIndex,
    run: Callable[[SearchIndex], Awaitable[T]],
    *,
    from_fallback: bool = False,
    continuing: bool = False,
) -> tuple[T, str]:
    """`run(primary)`, or `run(fallback)` when one is configured and the primary raises
    `SearchUnavailable`. Returns the result and who answered: the primary's backend name or
    `embedded-fallback`. A page cursor stays on the backend that issued it: a fallback cursor
    (`from_fallback`) goes to the fallback; a primary one (`continuing`) cannot continue on the
    fallback (their orders differ), so while the primary is down it raises like the primary."""
    primary, fallback = parts(index)
    label = f"{fallback.backend}-fallback" if fallback is not None else ""
    if fallback is not None and from_fallback:
        return await run(fallback), label
    try:
        return await run(primary), primary.backend
    except SearchUnavailable as e:
        if fallback is None or continuing:
            raise
        log.warning("search: %s; answering from the embedded fallback", e)
        metrics.SEARCH_ERRORS.inc()
        metrics.SEARCH_FALLBACKS.inc()
        return await run(fallback), label


def parts(index: SearchIndex) -> tuple[SearchIndex, SearchIndex | None]:
    """(primary, fallback or None)."""
    if isinstance(index, FallbackIndex):
        return index.primary, index.fallback
    return index, None


async def _both(index: FallbackIndex, op: Callable[[SearchIndex], Awaitable[object]]) -> None:
    errors: list[Exception] = []
    for ix in (index.fallback, index.primary):
        try:
            await op(ix)
        except Exception as e:
            errors.append(e)
    if errors:
        raise errors[-1]


async def _give(q: asyncio.Queue[object], consumer: asyncio.Task[int], item: object) -> None:
    """Put unless the consumer has already stopped (then it will never take the item)."""
    if consumer.done():
        return
    put = asyncio.ensure_future(q.put(item))
    await asyncio.wait({put, consumer}, return_when=asyncio.FIRST_COMPLETED)
    if not put.done():
        put.cancel()


async def _consume(q: asyncio.Queue[object]) -> AsyncIterator[list[SearchDoc]]:
    while True:
        item = await q.get()
        if item is None:
            return
        if isinstance(item, BaseException):
            raise RuntimeError("the document source failed during the rebuild") from item
        assert isinstance(item, list)
        yield item
