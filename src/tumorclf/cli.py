"""The ``tumorclf`` command line: one thin command per stage over the library."""

from __future__ import annotations

import signal
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from tumorclf.model.readings import DEFAULT_READING, READINGS

#: How a case is read, as a choice of the command line (tumorclf.model.readings).
Reading = Enum("Reading", {name: name for name in READINGS}, type=str)
#: The reading a case gets unless the command line says otherwise, as a choice.
DEFAULT = Reading(DEFAULT_READING)

app = typer.Typer(
    name="tumorclf",
    help=(
        "Differential diagnosis of intraspinal tumours: mesenchymal chondrosarcoma and its mimics."
    ),
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
    output: Annotated[
        Path, typer.Option("-o", "--output", help="CSV file to write (atomically).")
    ] = Path("synthetic_cases.csv"),
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same file.")
    ] = 0,
    balance: Annotated[
        str, typer.Option(help="Class balance: 'clinical' (prevalences) or 'uniform'.")
    ] = "clinical",
    priors: Annotated[
        Path | None, typer.Option(help="Priors file (default: configs/priors.yaml).")
    ] = None,
    no_missing: Annotated[
        bool,
        typer.Option("--no-missing", help="State every field (the same as --missingness none)."),
    ] = False,
    missingness: Annotated[
        str,
        typer.Option(
            help="How the complete draws are masked: as_published (each a paper of a style, "
            "findings stated at its rates), as_entered (each field kept with a per-case chance, "
            "whatever its value), none."
        ),
    ] = "as_published",
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
    from tumorclf.synthetic import MISSINGNESS

    if missingness not in MISSINGNESS:
        _fail(f"--missingness must be one of {', '.join(MISSINGNESS)}; got {missingness!r}")
    start = time.perf_counter()
    frame = generator.sample(
        n, balance=balance, random_state=seed, missingness="none" if no_missing else missingness
    )
    write_cases_csv(frame, output)
    counts = frame["diagnosis"].value_counts().reindex(list(generator.classes_))
    summary = ", ".join(f"{c} {k:,}" for c, k in counts.items())
    typer.echo(f"Wrote {n:,} cases to {output} in {time.perf_counter() - start:.1f} s ({summary}).")


@app.command()
def train(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Experiment config (default: configs/default.yaml)."),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a config key: --set cv.folds=5 (repeatable)."),
    ] = None,
    tracking_uri: Annotated[
        str | None,
        typer.Option(
            help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else sqlite in experiments/)."
        ),
    ] = None,
    models_dir: Annotated[
        Path | None, typer.Option(help="Where models go (default: the config's output.models_dir).")
    ] = None,
) -> None:
    """Cross-validate every candidate, pick the champion, record it all in MLflow.

    Runs the default experiment with no arguments: updates the literature
    priors with the real cases, scores every candidate by cross-validation
    over the real cases grouped by source (prior update, synthetic fill-in and
    model refitted inside each fold), with the literature priors, the updated
    priors and the seed rule alongside and synthetic CV as a diagnostic; picks
    the champion by real-case log loss, saves it to models/ and registers it
    in MLflow as tumorclf@champion.
    """
    from tumorclf.schema import CaseValidationError
    from tumorclf.training.config import ConfigError, load_config
    from tumorclf.training.real_cv import RealCasesError
    from tumorclf.training.report import print_summary, progress_bar
    from tumorclf.training.run import check_before_work, count_tasks
    from tumorclf.training.run import train as run_train

    overrides = overrides or []
    try:
        settings = load_config(config, overrides)
        check_before_work(settings)
    except ConfigError as error:
        _fail(str(error))
    label = " ".join(overrides) if overrides else (config.stem if config else "default")
    signal.signal(signal.SIGTERM, _interrupt)  # a polite kill stops like Ctrl-C: runs marked KILLED
    try:
        with progress_bar(count_tasks(settings, n_real=_count_real(settings))) as advance:
            outcome = run_train(
                settings,
                tracking_uri=tracking_uri,
                models_dir=models_dir,
                label=label,
                on_task_done=advance.task_done,
                on_stage=advance.stage,
            )
    except KeyboardInterrupt:
        _fail(
            "Interrupted: this train's MLflow runs are marked KILLED; the previous champion is "
            "untouched.",
            130,
        )
    except (RealCasesError, CaseValidationError) as error:
        _fail(f"the real cases cannot be used: {error}")
    print_summary(outcome)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _load_model(model: str | None):
    import tumorclf
    from tumorclf.persistence.artifacts import ArtifactError

    try:
        return tumorclf.load(model)
    except ArtifactError as error:
        _fail(f"cannot load the model: {error}")


def _predict_report(
    report: str, model: str | None, prior: object, reading: str, coverage: float | None = None
) -> None:
    from tumorclf.extract import ReportError
    from tumorclf.prediction.console import print_report_prediction

    path = Path(report)
    try:
        is_file = len(report) < 4096 and "\n" not in report and path.is_file()
    except OSError:
        is_file = False
    if is_file:
        try:
            report = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            _fail(f"cannot read the report {path}: {error}")
    classifier = _load_model(model)
    try:
        prediction = classifier.predict_report(
            report, prior=prior, reading=reading, coverage=coverage
        )
    except ReportError as error:
        _fail(f"no differential: {error}")
    except ValueError as error:
        _fail(str(error))
    print_report_prediction(prediction)


def _parse_prior(prior: str) -> object:
    import json

    return json.loads(prior) if prior.strip().startswith("{") else prior


@app.command()
def predict(
    cases: Annotated[
        Path | None, typer.Argument(help="CSV of cases in the schema (one per row).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="CSV to write (atomically); default: print it."),
    ] = None,
    case: Annotated[
        str | None,
        typer.Option("--case", help='One case as JSON, e.g. \'{"age": 19, "level": "T12-L2"}\'.'),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            help="A findings paragraph, as text or a text file's path: the case is read from it.",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", help="Model path or MLflow URI (default: the champion in models/)."
        ),
    ] = None,
    prior: Annotated[
        str, typer.Option(help="Class prior: training, clinical, uniform, or JSON {class: weight}.")
    ] = "training",
    reading: Annotated[
        Reading,
        typer.Option(
            help="as_entered: the fields given are findings, the rest unknown. as_published: a "
            "published row, its silences read as papers keep them."
        ),
    ] = DEFAULT,
    coverage: Annotated[
        float | None,
        typer.Option(
            help="Level of the differential set, in (0, 1): e.g. 0.8 for smaller sets that miss "
            "more often (default: the level calibrated at training, 0.9)."
        ),
    ] = None,
) -> None:
    """Rank the diagnoses of cases: probabilities, top diagnosis and differential.

    With a CSV, writes one row per case: its id, a probability column per
    class, the top diagnosis and the differential. With --case, prints one
    case's differential and the findings that drove it. With --report, reads
    the case from a findings paragraph, shows each value with the words it
    was read from, then the differential. Cases are read as entered unless
    --reading as_published says otherwise; every output names its reading.
    """
    import json

    from tumorclf.case_io import read_cases_csv
    from tumorclf.schema import CaseValidationError

    reading = Reading(reading).value
    if sum(x is not None for x in (cases, case, report)) != 1:
        _fail("give one of: a CASES.csv file, --case JSON, or --report TEXT|FILE")
    try:
        chosen_prior = _parse_prior(prior)
    except json.JSONDecodeError as error:
        _fail(f"--prior is not valid JSON: {error}")
    if report is not None:
        _predict_report(report, model, chosen_prior, reading, coverage)
        return
    classifier = _load_model(model)
    try:
        if case is not None:
            try:
                record = json.loads(case)
            except json.JSONDecodeError as error:
                _fail(f"--case is not valid JSON: {error}")
            from tumorclf.prediction.console import print_prediction

            print_prediction(
                classifier.predict_case(
                    record, prior=chosen_prior, reading=reading, coverage=coverage
                )
            )
            return
        from tumorclf.prediction.table import prediction_table, write_prediction_csv

        if output is not None:
            written = write_prediction_csv(
                classifier, cases, output, chosen_prior, reading=reading, coverage=coverage
            )
            typer.echo(f"Wrote {written:,} predictions to {output}.", err=True)
            return
        table = prediction_table(classifier, read_cases_csv(cases), chosen_prior, reading, coverage)
    except CaseValidationError as error:
        _fail(f"no predictions written: {error}")
    except (ValueError, FileNotFoundError) as error:
        _fail(str(error))
    typer.echo(table.to_csv(index=False, float_format="%.4f"), nl=False)


@app.command()
def evaluate(
    model: Annotated[
        str | None,
        typer.Option("--model", help="Model path or MLflow URI (default: the champion)."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Labelled cases CSV (default: data/real_cases.csv)."),
    ] = None,
    prior: Annotated[str, typer.Option(help="Class prior, as for predict.")] = "training",
    reading: Annotated[
        Reading, typer.Option(help="How each case is read, as for predict.")
    ] = DEFAULT,
) -> None:
    """Score a model on labelled cases: log loss, Brier, top-k accuracy, MCS sensitivity.

    The default data are the real cases the champion was trained on, so this
    checks fit, not generalisation: the honest real-case figures are the
    grouped cross-validation ones logged by `tumorclf train`.
    """
    import numpy as np

    from tumorclf.case_io import read_cases_csv
    from tumorclf.paths import default_real_cases_path
    from tumorclf.schema import CaseValidationError, validate
    from tumorclf.training.metrics import classification_metrics

    reading = Reading(reading).value
    classifier = _load_model(model)
    path = data or default_real_cases_path()
    try:
        frame = validate(read_cases_csv(path), classes=classifier.classes_)
    except (CaseValidationError, ValueError, FileNotFoundError) as error:
        _fail(str(error))
    if "diagnosis" not in frame:
        _fail(f"{path} has no diagnosis column: evaluation needs labelled cases")
    try:
        proba = classifier.predict_proba_array(frame, _parse_prior(prior), reading)
    except ValueError as error:
        _fail(str(error))
    labels = np.array([classifier.classes_.index(str(d)) for d in frame["diagnosis"]])
    metrics = classification_metrics(labels, proba, classifier.classes_)
    typer.echo(
        f"{len(frame)} cases from {path}, model {classifier.manifest.candidate}, prior {prior}, "
        f"read {reading.replace('_', ' ')}"
    )
    for name, value in metrics.items():
        typer.echo(f"  {name:22s} {value:8.4f}")


def _tracking_uri(flag: str | None) -> str:
    from tumorclf.paths import resolve_tracking_uri
    from tumorclf.training.config import load_config

    return resolve_tracking_uri(flag, load_config()["mlflow"]["tracking_uri"])


@app.command()
def ui(
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")
    ] = 5000,
    host: Annotated[
        str, typer.Option(help="Interface to bind; loopback unless you mean to share it.")
    ] = "127.0.0.1",
    tracking_uri: Annotated[
        str | None, typer.Option(help="Store to show (default: as for train).")
    ] = None,
) -> None:
    """Open the MLflow UI over this project's experiment store (one worker; Ctrl-C stops it)."""
    from tumorclf.tracking.ui import serve

    uri = _tracking_uri(tracking_uri)
    typer.echo(f"MLflow UI over {uri}")
    try:
        code = serve(
            uri, host, port, on_ready=lambda url: typer.echo(f"Open {url}  (Ctrl-C to stop)")
        )
    except (OSError, TimeoutError) as error:
        _fail(str(error))
    typer.echo("MLflow UI stopped.")
    raise typer.Exit(code)


#: Interfaces that only this machine can reach.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command()
def serve(
    model: Annotated[
        str | None,
        typer.Option(help="Model folder, file or MLflow URI (default: the champion in models/)."),
    ] = None,
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    host: Annotated[
        str,
        typer.Option(
            help="Interface to bind. Another than 127.0.0.1 exposes the page to the network: it "
            "prints a warning."
        ),
    ] = "127.0.0.1",
) -> None:
    """A local page: paste a findings paragraph or fill the form, see the differential (Ctrl-C \
stops it).

    The JSON API behind it is /api/extract and /api/predict, described at /openapi.json.
    Nothing about a case is stored or logged.
    """
    import uvicorn

    from tumorclf.serve import create_app

    if host not in LOOPBACK:
        typer.secho(
            f"Warning: binding {host} lets other machines reach this page; it has no "
            "authentication, and cases sent to it cross the network.",
            err=True,
            fg=typer.colors.YELLOW,
        )
    classifier = _load_model(model)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"tumorclf page for {classifier.manifest.candidate}: open http://{shown}:{port}/  "
        "(Ctrl-C to stop)"
    )
    try:
        uvicorn.run(
            create_app(classifier), host=host, port=port, access_log=False, log_level="warning"
        )
    except OSError as error:
        _fail(f"cannot serve on {host}:{port}: {error}")


@app.command()
def compare(
    experiment: Annotated[str, typer.Option(help="Experiment name.")] = "tumorclf",
    last: Annotated[int, typer.Option(min=1, help="How many of the latest trains to show.")] = 3,
    tracking_uri: Annotated[
        str | None, typer.Option(help="Store to read (default: as for train).")
    ] = None,
) -> None:
    """Compare candidates across the latest trains, as a table in the terminal."""
    from tumorclf.tracking.compare import comparison_rows
    from tumorclf.training.metrics import COMPARISON_COLUMNS
    from tumorclf.training.report import print_comparison

    try:
        rows = comparison_rows(_tracking_uri(tracking_uri), experiment, last, COMPARISON_COLUMNS)
    except LookupError as error:
        _fail(str(error))
    if not rows:
        _fail(f"experiment {experiment!r} has no trains yet; run `tumorclf train`")
    print_comparison(rows)


def _count_real(settings: dict) -> int:
    from tumorclf.case_io import read_cases_csv
    from tumorclf.paths import project_path

    return len(read_cases_csv(project_path(settings["data"]["real_cases"])))


def main() -> None:  # pragma: no cover - console entry point
    app()
