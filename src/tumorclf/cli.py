"""The ``tumorclf`` command line: one thin command per stage over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="tumorclf",
    help="Differential diagnosis of intraspinal tumours: mesenchymal chondrosarcoma and its mimics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Differential diagnosis of intraspinal tumours: MCS against its mimics."""
    if version:
        from tumorclf import __version__

        typer.echo(__version__)
        raise typer.Exit()


def _fail(message: str, code: int = 2) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


@app.command()
def generate(
    n: Annotated[int, typer.Option("-n", "--n", min=1, help="Number of cases to draw.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV file to write (atomically).")] = Path("synthetic_cases.csv"),
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same file.")] = 0,
    balance: Annotated[str, typer.Option(help="Class balance: 'clinical' (prevalences) or 'uniform'.")] = "clinical",
    priors: Annotated[Path | None, typer.Option(help="Priors file (default: configs/priors.yaml).")] = None,
    no_missing: Annotated[bool, typer.Option("--no-missing", help="Report every field (no missingness).")] = False,
) -> None:
    """Draw labelled synthetic cases from the literature priors into a CSV.

    The file is in the case schema's own format (readable back by the
    validator), with a `diagnosis` and a `source` column.
    """
    import time

    from tumorclf.case_io import write_cases_csv
    from tumorclf.synthetic import load_generator
    from tumorclf.yaml_source import YamlFileError

    try:
        generator = load_generator(priors)
    except (YamlFileError, FileNotFoundError) as error:
        _fail(str(error))
    if balance not in ("clinical", "uniform"):
        _fail(f"--balance must be 'clinical' or 'uniform'; got {balance!r}")
    start = time.perf_counter()
    frame = generator.sample(n, balance=balance, random_state=seed, missing=not no_missing)
    write_cases_csv(frame, output)
    counts = frame["diagnosis"].value_counts().reindex(list(generator.classes_))
    summary = ", ".join(f"{c} {k:,}" for c, k in counts.items())
    typer.echo(f"Wrote {n:,} cases to {output} in {time.perf_counter() - start:.1f} s ({summary}).")


def main() -> None:  # pragma: no cover - console entry point
    app()
