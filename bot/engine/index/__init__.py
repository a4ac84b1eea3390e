"""Articles → stored passages: chunking, embedding, near-duplicate keys, and the index writer.

Separate from store/ because it decides *what* goes into a generation (passages, vectors reused
by content, duplicate groups), while store/ decides *how* a generation is kept on disk.
"""
