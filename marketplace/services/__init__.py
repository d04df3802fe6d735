"""Workflows that change state: each runs in one transaction with its audit event."""
