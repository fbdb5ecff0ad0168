"""Shared helpers for the RefusalGate training pipelines (text normalisation, metrics, embeddings)."""
