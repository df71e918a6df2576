"""The training programme's records: clusters and enterprises (more to come: beneficiaries,
sessions, needs assessment, feedback, mentorship, the officials' dashboard)."""
