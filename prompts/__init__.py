"""Prompt templates (installed as ``optimus.prompts``)."""
