"""P6.5 statement counts from performance_schema: calibration, settling, could-not-verify."""

from __future__ import annotations

from collections.abc import Sequence

import pymysql
import pytest

from staging_gate.errors import CouldNotVerify
from staging_gate.probes.performance import QueryObservation
from staging_gate.probes.statement_counts import (
    check_enabled,
    count_load,
    observation_from_header,
    read_statement_count,
)


class Server:
    """A statement counter: each read costs `per_read`; a load adds `load_adds` spread over
    the reads that follow it (work after the response lands late)."""

    def __init__(self, per_read: int = 0, load_adds: Sequence[int] = (5,)) -> None:
        self.total = 100
        self.per_read = per_read
        self.pending: list[int] = []
        self.load_adds = list(load_adds)

    def read(self) -> int:
        if self.pending:
            self.total += self.pending.pop(0)
        seen = self.total
        self.total += self.per_read
        return seen

    def load(self) -> None:
        self.total += self.load_adds[0]
        self.pending = self.load_adds[1:]


def counted(server: Server) -> int:
    return count_load(server.read, server.load, "/portal/calls", sleep=lambda _s: None).statements


@pytest.mark.parametrize(("per_read", "load_adds", "expected"), [
    (0, (6,), 6),          # a separate monitoring account
    (1, (6,), 6),          # the monitor shares the app's user: its SELECTs are subtracted
    (1, (5, 1), 6),        # the session write lands after the response
    (1, (4, 1, 1), 6),
    (0, (0,), 0),
])
def test_count_load_is_the_page_loads_own_statements(per_read, load_adds, expected):
    assert counted(Server(per_read, load_adds)) == expected


def test_counter_going_backwards_could_not_verify():
    values = iter([100, 100, 5, 5])
    with pytest.raises(CouldNotVerify, match="went backwards"):
        count_load(lambda: next(values), lambda: None, "/x", sleep=lambda _s: None)


def test_other_traffic_between_reads_could_not_verify():
    values = iter([100, 140])
    with pytest.raises(CouldNotVerify, match="other traffic"):
        count_load(lambda: next(values), lambda: None, "/x", sleep=lambda _s: None)


def test_counter_that_never_settles_could_not_verify():
    values = iter([100, 100, *range(110, 1000, 10)])
    with pytest.raises(CouldNotVerify, match="kept rising"):
        count_load(lambda: next(values), lambda: None, "/x", sleep=lambda _s: None)


def test_missing_grant_names_the_grant():
    def denied(_sql, _args):
        raise pymysql.err.OperationalError(1142, "SELECT command denied to user 'mon'")

    with pytest.raises(CouldNotVerify) as caught:
        read_statement_count(denied, "app", "mon")
    assert "GRANT SELECT ON performance_schema.* TO 'mon'" in caught.value.fix


@pytest.mark.parametrize("value", [0, "0", "OFF"])
def test_performance_schema_off_names_my_cnf(value):
    with pytest.raises(CouldNotVerify) as caught:
        check_enabled(lambda _sql, _args: [{"enabled": value}])
    assert "performance_schema=ON" in caught.value.fix and "my.cnf" in caught.value.fix


def test_performance_schema_on_passes():
    check_enabled(lambda _sql, _args: [{"enabled": 1}])


def test_statement_count_sums_the_rows_value():
    assert read_statement_count(lambda _sql, args: [{"statements": "42"}], "app", "mon") == 42


def test_the_apps_header_is_a_second_source_only_when_numeric():
    seen = QueryObservation("/calls", 25, 6)
    assert observation_from_header(seen, [None, "x"]) is None
    assert observation_from_header(seen, ["7", "5"]) == QueryObservation("/calls", 25, 5)
