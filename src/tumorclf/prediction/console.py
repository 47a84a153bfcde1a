"""A prediction printed for a terminal: what was read from a report, the differential,
the set, the alert, why."""

from __future__ import annotations

from tumorclf.prediction.results import Prediction
from tumorclf.prediction.wording import class_words, reading_words


def print_report_prediction(prediction: Prediction) -> None:
    """What was read from the report (value, words), then the differential: one screen."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    extraction = prediction.extraction
    table = Table(
        title="Read from the report: check each value against its words", title_justify="left"
    )
    table.add_column("field")
    table.add_column("value")
    table.add_column("the report's words")
    for name, value in extraction.case.items():
        shown = {True: "yes", False: "no"}[value] if isinstance(value, bool) else str(value)
        table.add_row(name, shown, f'"{escape(extraction.spans[name].text)}"')
    console = Console()
    console.print(table)
    if extraction.unused:
        console.print("Words not used:")
        for item in extraction.unused:
            console.print(f'  "{escape(item.span.text)}": {escape(item.reason)}')
    from tumorclf.extract import ORDER

    missing = len(ORDER) - len(extraction.case)
    console.print(
        f"Not stated in the report: {missing} of {len(ORDER)} fields "
        f"({reading_words(prediction.reading)})."
    )
    print_prediction(prediction)


def print_prediction(prediction: Prediction) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"Case {reading_words(prediction.reading)}; prior: {prediction.prior}.")
    table = Table(title="Differential")
    table.add_column("class")
    table.add_column("probability", justify="right")
    for name, p in prediction.differential:
        style = "bold green" if name == prediction.diagnosis else ""
        table.add_row(
            f"[{style}]{class_words(name)}[/]" if style else class_words(name), f"{p:.1%}"
        )
    console.print(table)
    from rich.markup import escape

    for line in prediction.set_lines():
        style = (
            "bold red"
            if prediction.alert is not None and prediction.alert.raised and line.startswith("MCS")
            else ""
        )
        console.print(f"[{style}]{escape(line)}[/]" if style else escape(line))
    if prediction.explanation:
        console.print("Findings that moved it most:")
        for line in prediction.explanation:
            console.print(f"  - {line}")


__all__ = ["print_prediction", "print_report_prediction"]
