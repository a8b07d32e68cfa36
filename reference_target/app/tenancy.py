"""Answers for records that are missing or belong to another tenant: the same 404."""

from __future__ import annotations

from starlette.responses import Response

from reference_target.app import errors, repo
from reference_target.app.context import Ctx


def not_found(ctx: Ctx, table: str, record_id: int | str | None) -> Response:
    """404 - or, with the ``foreign_record_403`` defect, 403 for another tenant's record."""
    if record_id is not None and ctx.on("foreign_record_403") and \
            repo.exists_anywhere(ctx.db, table, record_id):
        return errors.error(403, ctx.path)
    return errors.error(404, ctx.path)
