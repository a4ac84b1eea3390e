"""Where generations live: the storage protocol (base.py) and its FAISS + SQLite + bm25s files.

Separate so that another store (a database) can implement the same protocol and pass the same
contract suite without the writer or the search step changing.
"""
