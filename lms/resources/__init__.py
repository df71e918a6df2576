"""The business resource centre: short, dated entries (rules, rates, fairs, schemes, offices)
read from ``<content>/resources/*.yaml`` and searched with the database's full-text search."""
