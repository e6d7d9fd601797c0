"""The README as a newcomer meets it: the first set-up command, and where the settings are documented.

The command itself was run as root on a fresh clone of a Debian 12 machine without sudo; what can be
checked without installing packages is checked here, with bash itself reading the line.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from ui.app import QT_X11_LIBRARIES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_lines() -> list[str]:
    block = re.search(r"^```sh\n(.*?)^```$", README, re.MULTILINE | re.DOTALL)
    assert block, "README.md has no ```sh block"
    return block.group(1).splitlines()


def apt_packages(command: str) -> set[str]:
    words = shlex.split(command.split("apt-get install", 1)[1].split("&&")[0])
    return {w for w in words if not w.startswith("-")}


def test_exactly_two_setup_commands_and_the_second_runs_the_tests():
    lines = setup_lines()
    assert len(lines) == 2
    assert "pytest" in lines[1]


def test_the_first_command_is_one_chain_that_stops_at_a_failure():
    first = setup_lines()[0]
    subprocess.run(["bash", "-n", "-c", first], check=True)  # bash reads it as valid shell
    sudo, _, chain = first.partition(";")
    assert sudo.strip() == "S=$(command -v sudo)"  # sudo when there is one, nothing as root without it
    assert ";" not in chain and "||" not in chain  # every step after it is joined by &&
    steps = [step.strip() for step in chain.split("&&")]
    assert steps[0] == "$S apt-get update"  # a fresh machine has no package lists yet
    assert steps[1].startswith("$S apt-get install -y ")
    assert steps[-1].startswith(".venv/bin/bireader open ")
    assert (ROOT / steps[-1].split()[-1]).is_file()


def test_the_sudo_prefix_is_empty_where_there_is_no_sudo(tmp_path):
    """As root on a minimal system `command -v sudo` finds nothing and `$S apt-get` is `apt-get`."""
    prefix = setup_lines()[0].split(";")[0]
    script = f'{prefix}; printf "%s|" $S apt-get'
    no_sudo = subprocess.run(["/bin/bash", "-c", script], capture_output=True, text=True,
                             env={"PATH": str(tmp_path)})
    assert no_sudo.stdout == "apt-get|"


def test_the_first_command_installs_the_dictionary_and_every_library_the_window_checks():
    packages = apt_packages(setup_lines()[0])
    assert "dict-freedict-nld-eng" in packages
    assert "python3-venv" in packages  # Debian's python3 has no venv without it
    assert set(QT_X11_LIBRARIES.values()) <= packages


def test_ci_installs_what_the_readme_installs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_install = ci.split("apt-get install", 1)[1].split(">/dev/null")[0].replace("\\\n", " ")
    ci_packages = {w for w in ci_install.split() if not w.startswith("-")}
    assert apt_packages(setup_lines()[0]) == ci_packages


def _section(title: str) -> str:
    match = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", README, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def test_readme_documents_the_environment_variables():
    section = _section("Environment variables")
    for variable in ("BIREADER_ALLOW_TEST_PACKAGE", "BIREADER_HOME", "BIREADER_DICT", "BIREADER_READ_ONLY",
                     "ARGOS_PACKAGES_DIR", "BIREADER_ARGOS_INDEX"):
        assert f"`{variable}" in section, variable
    assert "not a translation" in section


def test_readme_documents_the_date_forms_the_importer_reads():
    section = _section("Article files")
    for form in ("date 2022-03", "Date: 2024-05-14", "Gepubliceerd op 14 mei 2024", "14-05-2024 10:32"):
        assert form in section, form
