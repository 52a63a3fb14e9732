"""Shared fixtures. The web tests run on SQLite in memory, or on the database named by
TEST_DATABASE_URL (CI sets a throwaway PostgreSQL one)."""
