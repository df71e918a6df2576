"""The programme's gap areas, used as module topics (and by the needs assessment)."""

from __future__ import annotations

from ..i18n import _l

TOPICS = {
    "export-procedures": _l("Export procedures"),
    "gst-vat-compliance": _l("GST and VAT compliance"),
    "e-commerce-digital-marketing": _l("E-commerce and digital marketing"),
    "product-development-design": _l("Product development and design"),
    "branding": _l("Branding"),
    "financial-literacy": _l("Financial literacy"),
    "credit-access-digital-loans": _l("Credit access and digital loans"),
    "quality-standards-certifications": _l("Quality standards and certifications"),
    "cleaner-production-environment": _l("Cleaner production and environment"),
}

LEVELS = {"basic": _l("Basic"), "advanced": _l("Advanced")}
