"""Inputs → Articles, and corpus/ read and written in one room.

Files, web pages (through the address guard), feed entries and uploads all become Articles parsed
from the bytes that corpus/ keeps, so a full rebuild reads back exactly what an update indexed.
Separate from index/ because nothing here knows about passages, vectors or generations.
"""

from bot.engine.ingest.files import corpus_files, read_bytes, read_corpus, read_file

__all__ = ["corpus_files", "read_bytes", "read_corpus", "read_file"]
