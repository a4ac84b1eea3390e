"""The answer engine: ingest → chunk → embed → store → retrieve → answer. No Discord here."""
