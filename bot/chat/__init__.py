"""The Discord front door: slash commands, mentions and Q&A channels over one Engine."""
