"""Plugins: installed packages that add to the LMS, found through one entry-point group.

A package declares its plugin in its metadata::

    [options.entry_points]
    lms.plugins =
        hotspot = lms_hotspot:plugin

The entry point names a :class:`Plugin` (an instance, or a class the LMS instantiates). A plugin
contributes question types, certificate renderers, home tiles, record sections and content
checks, and may bring a template folder, a static folder and a translation catalog (compiled
``<locale>/LC_MESSAGES/<domain>.mo``), which the LMS registers for it.

A plugin that fails to load, or clashes with what is already there (a question type id, a
renderer name), is logged and skipped as a whole; the app starts without it, and
``flask lms check-content`` names it beside the items that need it. ``LMS_PLUGINS`` chooses which
installed plugins an app loads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from flask import Flask

from .i18n import _
from .state import HomeLink, LMSState
from .static_files import StaticBlueprint

ENTRY_POINT_GROUP = "lms.plugins"


class PluginError(Exception):
    """Why a plugin was skipped."""


class Plugin:
    """What a plugin contributes; subclass it or give an instance with these attributes."""

    #: Its name (default: the entry point's name); its blueprint is ``lms_plugin_<name>``.
    name: str = ""
    #: A folder of Jinja templates (name them under a folder of your own, e.g. ``hotspot/``).
    template_folder: str | Path | None = None
    #: A folder of static files, served at ``<LMS prefix>/lms-static/plugins/<name>/``:
    #: ``url_for("lms_plugin_<name>.static", filename=...)``.
    static_folder: str | Path | None = None
    #: A folder of compiled catalogs, ``<locale>/LC_MESSAGES/<translations_domain>.mo``. Their
    #: messages are merged into the LMS's (``_lms()`` in templates, ``lms.i18n._`` in code); the
    #: LMS's own translations win where both have a message.
    translations_dir: str | Path | None = None
    translations_domain: str = "messages"
    #: ``lms.quiz.types.QuestionType`` subclasses.
    question_types: Sequence[type] = ()
    #: Certificate document renderers by name: ``(certificate, locale, verify_url, latin_digits)
    #: -> bytes``.
    certificate_renderers: Mapping[str, Callable[..., bytes]] = {}
    home_links: Sequence[HomeLink] = ()
    #: ``(user) -> (template, context) | None``: sections of a learner's record page.
    record_sections: Sequence[Callable[..., Any]] = ()
    #: ``(library, module) -> problems``: extra checks of ``flask lms check-content``.
    content_checks: Sequence[Callable[..., Any]] = ()

    def setup(self, app: Flask, state: LMSState) -> None:
        """Anything else, once the plugin's contributions are registered (signals, CLI...)."""


def installed() -> list[EntryPoint]:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda entry: entry.name)


def load(app: Flask, state: LMSState) -> None:
    """Load the app's plugins (``LMS_PLUGINS``, else every one installed); skip broken ones."""
    wanted = app.config["LMS_PLUGINS"]
    for entry in installed():
        if wanted is not None and entry.name not in wanted:
            continue
        try:
            plugin = _instantiate(entry)
            check(app, state, plugin)
        except Exception as exc:  # a broken plugin never stops the app
            reason = f"{type(exc).__name__}: {exc}"
            state.plugin_errors[entry.name] = reason
            app.logger.error("LMS plugin %r skipped: %s", entry.name, reason)
            _note_left_out(state, entry, reason)
            continue
        register(app, state, plugin)


def _instantiate(entry: EntryPoint) -> Plugin:
    found = entry.load()
    plugin = found() if isinstance(found, type) else found
    if not getattr(plugin, "name", ""):
        plugin.name = entry.name
    if plugin.name != entry.name:
        raise PluginError(f"entry point {entry.name!r} names plugin {plugin.name!r}")
    return plugin


def check(app: Flask, state: LMSState, plugin: Plugin) -> None:
    """Refuse a plugin that clashes with what the app has, before any of it is registered."""
    if plugin.name in state.plugins:
        raise PluginError(f"a plugin named {plugin.name!r} is already loaded")
    for folder in (plugin.template_folder, plugin.static_folder, plugin.translations_dir):
        if folder is not None and not Path(folder).is_dir():
            raise PluginError(f"{folder}: no such folder")
    registry = state.question_types
    ids = [getattr(cls, "id", None) for cls in plugin.question_types]
    for type_id, cls in zip(ids, plugin.question_types, strict=True):
        registry.check(cls)
        if ids.count(type_id) > 1:
            raise PluginError(f"question type {type_id!r} is given twice")
    for name in plugin.certificate_renderers:
        if name in state.certificate_renderers:
            raise PluginError(f"a certificate renderer named {name!r} exists already")


def register(app: Flask, state: LMSState, plugin: Plugin) -> None:
    """Add a checked plugin's contributions to the app."""
    for cls in plugin.question_types:
        state.question_types.register(cls)
    state.certificate_renderers.update(plugin.certificate_renderers)
    state.home_links.extend(plugin.home_links)
    state.record_sections.extend(plugin.record_sections)
    state.content_checks.extend(plugin.content_checks)
    if plugin.template_folder or plugin.static_folder:
        prefix = app.config["LMS_URL_PREFIX"] or ""
        blueprint = StaticBlueprint(  # versioned, compressed static files like the LMS's
            f"lms_plugin_{plugin.name}",
            plugin.__class__.__module__,
            template_folder=str(plugin.template_folder) if plugin.template_folder else None,
            static_folder=str(plugin.static_folder) if plugin.static_folder else None,
            static_url_path=f"/lms-static/plugins/{plugin.name}",
        )
        app.register_blueprint(blueprint, url_prefix=prefix or None)
    if plugin.translations_dir:
        plugin.translations_dir = str(plugin.translations_dir)
    state.plugins[plugin.name] = plugin
    state.translations_cache.clear()
    plugin.setup(app, state)


def _note_left_out(state: LMSState, entry: EntryPoint, reason: str) -> None:
    """Name the skipped plugin beside the question types it would have brought, when known."""
    try:
        found = entry.load()
    except Exception:
        return
    for cls in getattr(found, "question_types", ()) or ():
        type_id = getattr(cls, "id", None)
        if isinstance(type_id, str) and type_id not in state.question_types:
            state.question_types.left_out[type_id] = f"plugin {entry.name} skipped: {reason}"


def skipped_report(state: LMSState) -> Iterable[str]:
    """One line per plugin that was skipped, for ``check-content``."""
    for name, reason in sorted(state.plugin_errors.items()):
        yield str(_("plugin %(name)s was skipped: %(reason)s", name=name, reason=reason))
