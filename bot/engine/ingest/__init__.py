"""Turning files, pages and feeds into Articles."""

from bot.engine.ingest.files import corpus_files, read_bytes, read_corpus, read_file

__all__ = ["corpus_files", "read_bytes", "read_corpus", "read_file"]
