"""Tablets that keep working offline: the installable app (manifest, icons, service worker) and
the pages a learner can read without a network (issue 21).

The contract with the service worker: a response it may keep carries ``X-LMS-Offline: page``
and ``X-LMS-Learner: <learner_key(user id)>``; nothing else is ever cached for a learner."""

from __future__ import annotations

from ..offline_pages import LEARNER_HEADER, OFFLINE_HEADER, learner_key, mark_offline

__all__ = ["LEARNER_HEADER", "OFFLINE_HEADER", "learner_key", "mark_offline"]
