"""What a prediction answers: the differential of one case, why, its set and the MCS alert."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tumorclf.prediction.wording import class_words, reading_words


@dataclass(frozen=True, slots=True)
class AlertResult:
    """The MCS alert for one case:
    p(MCS) under ``prior`` against the threshold chosen under that prior."""

    raised: bool
    p_mcs: float
    threshold: float
    caught: int
    n_mcs: int
    sensitivity_lower: float
    false_alarm_rate: float
    prior: str = "training"

    def __str__(self) -> str:
        record = (
            f"the threshold {self.threshold:.3g} flagged {self.caught} of {self.n_mcs} "
            f"published MCS (95% lower bound on sensitivity {self.sensitivity_lower:.2f}) "
            f"and {self.false_alarm_rate:.0%} of the other published tumours"
        )
        scale = "the model's own prior" if self.prior == "training" else f"the {self.prior} prior"
        if self.raised:
            return f"MCS cannot be excluded: p(MCS) = {self.p_mcs:.3g} under {scale}; {record}."
        return (
            f"MCS alert not raised: p(MCS) = {self.p_mcs:.3g} under {scale}, "
            f"below {self.threshold:.3g}; {record}."
        )


@dataclass(slots=True)
class Effect:
    """How much one reported finding moved one class: the log-odds of the class for the
    case minus the same with the finding set back to unknown (positive = toward the class)."""

    finding: str
    words: str
    target: str
    log_effect: float

    @property
    def sentence(self) -> str:
        direction = "toward" if self.log_effect > 0 else "away from"
        return f"{self.words}: {direction} {class_words(self.target)}"


@dataclass(frozen=True)
class Prediction:
    """A ranked, calibrated answer for one case."""

    diagnosis: str
    probabilities: dict[str, float]
    differential: list[tuple[str, float]]
    explanation: list[str]
    effects: list[Effect] = field(repr=False, default_factory=list)
    prior: str = "training"
    extraction: Any = field(
        repr=False, default=None
    )  # the Extraction a report was read into, if any
    reading: str = "as_entered"
    #: The classes a conformal set at ``set_coverage`` keeps
    #: (None: the model has no calibrated sets).
    differential_set: tuple[str, ...] | None = None
    set_coverage: float | None = None
    alert: AlertResult | None = None
    #: With ``detail``: the probabilities under equal classes (the likelihood ranking) and under
    #: the clinical prevalences (how likely in practice), each stated finding's likelihood ratio
    #: for the leading classes, and the unstated findings that would settle most.
    ranking: dict[str, float] | None = None
    practice: dict[str, float] | None = None
    ratios: list[Any] = field(repr=False, default_factory=list)
    next_findings: list[Any] | None = field(
        repr=False, default=None
    )  # None: the model cannot rank them (it has no p(value | class))

    def set_lines(self) -> list[str]:
        """The coverage set and the MCS alert in words, where the model has them."""
        lines = []
        if self.differential_set is not None:
            kept = (
                ", ".join(class_words(c) for c in self.differential_set)
                or "no class (an unusual case)"
            )
            lines.append(
                f"Set at {self.set_coverage:.0%} coverage "
                f"(calibrated on published cases, as entered): {kept}"
            )
        if self.alert is not None:
            lines.append(str(self.alert))
        return lines

    def __str__(self) -> str:
        lines = [str(self.extraction), ""] if self.extraction is not None else []
        lines += [
            (
                f"Most likely: {class_words(self.diagnosis)} "
                f"({self.probabilities[self.diagnosis]:.1%})"
            ),
            f"Differential (prior: {self.prior}; {reading_words(self.reading)}):",
        ]
        lines += [f"  {class_words(c):28s} {p:7.1%}" for c, p in self.differential]
        lines += self.set_lines()
        if self.explanation:
            lines += ["Why:", *(f"  {e}" for e in self.explanation)]
        return "\n".join(lines)


__all__ = ["AlertResult", "Effect", "Prediction"]
