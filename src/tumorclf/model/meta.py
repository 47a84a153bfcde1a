"""How each tumour looks in consecutive patients: a random-effects meta-analysis of series counts.

For one class and one field, each consecutive series i gives counts over some cells (a value, a
set of values a series merged, or the rest). The counts are Dirichlet-multinomial,

    counts_i ~ DirMult(n_i, phi * mu_cells),    mu ~ Dirichlet(a0 * m),

with mu the pooled rates over the field's values, phi the concentration (the between-series
spread: a series' rate varies as mu (1 - mu) / (phi + 1) around mu), and m the literature's row
(an assumption, worth a0 pseudo-patients). By the aggregation property a series that merges values
("intradural" for both intradural compartments) or states a finding without its pattern
("enhancing") is the same distribution over the merged cell; a single "k of n" row is a
beta-binomial. Most cells have one to three series, so log phi has a weakly informative prior
shared by every class and field, its centre estimated from the cells with two series or more
(empirical Bayes). Fitted by maximum a posteriori with scipy; the uncertainty of mu by the Laplace
approximation. A class and field no consecutive series counts keeps the literature's row, marked as
an assumption.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from tumorclf.model.series import AGE, LEVEL_REGION, SeriesCount
from tumorclf.model.structure import AGES, values_of
from tumorclf.schema.vocabulary import BOOLEAN_FIELDS, COARSE_VALUES, REGIONS

#: The literature's row is worth this many patients where a series exists.
PRIOR_STRENGTH = 2.0
#: The log spreads a rate's profile likelihood is maximised over (phi from 0.14 to 8,100).
PROFILE_LOG_PHI = np.linspace(-2.0, 9.0, 111)
#: Pseudo-patients of every value, so that a value no series saw keeps a small rate.
JEFFREYS = 0.5
#: The weakly informative prior on log phi: its starting centre (phi = 30: a rate of 0.5 varies by
#: about 0.09 between series) and its width; the centre is then estimated across cells.
LOG_PHI_PRIOR = (np.log(30.0), 1.0)


def support(field_name: str) -> tuple[str, ...]:
    """A field's values as a series names them ("true", "cervical", an age in years)."""
    if field_name == AGE:
        return tuple(str(a) for a in AGES)
    if field_name == LEVEL_REGION:
        return REGIONS
    if field_name in BOOLEAN_FIELDS:
        return ("false", "true")
    return tuple(str(v) for v in values_of(field_name))


def value_set(field_name: str, values: Sequence[str]) -> frozenset[int]:
    """The indices of the support a series' value (or merged values) stands for."""
    names = support(field_name)
    out: set[int] = set()
    for value in values:
        if field_name == AGE:
            low, high = (int(x) for x in value.split("-"))
            out.update(range(low, high + 1))
            continue
        members = COARSE_VALUES.get(field_name, {}).get(value, (value,))
        out.update(names.index(str(m)) for m in members)
    return frozenset(out)


@dataclass(frozen=True)
class Observation:
    """One series' counts of one field for one class, over cells that partition the support."""

    cohort: str
    cells: tuple[frozenset[int], ...]
    counts: tuple[int, ...]
    rows: tuple[SeriesCount, ...]

    @property
    def n(self) -> int:
        return sum(self.counts)


def observations(rows: Iterable[SeriesCount], field_name: str) -> list[Observation]:
    """The consecutive series' counts of one class's field as observations: a series' rows of
    disjoint values that add up to no more than its patients are one observation (the rest its
    own cell); any other row is an observation of its own (its values against the rest)."""
    everything = frozenset(range(len(support(field_name))))
    by_series: dict[tuple[str, int], list[SeriesCount]] = defaultdict(list)
    for row in rows:
        if row.consecutive and row.field == field_name:
            by_series[(row.cohort, row.n)].append(row)
    out = []
    for (cohort, n), members in by_series.items():
        # Rows that name the same values (a junction counted with its upper region) add up.
        merged: dict[frozenset[int], list[SeriesCount]] = defaultdict(list)
        for r in members:
            merged[value_set(field_name, _upper_region(field_name, r.values))].append(r)
        sets = list(merged)
        counts_of = {cell: sum(r.k for r in rs) for cell, rs in merged.items()}
        disjoint = all(not (a & b) for i, a in enumerate(sets) for b in sets[i + 1 :])
        total = sum(counts_of.values())
        rest = everything - frozenset().union(*sets)
        # Counts rounded from percentages may add up to a patient or two more than n.
        if disjoint and total <= n + len(members) and (rest or total >= n):
            # (the rest is a cell even when empty of patients: the cells must cover every value)
            cells = [*sets, *([rest] if rest else [])]
            counts = [*(counts_of[c] for c in sets), *([max(n - total, 0)] if rest else [])]
            out.append(Observation(cohort, tuple(cells), tuple(counts), tuple(members)))
            continue
        for cell in sets:
            if cell == everything:
                continue  # a row that says every value is no evidence
            k = min(counts_of[cell], n)
            out.append(
                Observation(cohort, (cell, everything - cell), (k, n - k), tuple(merged[cell]))
            )
    return out


def _upper_region(field_name: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """A junction of two regions ("cervical|thoracic": cervicothoracic) counts in the upper one:
    the schema's region is its top level's."""
    if field_name != LEVEL_REGION or len(values) != 2:
        return values
    first, second = sorted(values, key=REGIONS.index)
    return (first,) if REGIONS.index(second) == REGIONS.index(first) + 1 else values


def dirichlet_multinomial_logpmf(counts: np.ndarray, alpha: np.ndarray) -> float:
    """log DirMult(counts | alpha) without the multinomial coefficient (it has no parameter)."""
    a0 = alpha.sum()
    return float(
        special.gammaln(a0)
        - special.gammaln(counts.sum() + a0)
        + (special.gammaln(counts + alpha) - special.gammaln(alpha)).sum()
    )


@dataclass
class PooledRates:
    """The pooled rates of one class's field over its support, and how far series spread.

    ``mean`` (K,), ``phi`` the concentration (None where one series or none can tell it: then the
    shared prior's centre), ``covariance`` of the logits (K-1, K-1) for intervals,
    ``n_series``/``n_patients`` what stands behind it, ``assumption`` when no series does.
    """

    cls: str
    field: str
    mean: np.ndarray
    phi: float
    n_series: int
    n_patients: int
    cohorts: tuple[str, ...]
    assumption: bool
    covariance: np.ndarray | None = None
    observations: list[Observation] = field(default_factory=list)

    def rate_interval(
        self, cell: frozenset[int], level: float = 0.95
    ) -> tuple[float, float, float]:
        """The pooled rate of ``cell`` and its profile-likelihood interval: the series that count
        the cell (or its complement) as such, read as beta-binomial, the spread profiled out;
        (estimate, low, high)."""
        data = []
        for o in self.observations:
            if cell in o.cells:
                data.append((o.counts[o.cells.index(cell)], o.n))
            elif frozenset(range(len(self.mean))) - cell in o.cells:
                data.append(
                    (o.n - o.counts[o.cells.index(frozenset(range(len(self.mean))) - cell)], o.n)
                )
        if not data:
            return (float("nan"), float("nan"), float("nan"))
        k, n = np.array(data, dtype=float).T
        grid = np.concatenate([np.geomspace(1e-4, 0.02, 15), np.linspace(0.02, 0.98, 97),
                               1 - np.geomspace(0.02, 1e-4, 15)])  # fmt: skip
        # The spread profiled out on a fine grid of log phi, every (rate, spread) pair at once.
        phi = np.exp(PROFILE_LOG_PHI)[None, :, None]
        p = grid[:, None, None]
        log_lik = stats.betabinom.logpmf(k[None, None], n[None, None], phi * p, phi * (1 - p))
        deviance = -log_lik.sum(axis=2).max(axis=1)
        deviance = 2 * (deviance - deviance.min())
        inside = grid[deviance <= stats.chi2.ppf(level, 1)]
        return float(grid[deviance.argmin()]), float(inside.min()), float(inside.max())

    def draws(self, size: int, random_state: int | None = 0) -> np.ndarray:
        """Samples of the pooled rates from the Laplace approximation, ``(size, K)``."""
        if self.covariance is None:
            return np.repeat(self.mean[None], size, axis=0)
        rng = np.random.default_rng(random_state)
        logits = np.log(self.mean[:-1]) - np.log(self.mean[-1])
        sample = rng.multivariate_normal(logits, self.covariance, size=size)
        full = np.concatenate([sample, np.zeros((size, 1))], axis=1)
        return special.softmax(full, axis=1)

    def predictive_interval(
        self, cell: frozenset[int], n: int, level: float = 0.95, draws: int = 400
    ) -> tuple[float, float]:
        """The central ``level`` interval of the rate of ``cell`` in a new series of ``n``
        patients: the uncertainty of the pooled rate (Laplace draws), the spread between series
        and the binomial noise, as one mixture of beta-binomials."""
        rates = np.clip(self.draws(draws)[:, list(cell)].sum(axis=1), 1e-9, 1 - 1e-9)
        ks = np.arange(n + 1)
        pmf = stats.betabinom.pmf(
            ks[None, :], n, self.phi * rates[:, None], self.phi * (1 - rates[:, None])
        ).mean(axis=0)
        cdf = np.cumsum(pmf)
        tail = (1 - level) / 2
        low = int(np.searchsorted(cdf, tail))
        high = int(np.searchsorted(cdf, 1 - tail))
        return low / n, min(high, n) / n


def _fit_cell(
    obs: list[Observation],
    prior_row: np.ndarray,
    log_phi_prior: tuple[float, float],
    prior_strength: float,
) -> tuple[np.ndarray, float, np.ndarray | None]:
    """MAP of (mu, log phi) for one class's field; the covariance of mu's logits."""
    k = len(prior_row)
    # The literature's row as prior_strength pseudo-patients, and half a patient for every value
    # (Jeffreys): no value a series has not seen is taken to be impossible.
    alpha_prior = prior_strength * np.clip(prior_row, 1e-9, None) / prior_row.sum() + JEFFREYS
    masks = [np.array([[i in c for i in range(k)] for c in o.cells], dtype=float) for o in obs]
    counts = [np.asarray(o.counts, dtype=float) for o in obs]
    centre, width = log_phi_prior

    def negative(theta: np.ndarray) -> float:
        mu = special.softmax(np.append(theta[:-1], 0.0))
        phi = np.exp(theta[-1])
        value = -(alpha_prior * np.log(mu)).sum() + 0.5 * ((theta[-1] - centre) / width) ** 2
        for mask, count in zip(masks, counts, strict=True):
            value -= dirichlet_multinomial_logpmf(count, phi * (mask @ mu))
        return value

    start = np.log(np.clip(prior_row, 1e-6, None))
    theta0 = np.append(start[:-1] - start[-1], centre)
    result = optimize.minimize(negative, theta0, method="L-BFGS-B")
    theta = result.x
    mu = special.softmax(np.append(theta[:-1], 0.0))
    covariance = None
    if k <= 12:  # the Laplace approximation: the inverse Hessian of the logits by differences
        hessian = _hessian(negative, theta)
        try:
            full = np.linalg.inv(hessian)
            covariance = full[:-1, :-1]
            if not np.all(np.isfinite(covariance)) or np.any(np.diag(covariance) <= 0):
                covariance = None
        except np.linalg.LinAlgError:
            covariance = None
    return mu, float(np.exp(theta[-1])), covariance


def _hessian(f, x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    n = len(x)
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            e_i, e_j = np.eye(n)[i] * step, np.eye(n)[j] * step
            value = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)) / (
                4 * step * step
            )
            out[i, j] = out[j, i] = value
    return out


@dataclass
class SeriesModel:
    """The pooled rates of every class and field, and the shared prior on the spread."""

    rates: dict[tuple[str, str], PooledRates]
    log_phi_prior: tuple[float, float]

    def __getitem__(self, key: tuple[str, str]) -> PooledRates:
        return self.rates[key]


def literature_row(priors, cls: str, field_name: str) -> np.ndarray:
    """The literature's marginal row of a class's field over its support (the prior's centre)."""
    from tumorclf.model.literature import findings_from_priors
    from tumorclf.model.structure import PARENTS

    c = priors.classes.index(cls)
    if field_name == AGE:
        return priors.age_pmf[c]
    if field_name == LEVEL_REGION:
        from tumorclf.model.structure import REGION_OF_LEVEL

        top = priors.level_joint[c].sum(axis=1)
        return np.bincount(REGION_OF_LEVEL, weights=top, minlength=len(REGIONS))
    findings = findings_from_priors(priors)
    table = findings.fields[field_name][c]
    if field_name in PARENTS:  # a child: its marginal over the parent's values
        parent = findings.fields[PARENTS[field_name]][c]
        return parent @ table / max(float((parent @ table).sum()), 1e-12)
    return table


def fit_series(
    rows: Sequence[SeriesCount],
    priors,
    *,
    fields: Sequence[str] | None = None,
    prior_strength: float = PRIOR_STRENGTH,
    rounds: int = 3,
) -> SeriesModel:
    """The pooled rates of every class and field (``fields``: those to fit; by default every one a
    consecutive series counts), with the spread's prior centre estimated across cells."""
    wanted = sorted({r.field for r in rows if r.consecutive}) if fields is None else list(fields)
    cells = {
        (cls, name): observations([r for r in rows if r.cls == cls], name)
        for cls in priors.classes
        for name in wanted
    }
    log_phi_prior = LOG_PHI_PRIOR
    rates: dict[tuple[str, str], PooledRates] = {}
    for _ in range(rounds):
        rates = {}
        for (cls, name), obs in cells.items():
            row = literature_row(priors, cls, name)
            cohorts = tuple(sorted({o.cohort for o in obs}))
            if not obs:
                rates[(cls, name)] = PooledRates(
                    cls, name, row / row.sum(), float(np.exp(log_phi_prior[0])), 0, 0, (), True
                )
                continue
            mu, phi, cov = _fit_cell(obs, row, log_phi_prior, prior_strength)
            rates[(cls, name)] = PooledRates(
                cls,
                name,
                mu,
                phi,
                len(cohorts),
                sum(o.n for o in obs),
                cohorts,
                False,
                cov,
                obs,
            )
        spread = [np.log(r.phi) for r in rates.values() if r.n_series >= 2]
        if spread:
            log_phi_prior = (float(np.mean(spread)), LOG_PHI_PRIOR[1])
    return SeriesModel(rates, log_phi_prior)


__all__ = [
    "LOG_PHI_PRIOR",
    "PRIOR_STRENGTH",
    "Observation",
    "PooledRates",
    "SeriesModel",
    "dirichlet_multinomial_logpmf",
    "fit_series",
    "literature_row",
    "observations",
    "support",
    "value_set",
]


@dataclass(frozen=True)
class HeldOut:
    """One series held out of its cell: each of its cells' rate, and the interval the others give
    for a new series of its size."""

    cls: str
    field: str
    cohort: str
    n: int
    rate: float
    predicted: float
    interval: tuple[float, float]

    @property
    def inside(self) -> bool:
        return self.interval[0] - 1e-12 <= self.rate <= self.interval[1] + 1e-12

    @property
    def factor(self) -> float:
        """How many times the rate is off the predicted one (or the reverse), a half patient
        added to each so that a zero is finite."""
        half = 0.5 / max(self.n, 1)
        a, b = self.rate + half, self.predicted + half
        return max(a / b, b / a)


def leave_one_series_out(
    rows: Sequence[SeriesCount],
    priors,
    model: SeriesModel,
    *,
    prior_strength: float = PRIOR_STRENGTH,
    level: float = 0.95,
) -> list[HeldOut]:
    """Every series of a cell with two or more, held out in turn: the cell refitted on the others
    (the spread's prior as fitted on all), each of the held-out series' cells predicted."""
    out = []
    for pooled, cohort, held, (mu, phi, cov) in _held_out_fits(priors, model, prior_strength):
        refit = PooledRates(pooled.cls, pooled.field, mu, phi, 0, 0, (), False, cov)
        for o in held:
            for cell, count in zip(o.cells, o.counts, strict=True):
                out.append(
                    HeldOut(
                        pooled.cls,
                        pooled.field,
                        cohort,
                        o.n,
                        count / o.n,
                        float(mu[list(cell)].sum()),
                        refit.predictive_interval(cell, o.n, level),
                    )
                )
    return out


def _held_out_fits(priors, model: SeriesModel, prior_strength: float):
    """Each series of a cell with two or more, with the cell refitted on the others: (the cell's
    pooled rates, the series' cohort, its observations with patients, the refit's mu, phi and
    covariance)."""
    for (cls, name), pooled in model.rates.items():
        if pooled.n_series < 2:
            continue
        row = literature_row(priors, cls, name)
        for cohort in pooled.cohorts:
            held = [o for o in pooled.observations if o.cohort == cohort and o.n > 0]
            if not held:
                continue
            kept = [o for o in pooled.observations if o.cohort != cohort]
            yield pooled, cohort, held, _fit_cell(kept, row, model.log_phi_prior, prior_strength)


__all__ += ["HeldOut", "leave_one_series_out"]


@dataclass(frozen=True)
class HeldOutSeries:
    """One series of a class's field held out: its per-patient log-likelihood under the pooled
    others (their predictive for a new series, and the multinomial at their pooled rate) and
    under any other rates given (their multinomial)."""

    cls: str
    field: str
    cohort: str
    n: int
    predictive: float
    pooled: float
    others: dict[str, float]


def held_out_log_likelihoods(
    rows: Sequence[SeriesCount],
    priors,
    model: SeriesModel,
    rates: Mapping[str, Callable[[str, str], np.ndarray | None]] | None = None,
    *,
    prior_strength: float = PRIOR_STRENGTH,
) -> list[HeldOutSeries]:
    """Every series of a cell with two or more, held out in turn: the log-likelihood of its counts
    per patient under the others' meta-analysis (Dirichlet-multinomial predictive, and the
    multinomial at the pooled rate), and under each ``rates[name](cls, field)`` (a class's
    marginal over the field's support, or None where that model has none). Averaged over series
    with equal weights, a registry does not drown the rest."""
    out = []
    for pooled, cohort, held, (mu, phi, _) in _held_out_fits(priors, model, prior_strength):
        cls, name = pooled.cls, pooled.field
        n = sum(o.n for o in held)
        predictive = pooled_ll = 0.0
        others = dict.fromkeys(rates or {}, 0.0)
        for o in held:
            p = np.array([mu[list(cell)].sum() for cell in o.cells])
            predictive += _dm_log_pmf(np.array(o.counts), phi * p)
            pooled_ll += _multinomial_log_pmf(np.array(o.counts), p)
            for label, rate_of in (rates or {}).items():
                theirs = rate_of(cls, name)
                if theirs is None or others[label] is None:
                    others[label] = None
                    continue
                q = np.array([theirs[list(cell)].sum() for cell in o.cells])
                others[label] += _multinomial_log_pmf(np.array(o.counts), q)
        out.append(
            HeldOutSeries(
                cls,
                name,
                cohort,
                n,
                predictive / n,
                pooled_ll / n,
                {k: (v / n if v is not None else math.nan) for k, v in others.items()},
            )  # fmt: skip
        )
    return out


def _dm_log_pmf(counts: np.ndarray, alpha: np.ndarray) -> float:
    alpha = np.clip(alpha, 1e-9, None)
    return float(stats.dirichlet_multinomial.logpmf(counts, alpha, int(counts.sum())))


def _multinomial_log_pmf(counts: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-9, None)
    return float(stats.multinomial.logpmf(counts, int(counts.sum()), p / p.sum()))


__all__ += ["HeldOutSeries", "held_out_log_likelihoods"]
