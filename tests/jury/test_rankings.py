"""Rankings: every method against an independent computation, properties, hand-checked cases.

Plain functions, no database. The independent computations are written differently on purpose
(pandas groupby, scipy.stats.trim_mean, a direct least-squares solve, brute-force Schulze with
Floyd-Warshall, loops) so a shared mistake is unlikely.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from jury.compute import rankings
from jury.compute.rankings import ReviewScores
from jury.compute.rankings import agreement as rankings_agreement
from jury.compute.rankings.uncertainty import inverted_cdf_index

SCALE = (Decimal(1), Decimal(10))
WIDE = (Decimal(0), Decimal(100))


# --- Data helpers -------------------------------------------------------------------------------


def random_reviews(
    seed: int,
    *,
    entries: int = 40,
    jurors: int = 8,
    per_entry: int | tuple[int, int] = 3,
    criteria: int = 3,
) -> list[ReviewScores]:
    """Random reviews with totals 1.00-10.00 (two decimals) and integer criterion scores."""
    rng = np.random.default_rng(seed)
    reviews = []
    for e in range(entries):
        count = per_entry if isinstance(per_entry, int) else int(rng.integers(*per_entry))
        for j in rng.choice(jurors, size=count, replace=False):
            total = Decimal(int(rng.integers(100, 1001))) / 100
            scores = {f"c{c}": Decimal(int(rng.integers(1, 11))) for c in range(criteria)}
            reviews.append(ReviewScores(f"e{e:03d}", int(j), total, scores))
    return reviews


def frame(reviews: list[ReviewScores]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entry": [r.entry_id for r in reviews],
            "juror": [r.juror_id for r in reviews],
            "total": [float(r.weighted_total) for r in reviews],
        }
    )


def competition_ranks(values: pd.Series) -> dict:
    """Ranks written with pandas: 1 + number strictly higher (values rounded to 9 decimals)."""
    return values.round(9).rank(method="min", ascending=False).astype(int).to_dict()


def review(entry, juror, total) -> ReviewScores:
    return ReviewScores(entry, juror, Decimal(str(total)))


def assert_close_shown(shown: dict, expected: pd.Series) -> None:
    for entry, value in expected.items():
        assert abs(float(shown[entry]) - value) <= 0.005 + 1e-9, entry


# --- Mean, median, trimmed mean -----------------------------------------------------------------


def test_mean_matches_pandas_groupby_on_random_data():
    reviews = random_reviews(1, per_entry=(1, 6))

    result = rankings.rank_by(reviews, scale=SCALE, method="mean")

    expected = frame(reviews).groupby("entry")["total"].mean()
    assert result.values == pytest.approx(expected.to_dict(), abs=1e-12)
    assert result.ranks == competition_ranks(expected)
    assert_close_shown(result.scores, expected)
    assert all(s.as_tuple().exponent == -2 for s in result.scores.values())


def test_median_matches_pandas_groupby_on_random_data():
    reviews = random_reviews(2, per_entry=(1, 7))

    result = rankings.rank_by(reviews, scale=SCALE, method="median")

    expected = frame(reviews).groupby("entry")["total"].median()
    assert result.values == pytest.approx(expected.to_dict(), abs=1e-12)
    assert result.ranks == competition_ranks(expected)
    assert_close_shown(result.scores, expected)


def test_trimmed_mean_matches_scipy_and_falls_back_below_five_reviews():
    reviews = random_reviews(3, entries=60, jurors=12, per_entry=(2, 11))
    df = frame(reviews)

    result = rankings.rank_by(reviews, scale=SCALE, method="trimmed_mean")

    counts = df.groupby("entry")["total"].size()
    expected = df.groupby("entry")["total"].agg(
        lambda s: stats.trim_mean(s.to_numpy(), 0.2) if len(s) >= 5 else s.mean()
    )
    assert result.values == pytest.approx(expected.to_dict(), abs=1e-12)
    assert result.ranks == competition_ranks(expected)
    (note,) = [n for n in result.notes if n.code == "trimmed_mean_fallback"]
    assert set(note.subjects) == set(counts[counts < 5].index)
    with translation.override("en"):
        assert "plain mean" in note.text


def test_trimmed_mean_exact_small_case():
    reviews = [review("a", j, v) for j, v in enumerate([1, 9, 8, 8, 10])]
    reviews += [review("b", j, v) for j, v in enumerate([7, 7, 7])]

    result = rankings.rank_by(reviews, scale=SCALE, method="trimmed_mean")

    # a: drop 1 and 10 -> (8 + 8 + 9) / 3 = 8.33; b: three reviews -> plain mean 7.
    assert result.scores == {"a": Decimal("8.33"), "b": Decimal("7.00")}
    assert result.notes[0].subjects == ("b",)


# --- Z-scores -----------------------------------------------------------------------------------


def test_zscore_matches_pandas_transform_on_random_data():
    reviews = random_reviews(4, entries=50, jurors=10)
    df = frame(reviews)

    result = rankings.rank_by(reviews, scale=SCALE, method="zscore")

    by_juror = df.groupby("juror")["total"]
    df["z"] = (df["total"] - by_juror.transform("mean")) / by_juror.transform("std", ddof=0)
    df["z"] = df["z"].where(by_juror.transform("size") > 1, 0.0).fillna(0.0)
    zbar = df.groupby("entry")["z"].mean()
    assert result.values == pytest.approx(zbar.to_dict(), abs=1e-9)
    assert result.ranks == competition_ranks(zbar)
    shown = df["total"].mean() + zbar * df["total"].std(ddof=0)
    assert_close_shown(result.scores, shown)


def test_zscore_gives_zero_to_a_juror_without_spread():
    reviews = [review("a", 1, 7), review("b", 1, 7), review("a", 2, 9), review("b", 2, 3)]

    result = rankings.rank_by(reviews, scale=SCALE, method="zscore")
    z = rankings.review_zscores(reviews, scale=SCALE)

    assert z[("a", 1)] == 0.0 and z[("b", 1)] == 0.0
    assert z[("a", 2)] == pytest.approx(1.0) and z[("b", 2)] == pytest.approx(-1.0)
    assert result.notes[0].code == "zscore_no_spread"
    assert result.notes[0].subjects == (1,)


# --- Additive juror-effect model ----------------------------------------------------------------


def lstsq_additive(reviews: list[ReviewScores]) -> tuple[dict, dict]:
    """Direct least squares with the last juror's offset written as minus the sum of the others."""
    entries = sorted({r.entry_id for r in reviews})
    jurors = sorted({r.juror_id for r in reviews})
    design = np.zeros((len(reviews), len(entries) + len(jurors) - 1))
    target = np.zeros(len(reviews))
    for row, r in enumerate(reviews):
        design[row, entries.index(r.entry_id)] = 1.0
        k = jurors.index(r.juror_id)
        if k < len(jurors) - 1:
            design[row, len(entries) + k] = 1.0
        else:
            design[row, len(entries) :] = -1.0
        target[row] = float(r.weighted_total)
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    offsets = list(coef[len(entries) :])
    offsets.append(-sum(offsets))
    return dict(zip(entries, coef[: len(entries)], strict=True)), dict(
        zip(jurors, offsets, strict=True)
    )


def test_additive_model_matches_direct_least_squares_on_random_data():
    reviews = random_reviews(5, entries=60, jurors=9)

    model = rankings.additive_model(reviews, scale=SCALE)
    result = rankings.rank_by(reviews, scale=SCALE, method="additive")

    qualities, offsets = lstsq_additive(reviews)
    assert model.connected
    assert model.qualities == pytest.approx(qualities, abs=1e-9)
    assert model.offsets == pytest.approx(offsets, abs=1e-9)
    assert sum(model.offsets.values()) == pytest.approx(0.0, abs=1e-9)
    assert result.ranks == competition_ranks(pd.Series(qualities))


def test_additive_model_exact_small_case_corrects_a_strict_juror():
    # Juror A is one point milder than B: both scored Y (A: 7, B: 5).
    reviews = [review("X", "A", 8), review("Y", "A", 7), review("Y", "B", 5), review("Z", "B", 6)]

    model = rankings.additive_model(reviews, scale=SCALE)
    result = rankings.rank_by(reviews, scale=SCALE, method="additive")
    mean = rankings.rank_by(reviews, scale=SCALE, method="mean")

    assert model.offsets == pytest.approx({"A": 1.0, "B": -1.0})
    assert result.scores == {"X": Decimal("7.00"), "Y": Decimal("6.00"), "Z": Decimal("7.00")}
    assert result.ranks == {"X": 1, "Z": 1, "Y": 3}
    assert mean.ranks == {"X": 1, "Y": 2, "Z": 2}
    assert model.components[0].residual_sd is None  # exact fit, no degrees of freedom left


def test_additive_model_reports_a_disconnected_assignment_per_component():
    reviews = [
        review("a", 1, 8),
        review("b", 1, 6),
        review("b", 2, 5),
        review("c", 2, 4),
        review("x", 3, 9),
        review("y", 3, 3),
        review("y", 4, 2),
    ]

    model = rankings.additive_model(reviews, scale=SCALE)

    assert not model.connected
    assert [c.entries for c in model.components] == [("a", "b", "c"), ("x", "y")]
    assert [c.jurors for c in model.components] == [(1, 2), (3, 4)]
    assert [c.reviews for c in model.components] == [4, 3]
    assert model.entry_component == {"a": 0, "b": 0, "c": 0, "x": 1, "y": 1}
    assert model.offsets[1] + model.offsets[2] == pytest.approx(0.0)
    assert model.offsets[3] + model.offsets[4] == pytest.approx(0.0)
    (note,) = model.notes
    assert note.code == "not_connected"
    with translation.override("en"):
        assert "2 separate groups" in note.text and "3, 2" in note.text
    for part in (reviews[:4], reviews[4:]):  # each component fits like it would on its own
        alone = rankings.additive_model(part, scale=SCALE)
        for entry, quality in alone.qualities.items():
            assert model.qualities[entry] == pytest.approx(quality)


def test_compute_ranking_carries_the_disconnected_note_and_components():
    reviews = [review("a", 1, 8), review("b", 1, 6), review("x", 3, 9), review("y", 3, 3)]

    report = rankings.compute_ranking(reviews, scale=SCALE, bootstrap_resamples=0)

    assert report.additive is not None and not report.additive.connected
    assert "not_connected" in {n.code for n in report.notes}
    assert {e.entry_id: e.component for e in report.entries} == {"a": 0, "b": 0, "x": 1, "y": 1}


# --- Borda and Schulze --------------------------------------------------------------------------


def brute_borda(reviews: list[ReviewScores]) -> dict:
    by_juror: dict = {}
    for r in reviews:
        by_juror.setdefault(r.juror_id, []).append(r)
    points: dict = {}
    for own in by_juror.values():
        if len(own) < 2:
            continue
        for r in own:
            beaten = sum(1 for o in own if o is not r and o.weighted_total < r.weighted_total)
            tied = sum(1 for o in own if o is not r and o.weighted_total == r.weighted_total)
            points.setdefault(r.entry_id, []).append((beaten + tied / 2) / (len(own) - 1))
    return {entry: sum(p) / len(p) for entry, p in points.items()}


def test_borda_matches_brute_force_counting_on_random_data():
    reviews = random_reviews(6, entries=30, jurors=10, per_entry=(1, 5))

    result = rankings.rank_by(reviews, scale=SCALE, method="borda")

    expected = brute_borda(reviews)
    compared = {e: v for e, v in result.values.items() if not math.isnan(v)}
    assert compared == pytest.approx(expected, abs=1e-12)
    assert_close_shown({e: result.scores[e] for e in expected}, pd.Series(expected) * 100)


def test_borda_leaves_an_uncompared_entry_last_with_a_note():
    reviews = [review("a", 1, 8), review("b", 1, 6), review("c", 2, 9)]

    result = rankings.rank_by(reviews, scale=SCALE, method="borda")

    assert result.scores == {"a": Decimal("100.00"), "b": Decimal("0.00"), "c": None}
    assert result.ranks == {"a": 1, "b": 2, "c": 3}
    assert result.notes[0].code == "no_comparisons" and result.notes[0].subjects == ("c",)


def brute_schulze_layers(reviews: list[ReviewScores]) -> dict:
    """Textbook Schulze (winning votes, Floyd-Warshall widest paths), then peel off the
    candidates that nobody left beats, layer by layer."""
    entries = sorted({r.entry_id for r in reviews})
    n = len(entries)
    totals: dict = {}
    for r in reviews:
        totals.setdefault(r.juror_id, {})[r.entry_id] = r.weighted_total
    d = [[0] * n for _ in range(n)]
    for own in totals.values():
        for a, b in itertools.permutations(range(n), 2):
            if entries[a] in own and entries[b] in own and own[entries[a]] > own[entries[b]]:
                d[a][b] += 1
    p = [[d[a][b] if d[a][b] > d[b][a] else 0 for b in range(n)] for a in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            for k in range(n):
                if i not in (j, k) and j != k:
                    p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    beats = {(a, b) for a in range(n) for b in range(n) if a != b and p[a][b] > p[b][a]}
    layers, left, layer = {}, set(range(n)), 1
    while left:
        top = {b for b in left if not any((a, b) in beats for a in left)}
        for b in top:
            layers[entries[b]] = layer
        left -= top
        layer += 1
    return layers


@pytest.mark.parametrize(
    ("seed", "max_entries", "max_jurors"),
    [(seed, 10, 7) for seed in range(20)]
    + [(seed, 16, 10) for seed in range(20, 35)]
    + [(seed, 30, 13) for seed in range(35, 40)],
)
def test_schulze_matches_brute_force_on_partial_orderings(seed, max_entries, max_jurors):
    rng = np.random.default_rng(seed)
    reviews = []
    jurors = int(rng.integers(2, max_jurors))
    for e in range(int(rng.integers(2, max_entries))):
        count = int(rng.integers(1, jurors + 1))
        for j in rng.choice(jurors, size=count, replace=False):
            reviews.append(review(f"e{e}", int(j), int(rng.integers(1, 6))))  # many equal totals

    layers = rankings.schulze_layers(reviews, scale=SCALE)

    assert layers == brute_schulze_layers(reviews)


def test_schulze_wikipedia_example_orders_e_a_c_b_d():
    ballots = [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ]
    reviews, juror = [], 0
    for count, order in ballots:
        for _ in range(count):
            juror += 1
            reviews += [review(c, juror, 9 - place) for place, c in enumerate(order)]

    result = rankings.rank_by(reviews, scale=SCALE, method="schulze")

    assert sorted(result.ranks, key=result.ranks.get) == ["E", "A", "C", "B", "D"]
    assert result.ranks == {"E": 1, "A": 2, "C": 3, "B": 4, "D": 5}
    assert set(result.scores.values()) == {None}


def test_schulze_on_a_cycle_ties_everyone():
    reviews = [
        review("a", 1, 9),
        review("b", 1, 5),
        review("b", 2, 9),
        review("c", 2, 5),
        review("c", 3, 9),
        review("a", 3, 5),
    ]

    assert rankings.schulze_layers(reviews, scale=SCALE) == {"a": 1, "b": 1, "c": 1}


# --- Spread and bootstrap -----------------------------------------------------------------------


def test_spread_matches_pandas_std_and_range():
    reviews = random_reviews(7, per_entry=(1, 6))

    spread = rankings.entry_spread(reviews, scale=SCALE)

    grouped = frame(reviews).groupby("entry")["total"]
    sd, low, high, size = grouped.std(), grouped.min(), grouped.max(), grouped.size()
    for entry, row in spread.items():
        assert row.reviews == size[entry]
        assert row.range == Decimal(str(round(high[entry] - low[entry], 2))).quantize(
            Decimal("0.01")
        )
        if size[entry] == 1:
            assert row.sd is None
        else:
            assert abs(float(row.sd) - sd[entry]) <= 0.005 + 1e-9


def loop_bootstrap(reviews: list[ReviewScores], resamples: int, seed: int) -> dict:
    """Plain loops and numpy.percentile: resample each entry's totals, rank by mean."""
    rng = np.random.default_rng(seed)
    totals: dict = {}
    for r in reviews:
        totals.setdefault(r.entry_id, []).append(float(r.weighted_total))
    ranks: dict = {entry: [] for entry in totals}
    for _ in range(resamples):
        means = {e: float(np.mean(rng.choice(v, size=len(v)))) for e, v in totals.items()}
        for entry, value in means.items():
            ranks[entry].append(1 + sum(1 for other in means.values() if other > value + 1e-12))
    return {
        e: tuple(int(x) for x in np.percentile(r, [5, 95], method="inverted_cdf"))
        for e, r in ranks.items()
    }


def test_bootstrap_intervals_agree_with_a_loop_bootstrap():
    rng = np.random.default_rng(8)
    reviews = [
        review(f"e{e}", j, round(float(np.clip(rng.normal(3 + e * 0.8, 1.2), 1, 10)), 2))
        for e in range(7)
        for j in range(5)
    ]

    intervals = rankings.bootstrap_rank_intervals(reviews, scale=SCALE, resamples=3000, seed=1)

    expected = loop_bootstrap(reviews, 3000, seed=99)
    for entry, (low, high) in expected.items():
        assert abs(intervals[entry].lower - low) <= 1, entry
        assert abs(intervals[entry].upper - high) <= 1, entry


def test_bootstrap_is_deterministic_and_pins_a_clear_leader():
    reviews = [review("top", j, 10) for j in range(4)]
    reviews += [review(f"e{e}", j, 2 + (e + j) % 5) for e in range(5) for j in range(4)]

    first = rankings.bootstrap_rank_intervals(reviews, scale=SCALE, seed=3)
    again = rankings.bootstrap_rank_intervals(reviews, scale=SCALE, seed=3)

    assert first == again
    assert (first["top"].lower, first["top"].upper) == (1, 1)
    wide = next(i for i in first.values() if i.lower != i.upper)
    with translation.override("en"):
        assert first["top"].text == "rank 1, 90 %"
        assert wide.text == f"rank {wide.lower}\u2013{wide.upper}, 90 %"


def test_bootstrap_of_schulze_uses_borda_and_says_so():
    reviews = random_reviews(9, entries=12, jurors=5)

    report = rankings.compute_ranking(
        reviews, scale=SCALE, method="schulze", bootstrap_resamples=200
    )

    assert "bootstrap_basis_borda" in {n.code for n in report.notes}
    assert all(e.interval is not None for e in report.entries)


def test_inverted_cdf_index_matches_numpy():
    values = np.arange(1000)
    for q in (Decimal("0.05"), Decimal("0.95"), Decimal("0.025"), Decimal("0.975")):
        position = inverted_cdf_index(q, values.size)
        assert values[position] == np.quantile(values, float(q), method="inverted_cdf")


# --- Agreement ----------------------------------------------------------------------------------


def pairwise_alpha(units: dict) -> float:
    """Interval alpha from its definition, with explicit loops over ordered value pairs."""
    pairable = {u: v for u, v in units.items() if len(v) >= 2}
    everything = [x for v in pairable.values() for x in v]
    n = len(everything)
    observed = (
        sum(
            sum((a - b) ** 2 for a, b in itertools.permutations(v, 2)) / (len(v) - 1)
            for v in pairable.values()
        )
        / n
    )
    expected = sum((a - b) ** 2 for a, b in itertools.permutations(everything, 2)) / (n * (n - 1))
    return 1 - observed / expected


def units_of(reviews: list[ReviewScores], criterion=None) -> dict:
    units: dict = {}
    for r in reviews:
        value = r.weighted_total if criterion is None else r.scores.get(criterion)
        if value is not None:
            units.setdefault(r.entry_id, []).append(float(value))
    return units


def test_alpha_matches_the_krippendorff_reference_example():
    nan = None
    data = [
        [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
        [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
        [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
    ]
    reviews = [
        ReviewScores(f"u{u:02d}", coder, Decimal(v), {"c": Decimal(v)})
        for coder, row in enumerate(data)
        for u, v in enumerate(row)
        if v is not None
    ]

    agreement = rankings.krippendorff_agreement(reviews, scale=SCALE)

    assert agreement.overall.alpha == Decimal("0.811")  # krippendorff docs: 0.810845
    assert agreement.overall.code == "good"
    assert agreement.overall.computed_with == "krippendorff"
    assert agreement.per_criterion["c"] == agreement.overall
    assert float(agreement.overall.alpha) == pytest.approx(
        pairwise_alpha(units_of(reviews)), abs=5e-4
    )


def test_alpha_overall_and_per_criterion_match_the_definition_on_random_data(monkeypatch):
    rng = np.random.default_rng(10)
    reviews = []
    for e in range(40):
        quality = rng.uniform(2, 9)
        for j in rng.choice(6, size=int(rng.integers(1, 5)), replace=False):
            scores = {
                "helder": Decimal(int(np.clip(round(quality + rng.normal(0, 1)), 1, 10))),
                "origineel": Decimal(int(rng.integers(1, 11))),
            }
            total = Decimal(str(round(float(sum(scores.values())) / 2, 2)))
            reviews.append(ReviewScores(e, int(j), total, scores))

    agreement = rankings.krippendorff_agreement(reviews, scale=SCALE)
    monkeypatch.setattr(rankings_agreement, "KRIPPENDORFF_CELL_LIMIT", 0)
    closed = rankings.krippendorff_agreement(reviews, scale=SCALE)

    for criterion in (None, "helder", "origineel"):
        expected = pairwise_alpha(units_of(reviews, criterion))
        for result in (agreement, closed):
            got = result.overall if criterion is None else result.per_criterion[criterion]
            assert float(got.alpha) == pytest.approx(expected, abs=5e-4)
    assert closed.overall.computed_with == "closed_form"
    assert agreement.per_criterion["helder"].alpha > agreement.per_criterion["origineel"].alpha


@pytest.mark.parametrize(
    ("alpha", "code"),
    [
        (0.93, "good"),
        (0.8, "good"),
        (0.7996, "good"),  # shown as 0.800
        (0.7994, "moderate"),
        (0.667, "moderate"),
        (0.6664, "low"),
        (-0.2, "low"),
        (None, "unknown"),
        (float("nan"), "unknown"),
    ],
)
def test_alpha_reading_in_plain_dutch(alpha, code):
    assert rankings.alpha_reading(alpha)[0] == code


def test_alpha_is_unknown_without_overlap_or_without_variation():
    alone = [review("a", 1, 8), review("b", 2, 6)]
    same = [review("a", 1, 7), review("a", 2, 7), review("b", 1, 7), review("b", 2, 7)]

    for reviews in (alone, same):
        result = rankings.krippendorff_agreement(reviews, scale=SCALE).overall
        assert (result.alpha, result.code) == (None, "unknown")


# --- Leniency and distributions -----------------------------------------------------------------


def test_leniency_matches_pandas_and_the_model_offsets():
    reviews = random_reviews(11, entries=50, jurors=7)
    df = frame(reviews)

    leniency = rankings.juror_leniency(reviews, scale=SCALE)
    model = rankings.additive_model(reviews, scale=SCALE)

    entry_sum = df.groupby("entry")["total"].transform("sum")
    entry_n = df.groupby("entry")["total"].transform("size")
    df["diff"] = (df["total"] - (entry_sum - df["total"]) / (entry_n - 1)).where(entry_n > 1)
    by_juror = df.groupby("juror")
    assert [j.juror_id for j in leniency.jurors] == sorted(df["juror"].unique())
    assert abs(float(leniency.panel_mean) - df["total"].mean()) <= 0.005 + 1e-9
    for row in leniency.jurors:
        own = by_juror.get_group(row.juror_id)
        assert row.reviews == len(own)
        assert abs(float(row.mean) - own["total"].mean()) <= 0.005 + 1e-9
        assert abs(float(row.sd) - own["total"].std()) <= 0.005 + 1e-9
        assert abs(float(row.mean_difference) - own["diff"].mean()) <= 0.005 + 1e-9
        ratio = own["total"].std() / df["total"].std()
        assert abs(float(row.spread_ratio) - ratio) <= 0.005 + 1e-9
        assert abs(float(row.offset) - model.offsets[row.juror_id]) <= 0.005 + 1e-9


def test_score_distribution_counts_every_scale_value():
    reviews = random_reviews(12, entries=30, criteria=2)
    reviews.append(
        ReviewScores("extra", 99, Decimal("5"), {"c0": Decimal("7.0"), "c9": Decimal("2.5")})
    )

    distribution = rankings.score_distribution(
        reviews, scale=SCALE, criterion_scales={"c9": (0, 3)}
    )

    counts = Counter(float(r.scores["c0"]) for r in reviews)
    assert [v for v, _ in distribution["c0"]] == [Decimal(v) for v in range(1, 11)]
    assert {float(v): c for v, c in distribution["c0"] if c} == dict(counts)
    assert distribution["c9"] == (
        (Decimal(0), 0),
        (Decimal(1), 0),
        (Decimal(2), 0),
        (Decimal("2.5"), 1),
        (Decimal(3), 0),
    )


# --- Official order, ties, moves ----------------------------------------------------------------


def tie_case() -> list[ReviewScores]:
    return [
        # a and b both average 5; two of three jurors who saw both put a first.
        review("a", 1, 6),
        review("b", 1, 5),
        review("a", 2, 6),
        review("b", 2, 5),
        review("a", 3, 3),
        review("b", 3, 5),
        # c and d both 4 and never compared: nothing can separate them.
        review("c", 4, 4),
        review("d", 5, 4),
        review("top", 6, 9),
    ]


def test_ties_are_broken_by_schulze_then_left_to_the_organiser():
    official = rankings.official_ranking(tie_case(), scale=SCALE)

    assert [(r.rank, r.entry_id, r.score) for r in official.rows] == [
        (1, "top", Decimal("9.00")),
        (2, "a", Decimal("5.00")),
        (3, "b", Decimal("5.00")),
        (4, "c", Decimal("4.00")),
        (4, "d", Decimal("4.00")),
    ]
    assert [(r.decided_by, r.needs_decision) for r in official.rows] == [
        (None, False),
        ("schulze", False),
        ("schulze", False),
        ("organiser", True),
        ("organiser", True),
    ]
    first, second = official.ties
    assert (first.entries, first.order, first.broken_by) == (
        ("a", "b"),
        (("a",), ("b",)),
        ("schulze",),
    )
    assert not first.needs_decision and "Schulze" in first.text
    assert (second.order, second.needs_decision) == ((("c", "d"),), True)
    with translation.override("en"):
        assert "organisers decide" in second.text
    assert [r.score_rank for r in official.rows] == [1, 2, 2, 4, 4]


def test_tie_rule_can_chain_methods_before_the_organiser():
    reviews = tie_case()

    official = rankings.official_ranking(
        reviews, scale=SCALE, tie_break=("borda", "schulze", "organiser")
    )

    # Borda: a beats b for jurors 1 and 2 (1.0 each), loses for juror 3 -> 2/3 against 1/3.
    assert [r.entry_id for r in official.rows[:3]] == ["top", "a", "b"]
    assert official.rows[1].decided_by == "borda"


def test_tie_precision_compares_the_scores_as_shown():
    reviews = [review("a", 1, "7.333"), review("b", 2, "7.334"), review("c", 3, 2)]

    exact = rankings.official_ranking(reviews, scale=SCALE, tie_break=("organiser",))
    shown = rankings.official_ranking(
        reviews, scale=SCALE, tie_break=("organiser",), tie_precision=Decimal("0.01")
    )

    assert [(r.rank, r.entry_id) for r in exact.rows] == [(1, "b"), (2, "a"), (3, "c")]
    assert exact.ties == () and exact.close_calls == (("b", "a"),)
    assert "close_call" in {n.code for n in exact.notes}
    assert [(r.rank, r.entry_id) for r in shown.rows] == [(1, "a"), (1, "b"), (3, "c")]
    assert shown.ties[0].needs_decision


def test_rank_moves_are_flagged_above_the_threshold():
    reviews = [review("X", "A", 8), review("Y", "A", 7), review("Y", "B", 5), review("Z", "B", 6)]

    strict = rankings.compute_ranking(
        reviews,
        scale=SCALE,
        methods=("mean", "additive"),
        move_threshold=0,
        bootstrap_resamples=0,
    )
    loose = rankings.compute_ranking(
        reviews,
        scale=SCALE,
        methods=("mean", "additive"),
        move_threshold=1,
        bootstrap_resamples=0,
    )

    by_entry = {e.entry_id: e for e in strict.entries}
    assert by_entry["Y"].ranks == {"mean": 2, "additive": 3}
    assert by_entry["Z"].ranks == {"mean": 2, "additive": 1}
    assert strict.moved == ("Z", "Y") and by_entry["X"].rank_spread == 0
    assert loose.moved == ()
    assert "rank_moves" in {n.code for n in strict.notes}


def test_compute_ranking_puts_everything_side_by_side():
    reviews = random_reviews(13, entries=25, jurors=6, per_entry=(2, 6))

    report = rankings.compute_ranking(reviews, scale=SCALE, method="additive", seed=7)
    again = rankings.compute_ranking(
        list(reversed(reviews)), scale=SCALE, method="additive", seed=7
    )

    assert report == again  # deterministic, whatever the input order
    assert set(report.methods) == set(rankings.METHODS)
    assert [e.entry_id for e in report.entries] == [r.entry_id for r in report.official.rows]
    assert [e.rank for e in report.entries] == sorted(e.rank for e in report.entries)
    for entry in report.entries:
        assert entry.scores["additive"] == report.methods["additive"].scores[entry.entry_id]
        assert entry.ranks == {m: report.methods[m].ranks[entry.entry_id] for m in rankings.METHODS}
        assert entry.interval is not None and entry.interval.lower <= entry.interval.upper
        assert entry.moved == (entry.rank_spread > 3)
    assert report.agreement is not None and set(report.agreement.per_criterion) == {
        "c0",
        "c1",
        "c2",
    }
    assert len(report.leniency.jurors) == 6
    assert set(report.distributions) == {"c0", "c1", "c2"}
    assert report.parameters["seed"] == 7 and report.parameters["bootstrap_resamples"] == 1000


def test_nothing_to_rank_gives_empty_results():
    report = rankings.compute_ranking([], scale=SCALE)

    assert (report.entries, report.official.rows, report.moved) == ((), (), ())
    for method in rankings.METHODS:
        assert rankings.rank_by([], scale=SCALE, method=method).ranks == {}
    assert rankings.additive_model([], scale=SCALE).qualities == {}
    assert rankings.juror_leniency([], scale=SCALE).jurors == ()
    assert rankings.krippendorff_agreement([], scale=SCALE).overall.code == "unknown"
    assert rankings.bootstrap_rank_intervals([], scale=SCALE) == {}


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reviews", "message"),
    [
        ([review("a", 1, 11)], "outside the scale"),
        ([review("a", 1, 5), review("a", 1, 6)], "twice"),
        (
            [ReviewScores("a", 1, Decimal(5), {"c": Decimal(0)})],
            "criterion .c.: score 0 is outside",
        ),
        ([ReviewScores("a", 1, Decimal("NaN"))], "not a"),
        ([("a", 1, "vijf")], "not a number"),
        ([("a", 1, True)], "not a number"),
    ],
)
def test_bad_reviews_are_refused_with_a_clear_message(reviews, message):
    with pytest.raises(rankings.RankingInputError, match=message):
        rankings.compute_ranking(reviews, scale=SCALE)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "majority"}, "unknown method"),
        ({"methods": ("mean", "vote")}, "unknown method"),
        ({"tie_break": ("organiser", "schulze")}, "last"),
        ({"tie_break": ("coin",)}, "unknown tie-break"),
        ({"coverage": Decimal("1.5")}, "coverage"),
        ({"scale": (10, 1)}, "below"),
    ],
)
def test_bad_options_are_refused(options, message):
    options = {"scale": SCALE, **options}
    with pytest.raises(rankings.RankingInputError, match=message):
        rankings.compute_ranking([review("a", 1, 5)], **options)


def test_tuples_and_mappings_are_read_like_reviews():
    as_reviews = [ReviewScores("a", 1, Decimal("7.5"), {"c": Decimal(7)}), review("b", 1, 6)]
    as_plain = [
        ("a", 1, "7.5", {"c": 7}),
        {"entry_id": "b", "juror_id": 1, "weighted_total": 6},
    ]

    first = rankings.compute_ranking(as_reviews, scale=SCALE, bootstrap_resamples=0)
    second = rankings.compute_ranking(as_plain, scale=SCALE, bootstrap_resamples=0)

    assert first == second


# --- Properties ---------------------------------------------------------------------------------


@st.composite
def designs(draw, *, connected: bool = False, low: int = 1, high: int = 10):
    """(entries, jurors, {(entry, juror): score}) with every entry reviewed at least once."""
    n_entries = draw(st.integers(2, 7))
    n_jurors = draw(st.integers(2, 5))
    cells = {}
    for e in range(n_entries):
        seen = draw(st.sets(st.integers(0, n_jurors - 1), min_size=1, max_size=n_jurors))
        if connected:  # a chain through every juror keeps the assignment connected
            seen |= {e % n_jurors, (e + 1) % n_jurors}
        for j in seen:
            cells[(e, j)] = draw(st.integers(low, high))
    if connected:
        for j in range(n_jurors):
            cells.setdefault((j % n_entries, j), draw(st.integers(low, high)))
    return n_entries, n_jurors, cells


def as_reviews(cells: dict, entry_name=str, juror_name=int, shift: dict | None = None) -> list:
    shift = shift or {}
    return [
        ReviewScores(entry_name(e), juror_name(j), Decimal(score + shift.get(j, 0)))
        for (e, j), score in cells.items()
    ]


def quick_report(reviews, scale=SCALE, **options):
    return rankings.compute_ranking(
        reviews, scale=scale, bootstrap_resamples=0, include_agreement=False, **options
    )


@settings(max_examples=50, deadline=None)
@given(design=designs(), data=st.data())
def test_relabelling_entries_and_jurors_changes_no_ranking(design, data):
    n_entries, n_jurors, cells = design
    entry_perm = data.draw(st.permutations(range(n_entries)))
    juror_perm = data.draw(st.permutations(range(n_jurors)))
    original = as_reviews(cells, entry_name=lambda e: f"e{e}")
    relabelled = as_reviews(
        cells,
        entry_name=lambda e: f"x{entry_perm[e]}",
        juror_name=lambda j: 100 - juror_perm[j],
    )
    relabelled = data.draw(st.permutations(relabelled))

    before, after = quick_report(original), quick_report(relabelled)

    back = {f"x{entry_perm[e]}": f"e{e}" for e in range(n_entries)}
    for method in rankings.METHODS:
        moved = {back[e]: r for e, r in after.methods[method].ranks.items()}
        assert moved == before.methods[method].ranks, method
    assert {back[r.entry_id]: (r.rank, r.decided_by) for r in after.official.rows} == {
        r.entry_id: (r.rank, r.decided_by) for r in before.official.rows
    }


@settings(max_examples=50, deadline=None)
@given(
    design=designs(connected=True, low=30, high=60),
    constant=st.integers(-25, 25).filter(bool),
    data=st.data(),
)
def test_a_constant_on_one_juror_changes_neither_zscores_nor_the_additive_ranking(
    design, constant, data
):
    _, n_jurors, cells = design
    juror = data.draw(st.integers(0, n_jurors - 1))
    plain = as_reviews(cells)
    shifted = as_reviews(cells, shift={juror: constant})

    assert rankings.additive_model(plain, scale=WIDE).connected
    z_plain = rankings.review_zscores(plain, scale=WIDE)
    z_shifted = rankings.review_zscores(shifted, scale=WIDE)
    assert z_shifted == pytest.approx(z_plain, abs=1e-9)
    for method in ("zscore", "additive"):
        assert (
            rankings.rank_by(shifted, scale=WIDE, method=method).ranks
            == rankings.rank_by(plain, scale=WIDE, method=method).ranks
        ), method


@settings(max_examples=50, deadline=None)
@given(
    n_entries=st.integers(2, 6),
    n_jurors=st.integers(2, 6),
    data=st.data(),
)
def test_a_strictly_dominating_entry_ranks_first_under_every_method(n_entries, n_jurors, data):
    # Every juror scores every entry and gives the dominating one more than any other entry.
    cells = {
        (e, j): data.draw(st.integers(1, 8)) for e in range(1, n_entries) for j in range(n_jurors)
    }
    for j in range(n_jurors):
        best_other = max(cells[(e, j)] for e in range(1, n_entries))
        cells[(0, j)] = data.draw(st.integers(best_other + 1, 10))
    reviews = as_reviews(cells)

    report = quick_report(reviews)

    for method in rankings.METHODS:
        ranks = report.methods[method].ranks
        assert ranks["0"] == 1, method
        assert sorted(ranks.values()).count(1) == 1, method
    assert report.official.rows[0].entry_id == "0" and report.official.rows[0].rank == 1
