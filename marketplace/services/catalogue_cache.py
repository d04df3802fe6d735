"""Answers worked out from the published catalogue, kept in the cache every worker shares
until the catalogue changes.

Counting over every published offer is what an offer search, and the catalogue's offer
counts, cost (tens of milliseconds at tens of thousands of offers, however the statement is
written), and the same questions are asked again and again between two changes to the
catalogue. So the answer (a search's counts, total and the ids on its page; the offers per
specification) is kept in Redis under the catalogue's generation: a token that every change
to what those answers read replaces in its own transaction (catalogue_changed). A reader
takes the token first and only ever an answer kept under it, so once a change has committed
nothing worked out before it is shown. What a page shows of each offer is read afresh.

Without SEARCH_CACHE_URL (REDIS_URL, unless set apart) every answer is worked out; so it is
while Redis does not answer, which is logged and never fails a page.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any
from uuid import uuid4

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.extensions import db
from marketplace.models import CatalogueGeneration

log = logging.getLogger(__name__)

_EXTENSION = "catalogue_cache"
# Kept in the session's info for the transaction: the tokens read, and whether it changed
# the catalogue.
_TOKENS = "shared_cache_tokens"
_CHANGED = "catalogue_changed"
# Long enough that a quiet catalogue is rarely worked out again; the token, not this, is
# what keeps answers right. It only lets Redis drop generations nobody reads.
KEPT_SECONDS = 24 * 60 * 60
# A Redis that hangs must not hold a page: the answer is worked out instead.
REDIS_TIMEOUT_SECONDS = 0.25
# Bumped when what is kept changes shape, so a new release never reads an old one's.
LAYOUT = 1


def catalogue_changed() -> None:
    """Say, in the caller's transaction, that what the kept answers read has changed: the
    published offers, their providers (a merger, an assurance status from a signed-off
    checkpoint review) or the specifications. Answers worked out before it are not shown once
    it commits. Every service that makes such a change calls this, as its last write: the
    row stays locked until the commit, so a change that still had rows of its own to write
    could otherwise wait on another while holding it."""
    db.session.execute(update(CatalogueGeneration).values(token=uuid4().hex))
    # Until it commits, this transaction answers afresh: what it sees is for nobody else.
    db.session.info[_CHANGED] = True


def init_app(app: Flask) -> None:
    url = app.config.get("SEARCH_CACHE_URL")
    client = None
    if url:
        from redis import Redis

        client = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                socket_timeout=REDIS_TIMEOUT_SECONDS)
    app.extensions[_EXTENSION] = client


def _token(generation) -> str | None:
    """The generation's token, read once per transaction: a page that asks several kept
    questions reads it once. Forgotten when the transaction ends (forget_tokens), so a
    request that commits a change reads the new one."""
    tokens = db.session.info.setdefault(_TOKENS, {})
    if generation.__tablename__ not in tokens:
        tokens[generation.__tablename__] = db.session.scalar(select(generation.token))
    return tokens[generation.__tablename__]


def forget_tokens(session: Session) -> None:
    session.info.pop(_TOKENS, None)
    session.info.pop(_CHANGED, None)


LISTENERS = ((Session, "after_commit", forget_tokens),
             (Session, "after_rollback", forget_tokens))


def _key(token: str, question: dict[str, Any]) -> str:
    asked = json.dumps(question, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(asked.encode()).hexdigest()
    prefix = current_app.config.get("SEARCH_CACHE_PREFIX", "marketplace:search")
    return f"{prefix}:{LAYOUT}:{token}:{digest}"


def remembered(question: dict[str, Any], work_out: Callable[[], Any]) -> Any:
    """What ``work_out()`` returns for ``question`` (JSON: everything the answer depends on
    besides the catalogue, and what is asked), taken from the shared cache when this
    generation of the catalogue has been asked it before. The answer goes through JSON
    either way (tuples come back as lists, dictionaries' keys as strings), so that it is the
    same whether kept or worked out."""
    if db.session.info.get(_CHANGED):
        return work_out()
    return kept_under(CatalogueGeneration, question, work_out)


def kept_under(generation, question: dict[str, Any], work_out: Callable[[], Any]) -> Any:
    """``remembered`` under the token of ``generation`` (a one-row model with a token
    column): the catalogue's, or the market's (services/market_cache.py)."""
    client = current_app.extensions.get(_EXTENSION)
    if client is None:
        return work_out()
    token = _token(generation)
    if token is None:  # a database no migration made: nothing to keep answers under
        return work_out()
    key = _key(token, question)
    from redis.exceptions import RedisError

    try:
        kept = client.get(key)
    except RedisError as error:
        log.warning("shared cache not answering (%s): working it out", error)
        return work_out()
    if kept is not None:
        return json.loads(kept)
    answer = json.dumps(work_out(), separators=(",", ":"))
    try:
        client.set(key, answer, ex=KEPT_SECONDS)
    except RedisError as error:
        log.warning("shared cache not answering (%s): this answer not kept", error)
    return json.loads(answer)
