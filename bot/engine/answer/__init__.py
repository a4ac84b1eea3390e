"""The answer step: retrieved passages → a cited answer or a decline."""
