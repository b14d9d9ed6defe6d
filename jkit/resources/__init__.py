"""Data files shipped with jkit (lexicon additions for the feedback rules)."""
