"""A stand-in AskPro AI Gateway staging deployment: nginx, an ASGI app, MariaDB and Redis.

See README.md for the contract. This package shares no code with ``staging_gate``.
"""
