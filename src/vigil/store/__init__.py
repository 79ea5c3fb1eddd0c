"""Storage: narrow interfaces with memory, SQLite and PostgreSQL implementations."""
