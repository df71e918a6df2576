"""The programme's records: programmes with targets and milestones, enterprises and
beneficiaries (by hand or imported from CSV/XLSX, with country-specific identifiers), and privacy
(consent, erasure)."""
