"""The target (reach and change the deployment, under the guard): may import only the foundation.

Connections, profile commands, login sessions, the production guard, flags, the portal hold
and the pilot list. Probes use it; it never imports probes, the verdict or the run.
"""
