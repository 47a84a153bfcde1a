"""``python -m tumorclf``: the same command line as ``tumorclf``."""

from tumorclf.cli import app

app(prog_name="tumorclf")
