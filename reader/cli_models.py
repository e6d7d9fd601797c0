"""`bireader models`: list, install, download and remove translation packages."""

from __future__ import annotations

import argparse
import sys

from reader.cli_base import EXIT_OK, Progress, _warn


def cmd_models_list(args: argparse.Namespace) -> int:
    from models.packages import damaged_packages, describe, installed_packages, packages_dir

    pkgs = installed_packages()
    for folder, reason in damaged_packages():
        _warn(f"{folder} is a damaged package ({reason}): delete that folder or install the package again.")
    if not pkgs:
        print(f"No translation packages in {packages_dir()}: run `bireader models download nl en`.",
              file=sys.stderr)
        return EXIT_OK
    for p in pkgs:
        print(describe(p))
    return EXIT_OK


def cmd_models_install(args: argparse.Namespace) -> int:
    from models.packages import describe, install_file, replaces_note

    pkg = install_file(args.file, expect_pair=(args.source, args.target))
    print(f"Installed {describe(pkg)}{replaces_note(pkg)}")
    return EXIT_OK


def cmd_models_download(args: argparse.Namespace) -> int:
    from models.packages import describe, download, replaces_note

    bar = Progress(f"Downloading {args.source}→{args.target}", "B")
    try:
        pkg = download(args.source, args.target, progress=bar)
    finally:
        bar.close()
    print(f"Installed {describe(pkg)}{replaces_note(pkg)}")
    return EXIT_OK


def cmd_models_remove(args: argparse.Namespace) -> int:
    from models.packages import remove

    removed = remove(args.package)
    print(f"Removed {removed}")
    return EXIT_OK
