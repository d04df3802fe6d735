"""Search results kept in the cache every worker shares, until the catalogue changes.

Counting every facet over every published offer is what a search costs (tens of
milliseconds at tens of thousands of offers, however the statement is written), and the
same searches are asked again and again between two changes to the catalogue. So what a
search works out (its counts, its total and the ids on its page) is kept in Redis under the
catalogue's generation: a token that every change to what a search finds or counts replaces
in its own transaction (services.catalogue.catalogue_changed). A search reads the token
first and only ever takes results kept under it, so once a change has committed no search
shows what was there before it. The offers on the page are always read afresh.

Without SEARCH_CACHE_URL (REDIS_URL, unless set apart) every search is worked out; so it is
while Redis does not answer, which is logged and never fails a search.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import CatalogueGeneration

log = logging.getLogger(__name__)

_EXTENSION = "search_results"
# Long enough that a quiet catalogue is rarely worked out again; the token, not this, is
# what keeps results right. It only lets Redis drop generations nobody reads.
KEPT_SECONDS = 24 * 60 * 60
# A Redis that hangs must not hold a search: it is worked out instead.
REDIS_TIMEOUT_SECONDS = 0.25
# Bumped when what is kept changes shape, so a new release never reads an old one's.
LAYOUT = 1


def init_app(app: Flask) -> None:
    url = app.config.get("SEARCH_CACHE_URL")
    client = None
    if url:
        from redis import Redis

        client = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                socket_timeout=REDIS_TIMEOUT_SECONDS)
    app.extensions[_EXTENSION] = client


def _client():
    return current_app.extensions.get(_EXTENSION)


def _key(token: str, question: dict[str, Any]) -> str:
    asked = json.dumps(question, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(asked.encode()).hexdigest()
    prefix = current_app.config.get("SEARCH_CACHE_PREFIX", "marketplace:search")
    return f"{prefix}:{LAYOUT}:{token}:{digest}"


def remembered(question: dict[str, Any], work_out: Callable[[], Any]) -> Any:
    """What ``work_out()`` returns for ``question`` (JSON: everything the answer depends on
    besides the catalogue), taken from the shared cache when this generation of the
    catalogue has been asked it before. The answer must survive a JSON round trip (tuples
    come back as lists)."""
    client = _client()
    if client is None:
        return work_out()
    token = db.session.scalar(select(CatalogueGeneration.token))
    if token is None:  # a database no migration made: nothing to keep results under
        return work_out()
    key = _key(token, question)
    from redis.exceptions import RedisError

    try:
        kept = client.get(key)
    except RedisError as error:
        log.warning("search cache not answering (%s): searching without it", error)
        return work_out()
    if kept is not None:
        return json.loads(kept)
    answer = json.dumps(work_out(), separators=(",", ":"))
    try:
        client.set(key, answer, ex=KEPT_SECONDS)
    except RedisError as error:
        log.warning("search cache not answering (%s): this search not kept", error)
    # Read back as a kept answer is, so that a search answers alike either way.
    return json.loads(answer)
