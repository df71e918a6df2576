"""Each enterprise's competitive-analysis worksheet, saved as it is filled in."""
