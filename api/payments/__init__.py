"""Payments: an append-only ledger in øre, orders that double as receipts, refunds."""
