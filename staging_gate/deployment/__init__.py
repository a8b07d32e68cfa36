"""The deployment (reach and change the target, under the guard): may import only the foundation.

Connections, profile commands, login sessions, the production guard, flags, the portal hold
and the pilot list; `deployment.target.Target` is the deployment under test. Probes use it;
it never imports probes, the verdict or the run. (Not named `target/`: build tools and
.gitignore templates treat a `target/` folder as build output.)
"""
