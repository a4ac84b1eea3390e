"""Measuring the engine for users: answer quality on a question set (`talks eval`).

Everything here returns figures; the CLI prints them. Nothing here touches Discord.
"""

from bot.evaluate.qa import QAItem, load_qa
from bot.evaluate.quality import EvalReport, evaluate

__all__ = ["EvalReport", "QAItem", "evaluate", "load_qa"]
