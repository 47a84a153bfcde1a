"""A model's manifest: what it is, what it was trained on, how well it did,
and what it was calibrated with.

Training writes one (:meth:`Manifest.to_dict`, saved beside the model by
:func:`tumorclf.persistence.artifacts.save_model`, which adds the files'
checksums, the package versions and the date) and prediction reads it back
(:meth:`Manifest.from_dict`): its JSON form is made and parsed here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from tumorclf.prediction.conformal import AlertCalibration, CoverageSets, MCSAlert
from tumorclf.prediction.probabilities import Recalibration


@dataclass(frozen=True)
class Manifest:
    """A trained model's record.

    Attributes
    ----------
    candidate : str
        The candidate that became the model (e.g. ``updated_priors``).
    classes : tuple of str
        The model's probability columns, in its own (sorted) order.
    display_order : tuple of str
        The order classes are shown in (the priors file's).
    training_prior, clinical_prior : dict of str to float
        The class prior its probabilities are under, and the priors file's prevalences.
    schema_version : str
        The case schema it reads.
    readings : tuple of str
        The readings it answers in: both for a generative model,
        the one its rows taught for another.
    sets, alert, alert_calibration : optional
        The conformal sets, the MCS alert and the cases to choose the alert again under another
        prior, calibrated on out-of-fold real cases (None for a model trained without them).
    recalibration : Recalibration, optional
        The temperature training tried, and whether it is applied.
    metrics, best_params, prior_update : dict
        How it did on real cases (and the rest), its tuned settings, the prior update's settings.
    created, packages : str, dict
        When it was saved and with which package versions (written at saving).
    """

    candidate: str
    display_order: tuple[str, ...]
    training_prior: dict[str, float]
    clinical_prior: dict[str, float]
    schema_version: str
    readings: tuple[str, ...] = ("as_entered",)
    classes: tuple[str, ...] = ()
    sets: CoverageSets | None = None
    alert: MCSAlert | None = None
    alert_calibration: AlertCalibration | None = None
    recalibration: Recalibration | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    best_params: dict[str, Any] = field(default_factory=dict)
    prior_update: dict[str, Any] = field(default_factory=dict)
    fill_in_missingness: str | None = None
    priors_sha256: str = ""
    data_fingerprint: str = ""
    mlflow: dict[str, str] = field(default_factory=dict)
    created: str = ""
    packages: dict[str, str] = field(default_factory=dict)

    @property
    def temperature(self) -> float:
        """The temperature prediction applies (1 where training kept none)."""
        return self.recalibration.effective if self.recalibration is not None else 1.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the keys a manifest file has always had)."""
        out: dict[str, Any] = {
            "candidate": self.candidate,
            "classes": list(self.classes),
            "display_order": list(self.display_order),
            "training_prior": dict(self.training_prior),
            "clinical_prior": dict(self.clinical_prior),
            "schema_version": self.schema_version,
            "readings": list(self.readings),
            "metrics": dict(self.metrics),
            "best_params": dict(self.best_params),
            "prior_update": dict(self.prior_update),
            "priors_sha256": self.priors_sha256,
            "data_fingerprint": self.data_fingerprint,
            "mlflow": dict(self.mlflow),
        }
        if self.fill_in_missingness is not None:
            out["fill_in_missingness"] = self.fill_in_missingness
        if self.sets is not None:
            out["coverage"] = self.sets.to_manifest()
        if self.recalibration is not None:
            out["recalibration"] = self.recalibration.to_manifest()
        if self.alert is not None:
            out["mcs_alert"] = self.alert.to_manifest()
            if self.alert_calibration is not None:
                out["mcs_alert"]["calibration"] = self.alert_calibration.to_manifest()
        if self.created:
            out["created"] = self.created
        if self.packages:
            out["packages"] = dict(self.packages)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        """Read a manifest's JSON form; keys it does not know
        (the files' checksums) are left to persistence."""
        alert = data.get("mcs_alert")
        recalibration = data.get("recalibration")
        simple = {f.name for f in fields(cls)} - {
            "sets",
            "alert",
            "alert_calibration",
            "recalibration",
        }
        known = {k: v for k, v in data.items() if k in simple}
        for name in ("display_order", "readings", "classes"):
            if name in known:
                known[name] = tuple(known[name])
        known.setdefault("display_order", tuple(data.get("classes", ())))
        known.setdefault("training_prior", {})
        known.setdefault("clinical_prior", {})
        known.setdefault("candidate", "?")
        known.setdefault("schema_version", "?")
        return cls(
            **known,
            sets=CoverageSets.from_manifest(data["coverage"]) if data.get("coverage") else None,
            alert=MCSAlert.from_manifest(alert) if alert else None,
            alert_calibration=AlertCalibration.from_manifest(alert["calibration"])
            if alert and alert.get("calibration")
            else None,
            recalibration=Recalibration.from_manifest(recalibration) if recalibration else None,
        )

    @classmethod
    def of(cls, manifest: Manifest | Mapping[str, Any]) -> Manifest:
        """A manifest as given, or read from its JSON form."""
        return manifest if isinstance(manifest, Manifest) else cls.from_dict(manifest)


__all__ = ["Manifest"]
