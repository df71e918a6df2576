"""Dakshata (দক্ষতা): a Flask learning-management library with a quiz and certification engine."""

from __future__ import annotations

__version__ = "0.1.0"

from .extension import LMS, LMSState, state  # noqa: E402

__all__ = ["LMS", "LMSState", "__version__", "state"]
