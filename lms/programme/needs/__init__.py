"""The needs assessment: the questionnaire file, each enterprise's answers and gaps, and the
training roadmap they drive."""
