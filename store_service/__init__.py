"""The store of batches, cards and contacts, on MongoDB or SQLite."""
