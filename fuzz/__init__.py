"""Fuzzing harnesses; see SECURITY.md."""
