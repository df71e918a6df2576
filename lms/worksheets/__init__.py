"""Worksheets a learner fills in beside a module, saved and shown to their mentor: first the
self-assessment checklist of a module (``<module>/checklist.yaml``, e.g. the LWG audit's)."""
