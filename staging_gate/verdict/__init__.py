"""The verdict (Allure results, sign-off, report): may import the foundation, deployment, probes.

It judges from Allure statuses and labels only, never from message text, and never imports
the run (the CLI or the plugin). Rules: ARCHITECTURE.md.
"""
