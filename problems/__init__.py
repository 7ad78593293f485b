"""Example problems (installed as ``optimus.problems``)."""
