"""Markdown learning modules: the authoring format, rendering, the content checker, authoring
tools and the learner's reading view."""
