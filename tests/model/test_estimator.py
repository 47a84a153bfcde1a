"""The estimator: the priors updated by real cases (conjugate arithmetic, silences explained by
reporting, floor), its posterior in either reading as an ordinary parameter, and its grid search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from tumorclf.features import CaseEncoder
from tumorclf.model.estimator import (
    UpdatedPriorsClassifier,
    fit_to_real_cases,
    groups_of,
    update_search,
)
from tumorclf.model.literature import findings_from_priors
from tumorclf.model.readings import in_reading
from tumorclf.synthetic import CaseGenerator


@pytest.fixture(scope="module")
def priors(generator):
    return generator.priors


def _cases(n: int, diagnosis: str, **fields) -> tuple[pd.DataFrame, np.ndarray]:
    return pd.DataFrame([dict(fields)] * n), np.full(n, diagnosis, dtype=object)


def _updated(generator: CaseGenerator, X, y, **settings) -> CaseGenerator:
    """The literature updated by these cases, as the generator of the fitted models."""
    return CaseGenerator.from_model(UpdatedPriorsClassifier(generator.priors, **settings).fit(X, y))


def test_a_row_is_the_posterior_mean_of_its_dirichlet_prior(generator):
    # 30 meningiomas with a dural attachment, 20 stating a dural tail and 10 stating none: no
    # silence to explain.
    X = pd.DataFrame(
        [{"dural_attachment": True, "dural_tail": True}] * 20
        + [{"dural_attachment": True, "dural_tail": False}] * 10
    )
    y = np.full(30, "meningioma", dtype=object)
    updated = _updated(generator, X, y, strength=5.0, reporting_strength=4.0, floor=0.0)
    c = generator.classes_.index("meningioma")
    literature = generator.findings.fields["dural_tail"][c, 1]  # given a dural attachment
    p_true = (5.0 * literature[1] + 20) / (5.0 + 30)
    assert updated.findings.fields["dural_tail"][c, 1] == pytest.approx([1 - p_true, p_true])
    assert updated.findings.fields["dural_tail"][c, 0] == pytest.approx(
        generator.findings.fields["dural_tail"][c, 0]
    )
    # Reporting: each value's rate is a Beta posterior around the literature's rate, from stated /
    # present counts.
    r0 = 1 - generator.priors.missing["dural_tail"]
    rate = updated.reporting.fields["dural_tail"][0]
    assert rate == pytest.approx([(4.0 * r0 + 10) / (4.0 + 10), (4.0 * r0 + 20) / (4.0 + 20)])


def test_with_no_cases_of_a_class_its_values_stay_the_literatures(generator):
    X, y = _cases(40, "schwannoma", calcification="none", age=50)
    updated = _updated(generator, X, y, strength=8.0, floor=0.0)
    c = generator.classes_.index("mcs")
    for name in ("calcification", "t2_signal", "sex"):
        assert updated.findings.fields[name][c] == pytest.approx(generator.findings.fields[name][c])


def test_many_reports_outweigh_the_literature(generator):
    X, y = _cases(2000, "mcs", calcification="rings_arcs")
    updated = _updated(generator, X, y, strength=8.0, floor=0.0)
    row = updated.findings.fields["calcification"][generator.classes_.index("mcs")]
    assert row.argmax() == 3 and row[3] > 0.99  # rings_arcs


def test_a_value_papers_state_more_often_is_not_made_commoner(generator):
    # Every class's papers state a calcification when there is one and rarely say "none":
    # the silent rows are read as mostly uncalcified, not as missing at random.
    rng = np.random.default_rng(0)
    rows, labels = [], []
    for name in ("schwannoma", "meningioma", "neurofibroma"):
        for _ in range(300):
            calcified = rng.random() < 0.3
            if calcified:
                rows.append({"calcification": "punctate"})
            else:
                rows.append({"calcification": "none"} if rng.random() < 0.1 else {})
            labels.append(name)
    updated = _updated(
        generator,
        pd.DataFrame(rows),
        np.array(labels, dtype=object),
        strength=2.0,
        reporting_strength=2.0,
        floor=0.0,
    )
    for name in ("schwannoma", "meningioma", "neurofibroma"):
        row = updated.findings.fields["calcification"][generator.classes_.index(name)]
        assert row[1] == pytest.approx(0.3, abs=0.08), (
            name
        )  # counting stated values alone gives about 0.8
    rate = updated.reporting.fields["calcification"][0]
    assert rate[1] > 0.8 and rate[0] < 0.2


def test_the_floor_keeps_every_class_possible_after_an_unexpected_finding(generator):
    X, y = _cases(300, "meningioma", compartment="intradural_extramedullary", dural_attachment=True)
    unexpected = {"compartment": "intramedullary", "dural_attachment": False, "age": 3}
    for floor in (0.01, 0.05):
        updated = _updated(generator, X, y, strength=0.5, reporting_strength=0.5, floor=floor)
        assert (updated.posterior(unexpected, prior="uniform").to_numpy() > 0).all()
        for name, table in updated.findings.fields.items():
            allowed = generator.findings.fields[name] > 0
            support = np.maximum(
                allowed.sum(axis=-1, keepdims=True), 1
            )  # a structural row has no support
            assert (
                table[allowed] >= (floor / np.broadcast_to(support, table.shape))[allowed] - 1e-15
            ).all(), name
            assert (table[~allowed] == 0).all(), (
                name
            )  # the floor never opens what the structure forbids


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"strength": 0.0}, "'strength' parameter"),
        ({"strength": 1.0, "reporting_strength": -1.0}, "'reporting_strength' parameter"),
        ({"strength": 1.0, "floor": 1.0}, "'floor' parameter"),
        ({"strength": 1.0, "styles": 3}, "'styles' parameter"),
    ],
)
def test_bad_update_settings_are_refused(generator, kwargs, message):
    X, y = _cases(3, "mcs", age=10)
    with pytest.raises(ValueError, match=message):
        _updated(generator, X, y, **kwargs)


def test_unknown_diagnoses_are_refused(generator):
    with pytest.raises(ValueError, match="Unknown diagnoses"):
        _updated(generator, pd.DataFrame([{"age": 3}]), ["glioma"], strength=1.0)


@pytest.fixture(scope="module")
def real():
    from tumorclf.case_io import read_cases_csv
    from tumorclf.paths import default_real_cases_path
    from tumorclf.schema import validate

    return validate(read_cases_csv(default_real_cases_path())).reset_index(drop=True)


def test_the_classifier_is_the_updated_posterior_on_frames_and_codes(priors, real):
    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    model = UpdatedPriorsClassifier(priors, strength=8.0, styles=2, floor=0.01).fit(real, y)
    assert list(model.classes_) == sorted(priors.classes)
    generator = CaseGenerator.from_model(model)
    order = np.argsort(priors.classes)
    expected = generator.posterior_array(real, "uniform")[:, order]
    assert np.allclose(model.predict_proba(real), expected, atol=1e-12)
    published = generator.posterior_array(real, "uniform", reading="as_published")[:, order]
    assert np.allclose(in_reading(model, "as_published").predict_proba(real), published, atol=1e-12)
    assert not np.allclose(published, expected)
    pipeline = make_pipeline(CaseEncoder("codes"), clone(model)).fit(real, y)
    assert np.allclose(pipeline.predict_proba(real), expected, atol=1e-12)
    assert model.training_prior_ == {c: pytest.approx(1 / 7) for c in priors.classes}


def test_the_reading_is_a_parameter_pipelines_and_grid_searches_route(priors, real):
    """set_params(reading=...) on a fitted model, routed by a Pipeline, reads the cases the other
    way; a grid search passes it to every fit and its refitted model; in_reading leaves the model it
    is given as it was."""
    from sklearn.model_selection import GridSearchCV, GroupKFold

    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    generator = CaseGenerator.from_model(UpdatedPriorsClassifier(priors, strength=8.0).fit(real, y))
    order = np.argsort(priors.classes)
    published = generator.posterior_array(real, "uniform", reading="as_published")[:, order]
    pipeline = make_pipeline(
        CaseEncoder("codes"), UpdatedPriorsClassifier(priors, strength=8.0)
    ).fit(real, y)
    entered = pipeline.predict_proba(real)
    view = in_reading(pipeline, "as_published")
    assert (
        view is not pipeline
        and pipeline.get_params()["updatedpriorsclassifier__reading"] == "as_entered"
    )
    np.testing.assert_allclose(view.predict_proba(real), published, atol=1e-12)
    np.testing.assert_allclose(
        pipeline.predict_proba(real), entered, atol=0
    )  # the original is unchanged
    pipeline.set_params(updatedpriorsclassifier__reading="as_published")
    np.testing.assert_allclose(pipeline.predict_proba(real), published, atol=1e-12)
    search = GridSearchCV(
        make_pipeline(CaseEncoder("codes"), UpdatedPriorsClassifier(priors, strength=8.0)),
        {"updatedpriorsclassifier__reading": ["as_published"]},
        cv=GroupKFold(3),
    )
    search.fit(real, y, groups=groups_of(real))
    assert search.best_estimator_[-1].reading == "as_published"
    np.testing.assert_allclose(search.predict_proba(real), published, atol=1e-12)


def test_temperature_flattens_but_keeps_the_ranking(priors, real):
    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    exact = UpdatedPriorsClassifier(priors, temperature=1.0).fit(real, y).predict_proba(real)
    tempered = UpdatedPriorsClassifier(priors, temperature=0.5).fit(real, y).predict_proba(real)
    assert (np.argsort(exact, axis=1) == np.argsort(tempered, axis=1)).all()
    assert tempered.max(axis=1).mean() < exact.max(axis=1).mean()


def test_the_classifier_refuses_another_encodings_matrix(priors, real):
    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    model = UpdatedPriorsClassifier(priors).fit(real, y)
    with pytest.raises(ValueError, match="encoding='codes'"):
        model.predict_proba(CaseEncoder("compact").fit_transform(real))
    codes = CaseEncoder("codes").fit_transform(real)
    codes[2, 4] = 9.0
    with pytest.raises(ValueError, match="Row 2, column 'compartment'"):
        model.predict_proba(codes)


def test_update_search_chooses_on_folds_that_keep_a_papers_patients_together(priors, real):
    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    groups = groups_of(real)
    search = update_search(
        priors, {"strength": [2.0, 32.0], "floor": [0.01]}, folds=3, random_state=0
    )
    search.fit(real, y, groups=groups)
    assert set(search.best_params_) == {"strength", "floor"}
    for train, test in search.cv.split(real, y, groups):
        assert not set(groups[train]) & set(groups[test])


def test_fit_to_real_cases_updates_with_the_shipped_cases_and_the_generator_draws_from_it(
    generator,
):
    model = fit_to_real_cases(settings={"strength": 8.0, "reporting_strength": 10.0})
    updated = CaseGenerator.from_model(model)
    assert updated.update_["n_cases"] >= 300 and updated.update_["em_converged"]
    assert updated.findings is model.findings_ and updated.reporting is model.reporting_
    assert not np.allclose(updated.findings.age, generator.findings.age)


def test_classes_depart_from_the_shared_reporting_only_when_asked(generator):
    # Meningioma papers state the dural tail; schwannoma papers never mention it.
    men, y_men = _cases(60, "meningioma", dural_attachment=True, dural_tail=True)
    sch, y_sch = _cases(60, "schwannoma", dural_attachment=True)
    X, y = pd.concat([men, sch], ignore_index=True), np.concatenate([y_men, y_sch])
    shared = _updated(generator, X, y, strength=8.0, floor=0.0)
    assert shared.reporting.by_class is None
    departing = _updated(generator, X, y, strength=8.0, floor=0.0, class_reporting=2.0)
    rates = departing.reporting.by_class["dural_tail"][0]  # (C, K): false, true
    men_c, sch_c = generator.classes_.index("meningioma"), generator.classes_.index("schwannoma")
    assert (
        rates[men_c, 1] > 0.9 and rates[sch_c, 0] < 0.1
    )  # a present tail stated; an absent one left out
    # As entered, reporting plays no part: a stated tail moves the posterior by p(tail | class)
    # alone.
    case = {"dural_attachment": True, "dural_tail": True}
    posterior = departing.posterior(case, prior="uniform").iloc[0].to_numpy()
    joint = (
        departing.findings.fields["dural_attachment"][:, 1]
        * departing.findings.fields["dural_tail"][:, 1, 1]
    )
    assert posterior == pytest.approx(joint / joint.sum())


@pytest.fixture(scope="module")
def consecutive(priors, real):
    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    return UpdatedPriorsClassifier(priors, population="consecutive", styles=2).fit(real, y)


def test_a_consecutive_model_reads_a_users_case_by_the_series_and_a_paper_by_its_selection(
    consecutive,
):
    """As entered, the single-finding ratios are those of consecutive series (an intramedullary
    mass is many times likelier a haemangioblastoma than a schwannoma); as published, each class's
    selection flattens them toward what case reports show; MCS, with no series, is not selected."""
    from tumorclf.model.consecutive import marginal

    classes = list(consecutive.findings_.classes)
    hb, schw, mcs = (classes.index(c) for c in ("hemangioblastoma", "schwannoma", "mcs"))
    im = 3  # intramedullary
    entered = (
        marginal(consecutive.findings_, hb, "compartment")[im]
        / marginal(consecutive.findings_, schw, "compartment")[im]
    )
    published = (
        marginal(consecutive.published_findings_, hb, "compartment")[im]
        / marginal(consecutive.published_findings_, schw, "compartment")[im]
    )
    assert entered > 10 and published < entered
    assert consecutive.tilts_[mcs] == 0 and consecutive.tilts_[schw] > 0.1
    record = consecutive.update_record()
    assert record["population"] == "consecutive" and set(record["tilts"]) == set(classes)


def test_each_reading_of_a_consecutive_model_uses_its_own_finding_model(consecutive, real):
    from tumorclf.model.inference import posterior
    from tumorclf.schema import as_case_arrays

    X = real.iloc[:20]
    arrays = as_case_arrays(X)
    for reading, findings in (
        ("as_entered", consecutive.findings_),
        ("as_published", consecutive.published_findings_),
    ):
        proba = consecutive.set_params(reading=reading).predict_proba(X)
        exact = posterior(
            findings, arrays, consecutive.class_weights_, reading=reading,
            reporting=consecutive.reporting_,
        )[:, np.argsort(consecutive.findings_.classes)]  # fmt: skip
        np.testing.assert_allclose(proba, exact)
    consecutive.set_params(reading="as_entered")


def test_the_series_pin_their_rows_and_the_published_cases_teach_the_rest(priors, real):
    """A row a series counts keeps the pooled marginal (a dependent table too, its shape learnt
    from the published cases); a row no series counts (a field of a class no series states, every
    row of MCS) is learnt from the published cases: read as published it is what they show, and
    the population behind it is that row with the class's selection undone."""
    from tumorclf.model.consecutive import marginal
    from tumorclf.model.estimator import _series_model, pinned_tables
    from tumorclf.model.selection import tilted_rows

    y = real["diagnosis"].astype(str).to_numpy(dtype=object)
    model = UpdatedPriorsClassifier(
        priors, population="consecutive", dependence="erosion_by_compartment"
    ).fit(real, y)
    series = _series_model(priors)
    pinned = pinned_tables(series, model.findings_)
    literature = findings_from_priors(priors, ("erosion_by_compartment",))
    classes = list(model.findings_.classes)
    learnt_unpinned = 0
    for name in model.findings_.fields:
        for c, cls in enumerate(classes):
            if pinned[name][c]:
                np.testing.assert_allclose(
                    marginal(model.findings_, c, name), series.rates[(cls, name)].mean, atol=1e-4
                )
                continue
            published = model.published_findings_.fields[name][c]
            population = model.findings_.fields[name][c]
            np.testing.assert_allclose(  # the selection, applied to the population, gives it back
                tilted_rows(population, 1.0 - model.tilts_[c]), published, atol=1e-8
            )
            if model.tilts_[c] > 0.1 and np.ptp(published) > 0.05:
                assert np.ptp(population) > np.ptp(published)  # the population is sharper
            learnt_unpinned += not np.allclose(published, literature.fields[name][c], atol=1e-3)
    assert not any(pinned[name][classes.index("mcs")] for name in pinned)
    assert learnt_unpinned > 10
    # Bone erosion given the compartment: the schwannoma's rows differ by compartment (learnt),
    # while their marginal is the series'.
    erosion = model.findings_.fields["bone_erosion"][classes.index("schwannoma")]
    assert erosion.shape[0] > 1 and np.ptp(erosion[:, 1]) > 0.05
