"""Conversations the assistant hands to a human: support tickets with the transcript."""
