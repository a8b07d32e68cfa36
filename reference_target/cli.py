"""``python -m reference_target``: the command line of the reference target (see README)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, cast

from . import dialect, lifecycle, switching
from .paths import StatePaths
from .processes import StartupError
from .state import command_lock

STATE_DIR_ENV = "REFERENCE_STATE_DIR"


class _Delegate(Protocol):
    def main(self, state_dir: Path, argv: list[str]) -> int: ...


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2))


def _cmd_up(paths: StatePaths, args: argparse.Namespace) -> int:
    if args.scale is not None and paths.credentials_json.exists():
        print(f"note: {paths.root} is already seeded; --scale applies to a fresh state dir "
              "(or use `artisan db:seed --scale N`)", file=sys.stderr)
    with command_lock(paths):
        result = lifecycle.up(paths, args.scale, args.dialect)
    _print_json(result.endpoints)
    verb = "already up" if result.already_up else "up and healthy"
    print(f"reference target {verb} in {result.seconds:.1f} s ({paths.root})", file=sys.stderr)
    return 0


def _cmd_down(paths: StatePaths, _args: argparse.Namespace) -> int:
    with command_lock(paths):
        stopped = lifecycle.down(paths)
    print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}",
          file=sys.stderr)
    return 0


def _cmd_status(paths: StatePaths, _args: argparse.Namespace) -> int:
    _print_json(lifecycle.status(paths))
    return 0


def _cmd_defect(paths: StatePaths, args: argparse.Namespace) -> int:
    if args.action == "list":
        _print_json(switching.catalogue_with_state(paths))
        return 0
    if args.action == "reset":
        with command_lock(paths):
            was_on = switching.reset(paths)
        print(f"defects switched off: {', '.join(was_on) or 'none were on'}", file=sys.stderr)
        return 0
    if not args.names:
        raise switching.UnknownDefect(f"`defect {args.action}` needs a defect NAME")
    for name in args.names:
        switching.lookup(name)
    with command_lock(paths):
        for name in args.names:
            switching.switch(paths, name, on=args.action == "on")
            print(f"defect {name} {args.action}", file=sys.stderr)
    return 0


def _delegate(module: str, paths: StatePaths, argv: list[str]) -> int:
    try:
        target = cast(_Delegate, importlib.import_module(f"reference_target.{module}"))
    except ModuleNotFoundError as error:
        print(f"reference_target: {module} is not available ({error})", file=sys.stderr)
        return 2
    return target.main(paths.root, argv)


def _cmd_flag(paths: StatePaths, args: argparse.Namespace) -> int:
    return _delegate("flags", paths, [args.flag, *([args.value] if args.value is not None else [])])


def _cmd_artisan(paths: StatePaths, args: argparse.Namespace) -> int:
    return _delegate("artisan", paths, list(args.args))


def _add_state_dir(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get(STATE_DIR_ENV)
    parser.add_argument("--state-dir", default=default, required=default is None,
                        help=f"the deployment's state folder (default: ${STATE_DIR_ENV})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference_target",
        description="A stand-in AskPro AI Gateway staging deployment (nginx, app, MariaDB, "
                    "Redis) with switchable seeded defects.")
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start everything, wait healthy, write endpoints.json")
    _add_state_dir(up)
    up.add_argument("--scale", type=int, default=None,
                    help="seed N times the default data (performance work)")
    up.add_argument("--dialect", choices=dialect.NAMES, default=None,
                    help="how the deployment is built (default: the folder's own, else "
                         "reference); see reference_target/dialect.py")
    up.set_defaults(handler=_cmd_up)

    for name, handler, text in (
            ("down", _cmd_down, "stop everything by PID, free every port"),
            ("status", _cmd_status, "JSON: which processes run")):
        sub = commands.add_parser(name, help=text)
        _add_state_dir(sub)
        sub.set_defaults(handler=handler)

    defect = commands.add_parser("defect", help="list or switch seeded defects")
    _add_state_dir(defect)
    defect.add_argument("action", choices=("list", "on", "off", "reset"))
    defect.add_argument("names", nargs="*", metavar="NAME", help="defect name(s) for on/off")
    defect.set_defaults(handler=_cmd_defect)

    flag = commands.add_parser("flag", help="read or toggle a feature flag")
    _add_state_dir(flag)
    flag.add_argument("flag", help="e.g. FEATURE_CUSTOMER_PORTAL")
    flag.add_argument("value", nargs="?", help="true/false; company ids for a list setting")
    flag.set_defaults(handler=_cmd_flag)

    artisan = commands.add_parser("artisan", help="migrate, migrate:rollback, migrate:status, "
                                                  "db:seed, bootstrap")
    _add_state_dir(artisan)
    artisan.add_argument("args", nargs=argparse.REMAINDER)
    artisan.set_defaults(handler=_cmd_artisan)
    return parser


def _hoist_state_dir(argv: list[str]) -> list[str]:
    """Let ``--state-dir`` follow artisan's own arguments (REMAINDER would swallow it)."""
    if len(argv) < 2 or argv[0] != "artisan":
        return argv
    rest = argv[1:]
    for index, item in enumerate(rest):
        if item == "--state-dir" and index + 1 < len(rest):
            return ["artisan", item, rest[index + 1], *rest[:index], *rest[index + 2:]]
        if item.startswith("--state-dir="):
            return ["artisan", item, *rest[:index], *rest[index + 1:]]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_hoist_state_dir(list(sys.argv[1:] if argv is None
                                                            else argv)))
    handler = cast(Callable[[StatePaths, argparse.Namespace], int], args.handler)
    try:
        return handler(StatePaths.of(args.state_dir), args)
    except switching.UnknownDefect as error:
        print(f"reference_target: {error}", file=sys.stderr)
        return 2
    except (StartupError, switching.SwitchError) as error:
        print(f"reference_target: {error}", file=sys.stderr)
        return 1
