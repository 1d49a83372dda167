"""Sentence embeddings for the NLU pipeline, computed locally with numpy."""
