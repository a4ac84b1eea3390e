"""Question → ranked passages: dense and BM25 candidates, fused, weighed by date.

Read side only: it takes a snapshot and never writes, so it can change without touching indexing.
"""
