"""Storage: SQLAlchemy models, the engine and the queries per aggregate."""
