"""Extensions loaded by TalksBot.setup_hook, each on its own so one failing leaves the rest."""
