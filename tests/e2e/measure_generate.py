"""What the verifier drops and what it costs: scripted model replies against the fake server.

Run: .venv/bin/python -m tests.e2e.measure_generate [--rounds 20] [--hang-timeout 2]

Each case is a question from the e2e corpus and a reply a model might write, cited by the title
of the article it means (turned into the number that article is shown under). Printed:
every dropped sentence with its reason; per answer, the time of the generation itself (request
to last streamed piece, against the local fake) and of verification (one encoder call and the
checks), with their ratio; and how long the fallback takes when the server hangs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.engine.answer.evidence import Source
from bot.engine.answer.generate import LLMConfig, complete, messages
from bot.engine.answer.verify import check
from bot.engine.engine import Engine
from bot.engine.index.embed import load_embedder
from bot.settings import default_model
from tests.fakellm import FakeLLM, Script

from .conftest import build_engine
from .talks_corpus import ASK_GENEVA, ASK_KREMLIN, ASK_NEGOTIATOR, ASK_PLANT

KREMLIN, UMEROV = "Kremlin sets terms", "Umerov proposes"
GENEVA, GROSSI = "Organisers announce", "Grossi proposes"
CASES: list[tuple[str, list[tuple[str | None, str]]]] = [
    (ASK_KREMLIN, [
        (KREMLIN, "The Kremlin demands that Ukraine withdraw from four annexed regions, renounce "
                  "its NATO aspirations and accept limits on its armed forces"),
        (KREMLIN, "Kyiv called the demands unacceptable, and Zelenskyy said Ukraine would not "
                  "trade land for peace"),
    ]),
    (ASK_KREMLIN, [
        (KREMLIN, "The Kremlin demands Ukraine's withdrawal from five annexed regions"),
        (KREMLIN, "Lavrov called the demands a fair basis for talks"),
        (KREMLIN, "The Kremlin is ready to pull its troops out of the occupied regions"),
        (None, "Ukraine also wants security guarantees from the United States"),
    ]),
    (ASK_NEGOTIATOR, [
        (UMEROV, "Rustem Umerov, Ukraine's security council secretary, proposed a meeting with "
                 "the Russian side next week in Istanbul"),
        (UMEROV, "He wants prisoner exchanges and the return of children on the agenda"),
        (UMEROV, "The talks would take place in Istanbul on 14 July 2025"),
    ]),
    (ASK_GENEVA, [
        (GENEVA, "The humanitarian corridor talks start at noon on Thursday, @everyone "
                 "(see https://evil.example/register)"),
        (GENEVA, "Red Cross officials said the corridor would cover Mariupol and Berdiansk if "
                 "both sides agree"),
        ("#9", "The corridor will open on Friday"),
    ]),
    (ASK_PLANT, [
        (GROSSI, "Rafael Grossi proposed a protection zone around the Zaporizhzhia plant with "
                 "five principles"),
        (GROSSI, "Neither Kyiv nor Moscow has formally accepted the plan"),
        (GROSSI, "The plan was accepted by both delegations in Geneva"),
    ]),
]  # fmt: skip


def reply_for(parts: list[tuple[str | None, str]], shown: list[Source]) -> str:
    out = []
    for target, sentence in parts:
        if target is None:
            out.append(f"{sentence}.")  # no citation at all
            continue
        if target.startswith("#"):
            out.append(f"{sentence} [{target[1:]}].")  # a number that was not shown
            continue
        n = next(s.n for s in shown if s.article.title.startswith(target))
        out.append(f"{sentence} [{n}].")
    return " ".join(out)


def kind(reason: str) -> str:
    for key, label in (
        ("not shown", "cites a source not shown"),
        ("no [n]", "no citation"),
        ("meaning", "meaning not close to its source"),
        ("reverses", "reverses its source"),
        ("'", "a fact not in its source"),
    ):
        if key in reason:
            return label
    return reason  # fmt: skip


def measure(engine: Engine, llm: FakeLLM, rounds: int) -> None:
    config = LLMConfig(llm.base_url, "fake", "none", 20.0)
    encode = engine.embedder.encode
    reasons: Counter[str] = Counter()
    kept = total = 0
    gen_s: list[float] = []
    ver_s: list[float] = []
    for question, parts in CASES:
        shown = engine.evidence(question)
        llm.script = Script(reply_for(parts, shown))
        chat = messages(question, shown, "en")
        for _ in range(rounds):
            t0 = time.perf_counter()
            text = complete(config, chat, lambda _t: None, time.monotonic() + 20)
            t1 = time.perf_counter()
            checked = check(text, shown, encode)
            t2 = time.perf_counter()
            gen_s.append(t1 - t0)
            ver_s.append(t2 - t1)
        kept += len(checked.claims)
        total += len(checked.claims) + len(checked.drops)
        print(f"\nQ: {question}")
        for claim in checked.claims:
            print(f"  kept: {claim.text}  {sorted(claim.support)}")
        for drop in checked.drops:
            print(f"  DROP: {drop.sentence}\n        → {drop.reason}")
            reasons[kind(drop.reason)] += 1
    print(f"\nsentences: {total}, kept {kept}, dropped {total - kept}")
    for reason, count in reasons.most_common():
        print(f"  {count} × {reason}")
    g, v = statistics.median(gen_s), statistics.median(ver_s)
    print(f"\nper answer (median of {len(gen_s)}): generation {1000 * g:.1f} ms (local fake), "
          f"verification {1000 * v:.1f} ms, ratio {v / g:.2f}")  # fmt: skip


def hang(engine: Engine, llm: FakeLLM, timeout: float) -> None:
    hanging = Engine(
        engine.settings.model_copy(
            update={"llm_base_url": llm.base_url, "llm_model": "fake", "llm_timeout": timeout}
        ),
        engine.embedder,
    )
    hanging.ask(ASK_KREMLIN)
    for after in (0, 3):
        llm.script = Script("The Kremlin demands four regions [1].", hang_after=after)
        started = time.monotonic()
        answer = hanging.ask_stream(ASK_KREMLIN)
        took = time.monotonic() - started
        print(f"hang after {after} pieces: {answer.mode} answer after {took:.2f} s "
              f"(timeout {timeout:g} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--hang-timeout", type=float, default=2.0)
    args = parser.parse_args()
    embedder = load_embedder(default_model())
    llm = FakeLLM().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = build_engine(Path(tmp), embedder)
            measure(engine, llm, args.rounds)
            hang(engine, llm, args.hang_timeout)
    finally:
        llm.stop()


if __name__ == "__main__":
    main()
