"""Nests each capability's blueprint under the root ``lms`` blueprint (once, at import)."""

from __future__ import annotations

from .accounts import views as accounts
from .certificates import views as certificates
from .content import views as content
from .core import views as core
from .courses import views as courses
from .live import views as live
from .offline import views as offline
from .programme import views as programme
from .quiz import views as quiz
from .resources import views as resources
from .web import bp
from .worksheets import views as worksheets

#: Capability modules: each has a blueprint ``bp`` and ``setup(app, state)``.
CAPABILITIES = (
    core,
    accounts,
    content,
    quiz,
    live,
    certificates,
    programme,
    resources,
    worksheets,
    courses,
    offline,
)

for _capability in CAPABILITIES:
    bp.register_blueprint(_capability.bp)
