"""Coverage sets and the MCS alert: crepes' p-values, the coverage guarantee, the alert's record."""

from __future__ import annotations

import numpy as np
import pytest

from tumorclf.prediction.conformal import (
    AlertCalibration,
    CoverageSets,
    MCSAlert,
    fit_alert,
    fit_sets,
)

from ..conftest import noisy_predictions

CLASSES = ["mcs", "schwannoma", "meningioma", "neurofibroma"]


def _cases(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    y, proba = noisy_predictions(n, len(CLASSES), seed, signal=1.2)
    return proba, y


def test_the_p_values_are_crepes_mondrian_p_values():
    from tumorclf.training.coverage import crepes_p_values

    cal_proba, cal_y = _cases(400, 0)
    test_proba, _ = _cases(200, 1)
    ours = fit_sets(cal_proba, cal_y, CLASSES, alpha=0.1).p_values(test_proba, CLASSES)
    np.testing.assert_allclose(
        ours, crepes_p_values(cal_proba, cal_y, test_proba), rtol=0, atol=1e-12
    )


def test_each_class_is_covered_at_its_level_on_new_exchangeable_cases():
    """The guarantee is over calibration draws too: averaged over 30 of them, each class is covered
    >= 1 - alpha."""
    test_proba, test_y = _cases(4000, 3)
    coverage, sizes = [], []
    for seed in range(30):
        cal_proba, cal_y = _cases(400, 100 + seed)
        kept = fit_sets(cal_proba, cal_y, CLASSES, alpha=0.1).p_values(test_proba, CLASSES) > 0.1
        coverage.append([kept[test_y == j, j].mean() for j in range(len(CLASSES))])
        sizes.append(kept.sum(axis=1).mean())
    coverage = np.mean(coverage, axis=0)
    assert (coverage >= 0.89).all(), (
        coverage
    )  # 0.9 in expectation; the sd of this mean is under 0.005
    assert (coverage < 0.97).all(), coverage  # and not by making every set hold everything
    assert np.mean(sizes) < len(CLASSES) - 1


def test_a_set_lists_its_classes_most_probable_first_and_survives_the_manifest():
    cal_proba, cal_y = _cases(300, 4)
    sets = fit_sets(cal_proba, cal_y, CLASSES, alpha=0.2)
    case = np.array([[0.05, 0.5, 0.4, 0.05]])
    members = sets.sets(case, CLASSES)[0]
    assert list(members) == sorted(members, key=lambda c: -case[0, CLASSES.index(c)])
    again = CoverageSets.from_manifest(sets.to_manifest())
    np.testing.assert_allclose(again.p_values(case, CLASSES), sets.p_values(case, CLASSES))


def test_the_alert_flags_its_target_share_and_states_its_record():
    rng = np.random.default_rng(5)
    is_mcs = np.r_[np.ones(20, bool), np.zeros(300, bool)]
    p = np.where(is_mcs, rng.beta(4, 2, len(is_mcs)), rng.beta(1, 6, len(is_mcs)))
    alert = fit_alert(p, is_mcs, target=0.9)
    assert alert.caught == 18 and alert.n_mcs == 20  # two of twenty may fall below it
    assert alert.flags(p[is_mcs]).mean() >= 0.9
    assert alert.flags(p[is_mcs]).sum() == alert.caught
    assert np.isclose(alert.false_alarm_rate, alert.flags(p[~is_mcs]).mean())
    assert 0.6 < alert.sensitivity_lower < alert.sensitivity  # one-sided Clopper-Pearson, n = 20
    assert np.isclose(alert.guarantee, 1 - 3 / 21)
    stricter = fit_alert(p, is_mcs, target=0.99)
    assert stricter.threshold <= alert.threshold and stricter.caught >= 19
    assert MCSAlert.from_manifest(alert.to_manifest()) == alert


def test_one_outlying_mcs_case_does_not_set_the_threshold_alone():
    """Sixteen MCS cases, two of them far below the rest: the threshold sits between the second and
    the third, not on the second (which would flag nearly every other case)."""
    positives = np.r_[0.03, 0.04, np.linspace(0.25, 0.9, 14)]
    others = np.linspace(0.0, 0.5, 200)
    alert = fit_alert(
        np.r_[positives, others], np.r_[np.ones(16, bool), np.zeros(200, bool)], target=0.9
    )
    assert 0.04 < alert.threshold < 0.25 and alert.caught == 14
    assert alert.false_alarm_rate < (others >= 0.04).mean() - 0.2
    assert np.isclose(alert.guarantee, 1 - 3 / 17)


def test_under_another_prior_the_alert_is_chosen_again_on_the_same_cases():
    proba, y = _cases(600, 6)
    calibration = AlertCalibration(tuple(CLASSES), proba, y == 0, 0.9)
    same, plain = (
        calibration.alert_for(dict.fromkeys(CLASSES, 1.0)),
        fit_alert(proba[:, 0], y == 0, 0.9),
    )
    assert np.isclose(same.threshold, plain.threshold) and (same.caught, same.false_alarms) == (
        plain.caught,
        plain.false_alarms,
    )
    rare = calibration.alert_for(
        {"mcs": 0.02, "schwannoma": 1.5, "meningioma": 1.2, "neurofibroma": 1.0}
    )
    shifted = proba * np.array([0.02, 1.5, 1.2, 1.0])
    p_rare = shifted[:, 0] / shifted.sum(axis=1)
    assert (
        rare.threshold < same.threshold / 10
    )  # a rare class: its p(MCS), and the threshold, fall together
    assert (
        np.isclose(rare.threshold, fit_alert(p_rare, y == 0, 0.9).threshold)
        and rare.caught >= 0.9 * rare.n_mcs - 1
    )
    again = AlertCalibration.from_manifest(calibration.to_manifest())
    assert np.isclose(
        again.alert_for(dict.fromkeys(CLASSES, 1.0)).threshold, same.threshold, rtol=0, atol=1e-9
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fit_alert(np.array([0.2]), np.array([True]), target=1.0), "target sensitivity"),
        (lambda: fit_alert(np.array([0.2]), np.array([False])), "at least one MCS"),
        (lambda: fit_sets(np.ones((1, 4)) / 4, np.array([0]), CLASSES, alpha=0), "alpha"),
    ],
)
def test_bad_settings_are_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
