"""talks: answers questions about the Russia–Ukraine peace talks from news articles."""

__version__ = "0.1.0"
