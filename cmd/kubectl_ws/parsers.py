"""Command-line parsing for `kubectl ws` and `kubectl create workspace`, shaped like kcp's cobra commands.

`kubectl ws` dispatches like cobra with `TraverseChildren`: the first argument that is not a flag
(or a flag's value) selects a subcommand if it names one (`use`/`cd`, `current`, `tree`,
`create`, `create-context`, `help`), else it is the workspace to go to (`.`, `..`, `-`, `~`,
`:root:a`, `a:b`, ...). Every command accepts `--kubeconfig` and the kubectl connection flags kcp
binds (`--context`, `--server`/`-s`, `--token`, `--user`, `--namespace`/`-n`,
`--certificate-authority`, `--insecure-skip-tls-verify`, `--tls-server-name`, `--username`,
`--password`); `create` and `tree` also `--workspace`/`-w`. Errors print as cobra does
(`Error: <text>` on stderr, exit code 1), without usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO

from kubectl_ws.commands import (
    ConnectionOptions,
    Session,
    Streams,
)
from kubectl_ws.restconfig import Overrides

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

VERSION = "v0.1.0"

CREATE_DEPRECATION = (
    "install the 'kubectl create workspace' plugin instead, compare https://docs.kcp.io/kcp/latest/setup/kubectl-plugin/."
)

WORKSPACE_EXAMPLES = """\
Examples:
  # shows the workspace you are currently using
  kubectl workspace .

  # enter a given workspace (this will change the current-context of your current KUBECONFIG)
  kubectl workspace use my-workspace

  # short-hand for the use syntax
  kubectl workspace my-workspace

  # enter a given absolute workspace
  kubectl workspace :root:default:my-workspace

  # short-hand for the current root workspace
  kubectl workspace :

  # enter a given relative workspace
  kubectl workspace some:nested:workspace

  # enter the parent workspace
  kubectl workspace ..

  # enter the grand parent workspace
  kubectl workspace ..:..

  # enter the previous workspace
  kubectl workspace -

  # go to your home workspace
  kubectl workspace

  # create a workspace and immediately enter it
  kubectl workspace create my-workspace --enter

  # create a context with the current workspace, e.g. root:default:my-workspace
  kubectl workspace create-context

  # create a context with the current workspace, named context-name
  kubectl workspace create-context context-name
"""

SUBCOMMANDS = ("use", "cd", "current", "tree", "create", "create-context", "help")

# Flags of the root command that take a value (for finding the first positional argument).
_VALUE_FLAGS = {
    "--kubeconfig", "--context", "--user", "--namespace", "-n", "--server", "-s", "--certificate-authority",
    "--tls-server-name", "--token", "--username", "--password", "--v", "-v",
}


class UsageError(Exception):
    """Bad flags or arguments, reported like cobra."""


class ParserExit(Exception):
    """argparse finished early (help, version) with this exit status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Parser(argparse.ArgumentParser):
    """argparse with cobra's error texts, writing help to the command's own output stream."""

    out: TextIO | None = None

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if message:
            (self.out if self.out is not None and file in (None, sys.stdout) else file or sys.stderr).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._print_message(message, sys.stderr)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: "):
            first = message.removeprefix("unrecognized arguments: ").split(" ")[0]
            if first.startswith("--"):
                message = f"unknown flag: {first}"
            elif first.startswith("-"):
                message = f"unknown shorthand flag: {first[1:2]!r} in {first}"
        elif message.startswith("argument ") and message.endswith(": expected one argument"):
            flag = message.removeprefix("argument ").removesuffix(": expected one argument").split("/")[-1]
            message = f"flag needs an argument: {flag}"
        raise UsageError(message)


def _connection_flags(parser: argparse.ArgumentParser, *, workspace_flag: bool) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument("--kubeconfig", default="", help="Path to the kubeconfig file")
    group.add_argument("--context", default="", help="The name of the kubeconfig context to use")
    group.add_argument("--user", default="", help="The name of the kubeconfig user to use")
    group.add_argument("-n", "--namespace", default="", help="If present, the namespace scope for this CLI request")
    group.add_argument("-s", "--server", default="", help="The address and port of the Kubernetes API server")
    group.add_argument("--certificate-authority", default="", help="Path to a cert file for the certificate authority")
    group.add_argument("--insecure-skip-tls-verify", action="store_true",
                       help="If true, the server's certificate will not be checked for validity")
    group.add_argument("--tls-server-name", default="", help="Server name to use for server certificate validation")
    group.add_argument("--token", default="", help="Bearer token for authentication to the API server")
    group.add_argument("--username", default="", help="Username for basic authentication to the API server")
    group.add_argument("--password", default="", help="Password for basic authentication to the API server")
    group.add_argument("-v", "--v", default="0", metavar="LEVEL", help="number for the log level verbosity")
    if workspace_flag:
        group.add_argument(
            "-w", "--workspace", default="",
            help="Workspace path to target. If not specified, the current workspace from the kubeconfig will be "
                 "used. Use a leading ':' for absolute paths (e.g. ':root:my-ws'), or omit it for relative paths "
                 "(e.g. 'my-ws'). '.' stays in the current workspace, '..' navigates to the parent workspace.",
        )


def connection_options(namespace: argparse.Namespace) -> ConnectionOptions:
    overrides = Overrides(
        context=namespace.context, user=namespace.user, namespace=namespace.namespace, server=namespace.server,
        certificate_authority=namespace.certificate_authority,
        insecure_skip_tls_verify=namespace.insecure_skip_tls_verify, tls_server_name=namespace.tls_server_name,
        token=namespace.token, username=namespace.username, password=namespace.password,
    )
    return ConnectionOptions(namespace.kubeconfig, overrides, getattr(namespace, "workspace", "") or "")


def _create_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--type", default="",
                        help="A workspace type. The default type depends on where this child workspace is created.")
    parser.add_argument("--enter", action="store_true", help="Immediately enter the created workspace")
    parser.add_argument("--ignore-existing", action="store_true",
                        help="Ignore if the workspace already exists. Requires none or absolute type path. "
                             "Overwrites the context if --create-context is set.")
    parser.add_argument("--location-selector", default="",
                        help="A label selector to select the scheduling location of the created workspace.")
    parser.add_argument("--create-context", default="",
                        help="Create a kubeconfig context for the new workspace with the given name.")
    parser.add_argument("--version", action="version", version=f"create version {VERSION}")
    _connection_flags(parser, workspace_flag=True)


def workspace_parser() -> Parser:
    parser = Parser(
        prog="kubectl ws",
        usage="kubectl workspace [create|create-context|use|current|<workspace>|..|.|-|~|<root:absolute:workspace>] "
              "[-i|--interactive]",
        description="Manages kcp workspaces",
        epilog=WORKSPACE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("-i", "--interactive", action="store_true", help="Interactive workspace tree browser")
    _short_flag(parser)
    parser.add_argument("--version", action="version", version=f"workspace version {VERSION}")
    _connection_flags(parser, workspace_flag=False)
    return parser


def _short_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--short", action="store_true",
                        help="Print only the name of the workspace, e.g. for integration into the shell prompt")


def subcommand_parser(command: str) -> Parser:
    if command in ("use", "cd"):
        parser = Parser(prog="kubectl ws use", usage="kubectl ws use <workspace>|..|.|-|~|<:root:absolute:workspace>"
                         "|<relative:workspace>",
                         description="Uses the given workspace as the current workspace. Using - means previous "
                                     "workspace, .. means parent workspace, . mean current, ~ means home workspace")
        parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
        _short_flag(parser)
        _connection_flags(parser, workspace_flag=False)
    elif command == "current":
        parser = Parser(prog="kubectl ws current", usage="kubectl ws current [--short]",
                         description="Print the current workspace. Same as 'kubectl ws .'.")
        parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
        _short_flag(parser)
        _connection_flags(parser, workspace_flag=False)
    elif command == "tree":
        parser = Parser(prog="kubectl ws tree", usage="kubectl ws tree",
                         description="Print the current workspace tree.")
        parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
        parser.add_argument("-f", "--full", action="store_true", help="Show full workspace names")
        parser.add_argument("-i", "--interactive", action="store_true", help="Interactive workspace tree browser")
        parser.add_argument("--wide", action="store_true",
                            help="Show workspace and logical cluster status for each node")
        _connection_flags(parser, workspace_flag=True)
    elif command == "create":
        parser = Parser(prog="kubectl ws create",
                         usage="kubectl ws create <workspace name> [--type=<type>] [--enter] --ignore-existing",
                         description="Creates a new workspace")
        _create_flags(parser)
    else:  # create-context
        parser = Parser(prog="kubectl ws create-context",
                         usage="kubectl ws create-context [<context-name>] [--overwrite]",
                         description="Create a kubeconfig context for the current workspace")
        parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
        parser.add_argument("--overwrite", action="store_true", help="Overwrite the context if it already exists")
        _connection_flags(parser, workspace_flag=False)
    return parser


def create_workspace_parser() -> Parser:
    parser = Parser(prog="kubectl create workspace",
                     usage="kubectl create workspace <workspace name> [--type=<type>] [--enter] --ignore-existing",
                     description="Creates a new workspace")
    _create_flags(parser)
    return parser


def split_command(argv: Sequence[str]) -> tuple[str, list[str], list[str]]:
    """(subcommand or '', the arguments before it, the arguments after it), as cobra's Traverse finds it."""
    in_value = False
    for index, arg in enumerate(argv):
        if in_value:
            in_value = False
            continue
        if arg == "--":
            break
        if arg.startswith("-") and len(arg) > 1:
            in_value = "=" not in arg and arg in _VALUE_FLAGS
            continue
        if arg in SUBCOMMANDS:
            return arg, list(argv[:index]), list(argv[index + 1:])
        break
    return "", [], list(argv)


SessionFactory = Callable[[ConnectionOptions, Streams], Session]


