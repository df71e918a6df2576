"""Per-app state of the LMS, kept on ``app.extensions["lms"]``: the bottom of the import drawing.

Every capability may import this module; it imports no capability and not the extension, so
``extension -> blueprints -> views -> state`` has no circle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app, g, has_request_context

T = TypeVar("T")


@dataclass(frozen=True)
class HomeLink:
    """A tile on the home page: what a role can do (``roles`` empty: every signed-in user)."""

    endpoint: str
    label: Any
    description: Any
    roles: tuple[str, ...] = ()
    #: Name of an icon in ``lms/icons.html``.
    icon: str = "dot"


def _default_id(user: Any) -> str:
    return str(user.get_id())


def _default_roles(user: Any) -> set[str]:
    """Every signed-in host user is a learner unless the host says otherwise."""
    return {"learner"}


def _default_name(user: Any) -> str:
    for attribute in ("name", "full_name", "username", "email"):
        value = getattr(user, attribute, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return str(user.get_id())


def _default_email(user: Any) -> str | None:
    value = getattr(user, "email", None)
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


@dataclass
class HostUsers:
    """How the LMS reads the host's users when the host signs people in (Flask-Login)."""

    #: ``(user) -> text`` that stays the same for a person for ever: the key of their LMS
    #: record. Default ``user.get_id()``; give another when ``get_id()`` changes on purpose (a
    #: session token such as Flask-Security's ``fs_uniquifier``).
    id: Callable[[Any], str] = _default_id

    #: ``(user) -> set of LMS roles`` (``learner``, ``trainer``, ``author``, ``admin``).
    roles: Callable[[Any], set[str]] = _default_roles
    #: ``(user) -> name`` shown in the LMS and printed on certificates.
    name: Callable[[Any], str] = _default_name
    #: ``(user) -> e-mail or None``.
    email: Callable[[Any], str | None] = _default_email


@dataclass
class LMSState:
    """Per-app state, kept on ``app.extensions["lms"]``."""

    extension: Any
    #: The Flask-SQLAlchemy instance whose session and engine the LMS uses: the host's when it
    #: passed ``db=``, else the LMS's own.
    db: Any = None
    #: True when the LMS made (and so may tune) the database engine.
    owns_engine: bool = True
    #: The LMS's own LoginManager, or ``None`` when the host had one first. The host's sign-in
    #: is used whenever ``app.login_manager`` is not this one (also when added after the LMS).
    login_manager: Any = None
    #: The Flask-Babel the LMS registered on an app that had none; a host's Babel (registered
    #: before or after the LMS) chooses the locale when it has a selector.
    babel: Any = None
    #: ``LMS_*`` keys the host set itself (``LMS(...)`` options or its own config), as opposed
    #: to defaults: some defaults differ when the host signs people in.
    explicit_config: frozenset[str] = frozenset()
    host_users: HostUsers = field(default_factory=HostUsers)
    #: ``() -> locale code or None`` given as ``LMS(locale_selector=...)``.
    locale_selector: Callable[[], str | None] | None = None
    #: ``() -> the LMS user record of the request`` (set by the accounts capability).
    user_resolver: Callable[[], Any] | None = None
    home_links: list[HomeLink] = field(default_factory=list)
    #: Functions ``(password) -> list[(email, role)]`` run by ``flask lms demo``, in order.
    demo_loaders: list[Callable[[str], list[tuple[str, str]]]] = field(default_factory=list)
    translations_cache: dict[str, Any] = field(default_factory=dict)
    #: The Markdown module library (``lms.content``).
    content_library: Any = None
    #: Folders of ``LMS_CONTENT_DIR`` that a capability reads and that are not modules, e.g.
    #: ``courses`` and ``resources``.
    content_folders: set[str] = field(default_factory=set)
    #: Question types by id (``lms.quiz``): built-ins and the plugins' types.
    question_types: Any = None
    #: Certificate document renderers by name (``pdf`` built in):
    #: ``(certificate, locale, verify_url, latin_digits) -> bytes``.
    certificate_renderers: dict[str, Callable[..., bytes]] = field(default_factory=dict)
    #: Sections of a learner's record page: ``(user) -> (template, context) | None``.
    record_sections: list[Callable[..., Any]] = field(default_factory=list)
    #: Panels on a module's page: ``(module) -> (template, context) | None``, e.g. its tests.
    module_panels: list[Callable[..., Any]] = field(default_factory=list)
    #: Extra content-checker checks ``(library, module) -> problems``, e.g. for quiz files.
    content_checks: list[Callable[..., Any]] = field(default_factory=list)
    #: Functions ``(achievement_id, locale) -> lms.certificates.achievements.AchievementText |
    #: None`` asked, in order, for achievements other than modules (the courses answer for
    #: theirs): what a credential, the achievement's page and the PDF say about it.
    achievement_sources: list[Callable[[str, str], Any]] = field(default_factory=list)
    #: ``(user_id, module slug) -> the learner's valid certificate of the module | None`` (set by
    #: ``lms.certificates``): the guided path's last step, without the quiz importing certificates.
    module_certificate: Callable[[int, str], Any] | None = None
    #: ``(scale, password, progress) -> the admin's e-mail``: ``flask lms demo --scale N`` (set
    #: by ``lms.programme``, whose records it makes at programme scale).
    scale_demo: Callable[..., str] | None = None
    #: Functions ``(user_id) -> [certificates issued now]`` that issue what a learner has earned
    #: besides module certificates (the courses'), run by "issue what they have earned".
    certificate_issuers: list[Callable[[int], list[Any]]] = field(default_factory=list)
    #: Kinds of learner groups (``lms.groups.LearnerGroups``) that results, the ranking and
    #: certificate issuing can be narrowed to, e.g. the programme's training sessions.
    learner_groups: list[Any] = field(default_factory=list)
    #: Functions ``(user) -> enterprise name | None`` asked, in order, for the enterprise a
    #: certificate names (the programme answers from its enterprise records); the account's own
    #: ``enterprise_name`` is the fallback.
    enterprise_resolvers: list[Callable[..., str | None]] = field(default_factory=list)
    #: Functions ``(user) -> "IN" | "BD" | None`` asked, in order, for the country whose content
    #: a learner gets (the programme answers from the enterprise's cluster); see
    #: :func:`lms.countries.country_of`.
    country_resolvers: list[Callable[..., str | None]] = field(default_factory=list)
    #: ``() -> folder`` of the certificate signing keys (set by ``lms.certificates``): a backup
    #: carries them beside the database.
    signing_key_dir: Callable[[], Any] | None = None
    #: Plugins loaded from the ``lms.plugins`` entry points (name -> plugin), and the ones
    #: skipped with the reason (name -> message) because they failed to load or clashed.
    plugins: dict[str, Any] = field(default_factory=dict)
    plugin_errors: dict[str, str] = field(default_factory=dict)
    _caches: dict[str, dict[Any, Any]] = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)

    def cache(self, name: str) -> dict[Any, Any]:
        """A dictionary of this app's own, for data read from files (item banks, keys...):
        two apps in one process never share one."""
        with self._cache_lock:
            return self._caches.setdefault(name, {})

    def config_is_explicit(self, key: str) -> bool:
        return key in self.explicit_config


def state() -> LMSState:
    """The LMS state of the current app."""
    return current_app.extensions["lms"]


def has_state() -> bool:
    """Whether there is a current app with the LMS on it."""
    try:
        return "lms" in current_app.extensions
    except RuntimeError:
        return False


def per_request(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per request: the value is kept in ``flask.g`` for the rest of it
    (outside a request, computed each time). For checks that stat many files, such as whether
    the modules changed on disk, that one page would otherwise make many times."""
    if not has_request_context():
        return compute()
    memo = g.setdefault("_lms_per_request", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget_per_request() -> None:
    """After this request changed what :func:`per_request` values were computed from (an
    author saved a file), compute them again."""
    g.pop("_lms_per_request", None)
