"""Articles for the bot's end-to-end tests: small, but each drives one behaviour.

EVERYONE quotes "@everyone" (the reply must not ping); ZAPORIZHZHIA has four long, distinct
sentences that one question matches, so the answer overflows one embed.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import GRAIN, KREMLIN, UMEROV, article_md

EVERYONE = article_md(
    "Organisers announce the Geneva humanitarian briefing",
    """
    The organisers of the Geneva humanitarian briefing posted "@everyone the humanitarian corridor
    talks start at noon on Thursday" in the delegates' chat before the delegations arrived.

    Red Cross officials said the corridor would cover Mariupol and Berdiansk if both sides agree.
    """,
    outlet="Channel Digest",
    published="2025-07-01",
)

_PLANT = [
    (
        "IAEA inspectors describe damage at the Zaporizhzhia nuclear plant",
        "Atom Wire",
        "Inspectors from the International Atomic Energy Agency who toured the Zaporizhzhia nuclear plant on Tuesday said the safety situation at the station remained precarious, because shelling had again cut one of the two remaining high-voltage lines, the diesel generators had been started twice in a single week, the cooling pond was slowly losing water after the destruction of the Kakhovka dam downstream, staff were working long shifts under the supervision of Russian military personnel, and spare parts for routine maintenance had not been delivered for months, leaving the six reactors in cold shutdown but still dependent on a stable external power supply to keep the spent fuel and reactor cores from overheating, but they added that the agency's team on site had been allowed to visit the turbine halls only twice since the spring, that requests to inspect the roofs of the reactor buildings had been refused without explanation, that radiation levels measured at the perimeter remained normal, and that the plant's own fire brigade had been reduced to a handful of firefighters who would struggle to respond if shelling set the transformers or the training centre alight again, which is why the inspectors asked both sides to agree that no military equipment would be kept anywhere near the safety systems.",
    ),
    (
        "Kyiv and Moscow trade blame over Zaporizhzhia plant safety",
        "Kyiv Ledger",
        "Ukrainian energy minister officials accused Moscow of turning the Zaporizhzhia nuclear plant into a fortified military base, saying armoured vehicles and ammunition were stored inside turbine halls, while the Russian state nuclear corporation Rosatom insisted that Ukrainian drones had struck the training centre and a transformer, and both governments asked the agency in Vienna to publish its own findings about the safety of the plant, which Europe's largest atomic station, once supplying a fifth of Ukraine's electricity, now supplies to nobody at all while its operators argue about who should be allowed to restart it after any ceasefire agreement, and diplomats in Vienna said the exchange of accusations had become a ritual at every meeting of the agency's board of governors, with each delegation reading out lists of incidents at the site, each rejecting the other's account of who had fired on the cooling pumps, and each insisting that only its own engineers could guarantee that the station would never again be left without the external power its safety depends on.",
    ),
    (
        "Grossi proposes safety zone around Zaporizhzhia nuclear plant",
        "Geneva Monitor",
        "Rafael Grossi, director general of the International Atomic Energy Agency, proposed during the peace talks a protection zone around the Zaporizhzhia nuclear plant with five principles for its safety: no attacks from or against the site, no storage of heavy weapons there, protection of the off-site power lines, protection of all structures and systems essential to its operation, and no action that undermines those principles, and he told negotiators in Geneva that neither Kyiv nor Moscow had yet formally accepted the plan although both delegations had said in private they would not reject it outright, adding that the agency would keep its experts at the site for as long as the war lasted, that it would report every breach of the five principles to the United Nations Security Council, and that a safety zone would only work if both armies withdrew their artillery far enough from the plant that no shell fired at the other side could land on the reactor buildings, the spent fuel store or the switchyard.",
    ),
    (
        "Engineers warn Zaporizhzhia nuclear plant staff shortage threatens safety",
        "Energy Desk",
        "Engineers who left the Zaporizhzhia nuclear plant after its occupation told reporters that the station's safety depended on several hundred specialists who had never been replaced, including control room operators licensed by the Ukrainian regulator, chemists who monitored the water chemistry of the cooling systems, and electricians responsible for the switchyard, and they warned that any peace agreement returning the plant to Ukrainian control would have to include a long inspection period by the International Atomic Energy Agency before the reactors could safely be brought back to power, and they described how the remaining staff had been pressured to sign contracts with the Russian operator, how some colleagues who refused had been detained for questioning, and how the loss of experienced shift supervisors meant that routine safety tests were now carried out by people who had never performed them before, a situation the engineers said no nuclear regulator anywhere in the world would accept at a station of that size.",
    ),
]
ZAPORIZHZHIA = {
    f"zaporizhzhia-{i}.md": article_md(
        title, body, outlet=outlet, published=f"2025-05-{5 + 2 * i:02d}", url=f"https://{i}.example"
    )
    for i, (title, outlet, body) in enumerate(_PLANT)
}

TRUCE = article_md(
    "Black Sea maritime truce agreed in Riyadh",
    """
    Delegations meeting in Riyadh agreed a maritime truce in the Black Sea that bars attacks on
    merchant shipping and port infrastructure in Odesa and Novorossiysk for thirty days.
    """,
    outlet="Gulf Times",
    published="2025-03-25",
    url="https://example.org/riyadh-truce",
)

ASK_KREMLIN = "What does the Kremlin demand for a ceasefire?"
ASK_GENEVA = "When do the humanitarian corridor talks in Geneva start?"
ASK_PLANT = "What is said about safety at the Zaporizhzhia nuclear plant?"
ASK_OFF_TOPIC = "Who won the 2018 football World Cup?"
ASK_NEGOTIATOR = "who is negotiating for Ukraine?"


def write_corpus(root: Path) -> Path:
    """The articles above in a fresh folder (the shared corpus/ is never indexed by tests)."""
    root.mkdir(parents=True, exist_ok=True)
    files = {"kremlin.md": KREMLIN, "umerov.md": UMEROV, "grain.md": GRAIN, "everyone.md": EVERYONE}
    for name, text in (files | ZAPORIZHZHIA).items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def filler_articles(count: int) -> dict[str, str]:
    """Articles nobody asks about, so a reindex has new passages to embed for a few seconds."""
    places = ["Istanbul", "Geneva", "Riyadh", "Minsk", "Vienna", "Ankara", "Doha", "Oslo"]
    topics = ["grain exports", "prisoner lists", "energy strikes", "border crossings", "sanctions"]
    out = {}
    for i in range(count):
        place, topic = places[i % len(places)], topics[i % len(topics)]
        body = "\n\n".join(
            f"Officials in {place} discussed {topic} during session {i}.{j}, reviewing draft "
            f"number {i * 7 + j} line by line and agreeing to meet again after consultations "
            f"with their capitals about paragraph {j + 3} of the annex."
            for j in range(8)
        )
        out[f"filler-{i:03d}.md"] = article_md(f"Session {i} in {place} on {topic}", body)
    return out
