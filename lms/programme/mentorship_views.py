"""The mentorship list: the top 10 % of the ranking, their mentors, meetings and outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from .views import bp  # noqa: F401  (this module's pages share the programme blueprint)

if TYPE_CHECKING:
    from ..extension import LMSState


def setup(app: Flask, state: LMSState) -> None:
    """Home links and demo loaders of this part of the programme."""
