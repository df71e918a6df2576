"""The quiz engine: item banks, question types, pre/post/retention tests, item analysis."""
