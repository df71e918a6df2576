"""The officials' dashboard and programme report: figures aggregated in SQL, charts, tables
and the PDF report."""
