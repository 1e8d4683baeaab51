"""The bad-input corpus of the import: see make_corpus.py."""
