"""Running `kubectl ws` and `kubectl create workspace`: parse (parsers.py), dispatch to the command
(commands.py), print errors as cobra does (`Error: <text>` on stderr, exit code 1)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from kubectl_ws.commands import (
    USER_ERRORS,
    CommandError,
    ConnectionOptions,
    CreateRequest,
    CreateWorkspace,
    Session,
    Streams,
    UseWorkspace,
    WorkspaceTree,
    create_context,
    current_workspace,
)

if TYPE_CHECKING:
    pass

from kubectl_ws.parsers import (
    CREATE_DEPRECATION,
    SUBCOMMANDS,
    ParserExit,
    SessionFactory,
    UsageError,
    connection_options,
    create_workspace_parser,
    split_command,
    subcommand_parser,
    workspace_parser,
)


def _default_session(options: ConnectionOptions, streams: Streams) -> Session:
    return Session(options, streams)


def _print_help(parser: argparse.ArgumentParser, out: TextIO) -> int:
    parser.print_help(out)
    return 0


def run_workspace(argv: Sequence[str], streams: Streams, session_factory: SessionFactory = _default_session) -> int:
    """`kubectl ws ...`; returns the exit code."""
    root = workspace_parser()
    root.out = streams.out
    try:
        command, before, after = split_command(argv)
        if command == "help":
            target = after[0] if after and after[0] in SUBCOMMANDS[:-1] else ""
            return _print_help(subcommand_parser(target) if target else root, streams.out)
        if not command:
            return _run_root(root, root.parse_intermixed_args(after), streams, session_factory)
        defaults = vars(root.parse_intermixed_args(before))
        parser = subcommand_parser(command)
        parser.out = streams.out
        parser.set_defaults(**{key: value for key, value in defaults.items()
                               if key not in ("args", "interactive") and value not in ("", False, "0")})
        if command == "create":
            streams.err.write(f'Command "create" is deprecated, {CREATE_DEPRECATION}\n')
        return _run_subcommand(command, parser, parser.parse_intermixed_args(after), root, streams, session_factory)
    except ParserExit as done:
        return done.status
    except UsageError as error:
        streams.err.write(f"Error: {error}\n")
        return 1
    except (CommandError, *USER_ERRORS) as error:
        streams.err.write(f"Error: {error}\n")
        return 1


def _run_root(root: argparse.ArgumentParser, namespace: argparse.Namespace, streams: Streams,
              session_factory: SessionFactory) -> int:
    args: list[str] = namespace.args
    if namespace.interactive:
        if args:
            raise CommandError("interactive mode does not accept arguments")
        raise CommandError("interactive mode is not supported by this plugin; use 'kubectl ws tree'")
    if len(args) > 1:
        return _print_help(root, streams.out)
    session = session_factory(connection_options(namespace), streams)
    UseWorkspace(session, short=namespace.short).run(args[0] if args else "")
    return 0


def _run_subcommand(command: str, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                    root: argparse.ArgumentParser, streams: Streams, session_factory: SessionFactory) -> int:
    if command == "create":
        return _run_create(namespace, streams, session_factory)
    args: list[str] = namespace.args
    if command in ("use", "cd"):
        if len(args) != 1:
            return _print_help(parser, streams.out)
        UseWorkspace(session_factory(connection_options(namespace), streams), short=namespace.short).run(args[0])
    elif command == "current":
        if args:
            return _print_help(root, streams.out)
        current_workspace(session_factory(connection_options(namespace), streams), short=namespace.short)
    elif command == "tree":
        if args:
            return _print_help(root, streams.out)
        if namespace.interactive:
            raise CommandError("interactive mode is not supported by this plugin; use 'kubectl ws tree'")
        WorkspaceTree(session_factory(connection_options(namespace), streams), full=namespace.full,
                      wide=namespace.wide).run()
    else:  # create-context
        if len(args) > 1:
            return _print_help(root, streams.out)
        create_context(session_factory(connection_options(namespace), streams), name=args[0] if args else "",
                       overwrite=namespace.overwrite)
    return 0


def _run_create(namespace: argparse.Namespace, streams: Streams, session_factory: SessionFactory) -> int:
    names: list[str] = namespace.name
    if len(names) != 1:
        raise UsageError(f"accepts 1 arg(s), received {len(names)}")
    request = CreateRequest(
        name=names[0], type=namespace.type, enter=namespace.enter, ignore_existing=namespace.ignore_existing,
        location_selector=namespace.location_selector, create_context=namespace.create_context,
    )
    CreateWorkspace(session_factory(connection_options(namespace), streams)).run(request)
    return 0


def run_create_workspace(argv: Sequence[str], streams: Streams,
                         session_factory: SessionFactory = _default_session) -> int:
    """`kubectl create workspace ...` (the `kubectl-create-workspace` plugin); returns the exit code."""
    parser = create_workspace_parser()
    parser.out = streams.out
    try:
        return _run_create(parser.parse_intermixed_args(list(argv)), streams, session_factory)
    except ParserExit as done:
        return done.status
    except UsageError as error:
        streams.err.write(f"Error: {error}\n")
        return 1
    except (CommandError, *USER_ERRORS) as error:
        streams.err.write(f"Error: {error}\n")
        return 1


def default_streams() -> Streams:
    return Streams(sys.stdout, sys.stderr)
