"""Staging Gate: a pytest-based validation gate run after every staging deploy."""

__version__ = "0.1.0"
