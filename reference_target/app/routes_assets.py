"""Static assets a dialect's templates load (``/js/filament/tables.js``)."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.routing import Route

from reference_target.app.context import Ctx
from reference_target.app.pipeline import Spec, route

STATIC = Path(__file__).resolve().parent.parent / "static"


@route(Spec("public", auth=False))
def filament_tables(_ctx: Ctx) -> Response:
    script = (STATIC / "filament" / "tables.js").read_text(encoding="utf-8")
    return Response(script, media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=3600"})


ROUTES = [Route("/js/filament/tables.js", filament_tables)]
