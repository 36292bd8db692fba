"""The command-line entry point stays light: `naslens --help` must not import torch."""

from __future__ import annotations

import subprocess
import sys


def test_cli_module_and_help_do_not_import_torch():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "import naslens.cli as c\n"
        "r = CliRunner().invoke(c.app, ['--help'])\n"
        "assert r.exit_code == 0 and 'evaluate' in r.output, r.output\n"
        "r = CliRunner().invoke(c.app, ['bench', '--help'])\n"
        "assert r.exit_code == 0 and 'build' in r.output, r.output\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
