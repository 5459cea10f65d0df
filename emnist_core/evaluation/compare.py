"""Side-by-side comparison of two or more models, and whether one's lead is real.

Two models scored on the same test images are paired observations, so the right test
is McNemar's: it looks only at the images where exactly one model is right. The first
contender is the reference every other one is compared against (e.g. MLP, then CNN).
"""

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from emnist_core.errors import DataError
from emnist_core.evaluation.metrics import Evaluation, evaluate, evaluate_run

# Below this many discordant images the chi-square approximation is poor; use the exact test.
EXACT_BELOW = 25
SIGNIFICANCE = 0.05
TABLE_COLUMNS = (
    "accuracy",
    "loss",
    "ece",
    "macro_f1",
    "top3_accuracy",
    "params",
    "train_seconds",
    "seconds_per_epoch",
    "latency_ms",
)


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's test on two models' right/wrong answers for the same images.

    table : 2x2 counts [[both right, only A right], [only B right, both wrong]].
    only_a, only_b : the discordant counts that decide the test.
    method : "exact" (binomial) or "chi-square" (with continuity correction).
    statistic : the chi-square value, or only_a for the exact test.
    """

    table: np.ndarray
    only_a: int
    only_b: int
    statistic: float
    p_value: float
    method: str

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE


def mcnemar_table(correct_a: np.ndarray, correct_b: np.ndarray) -> np.ndarray:
    """The 2x2 table of paired correctness; rows A right/wrong, columns B right/wrong."""
    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape:
        raise DataError(
            f"McNemar needs both models scored on the same images; got {a.shape} and {b.shape}"
        )
    return np.array([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]])


def _two_sided_binomial_half(successes: int, trials: int) -> float:
    """Two-sided exact binomial p-value at p = 1/2, in exact integers.

    The same value as scipy.stats.binomtest(successes, trials, 0.5).pvalue (the
    distribution is symmetric, so it is twice the smaller tail, at most 1), without
    importing scipy.stats, which costs about 0.6 s on the Compare page's first visit.
    """
    tail = sum(math.comb(trials, k) for k in range(min(successes, trials - successes) + 1))
    return min(1.0, 2 * tail / 2**trials)


def mcnemar_from_table(table: np.ndarray, method: str = "auto") -> McNemarResult:
    """McNemar's test on a 2x2 table; method "auto" picks exact for few discordant pairs."""
    table = np.asarray(table, dtype=np.int64)
    if table.shape != (2, 2) or table.min() < 0:
        raise DataError(f"a McNemar table is 2x2 non-negative counts; got {table.tolist()}")
    if method not in ("auto", "exact", "chi-square"):
        raise DataError(f"method must be auto, exact or chi-square; got {method!r}")
    only_a, only_b = int(table[0, 1]), int(table[1, 0])
    discordant = only_a + only_b
    if method == "auto":
        method = "exact" if discordant < EXACT_BELOW else "chi-square"
    if discordant == 0:
        return McNemarResult(table, 0, 0, 0.0, 1.0, method)
    if method == "exact":
        p_value = _two_sided_binomial_half(only_a, discordant)
        return McNemarResult(table, only_a, only_b, float(only_a), float(p_value), method)
    statistic = (abs(only_a - only_b) - 1) ** 2 / discordant
    p_value = math.erfc(math.sqrt(statistic / 2))  # chi-square survival, 1 degree of freedom
    return McNemarResult(table, only_a, only_b, float(statistic), float(p_value), method)


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray, method: str = "auto") -> McNemarResult:
    """McNemar's test from two boolean arrays of per-image correctness."""
    return mcnemar_from_table(mcnemar_table(correct_a, correct_b), method)


def format_p(p_value: float) -> str:
    """'p < 0.001' or 'p = 0.012': precise enough to read aloud, not falsely exact."""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def mcnemar_sentence(result: McNemarResult, name_a: str, name_b: str) -> str:
    """The test's verdict in plain words, for an instructor to read out."""
    if result.only_a == result.only_b:
        return (
            f"The {name_a} and the {name_b} each get {result.only_a} images right that the other "
            "gets wrong, so neither is better on these test images."
        )
    lead, trail = (name_b, name_a) if result.only_b > result.only_a else (name_a, name_b)
    wins, losses = max(result.only_a, result.only_b), min(result.only_a, result.only_b)
    head = (
        f"The {lead} is right on {wins} images the {trail} gets wrong, and wrong on "
        f"{losses} it gets right; a difference this large would happen by chance with "
        f"probability {format_p(result.p_value)}, "
    )
    if result.significant:
        return head + f"so the {lead}'s lead is significant."
    return head + (
        f"so the {lead}'s lead is not significant at the 5% level: "
        "it could be luck of the test images."
    )


@dataclass(frozen=True)
class Contender:
    """One model in a comparison: its test evaluation plus what it cost.

    Costs are None where unknown (a model built in a notebook has no training time).
    """

    name: str
    evaluation: Evaluation
    params: int | None = None
    train_seconds: float | None = None
    seconds_per_epoch: float | None = None
    latency_ms: float | None = None
    spoken_name: str | None = None  # what the verdict sentence calls it, e.g. "CNN"

    @property
    def speech(self) -> str:
        return self.spoken_name or self.name


@dataclass(frozen=True)
class PairComparison:
    """A contender against the reference: McNemar, disagreements and F1 differences."""

    name_a: str
    name_b: str
    mcnemar: McNemarResult
    sentence: str
    only_a_right: np.ndarray  # test indices A gets right and B gets wrong
    only_b_right: np.ndarray
    f1_differences: pd.DataFrame


@dataclass(frozen=True)
class Comparison:
    """The result of `compare`: the side-by-side table and one pair per non-reference model."""

    table: pd.DataFrame
    pairs: list[PairComparison]
    per_class_f1: pd.DataFrame  # one row per class, one column per contender


def disagreements(a: Evaluation, b: Evaluation) -> tuple[np.ndarray, np.ndarray]:
    """Test indices only A gets right, and only B gets right."""
    _check_same_test(a, b)
    return np.flatnonzero(a.correct & ~b.correct), np.flatnonzero(~a.correct & b.correct)


def f1_differences(a: Evaluation, b: Evaluation, name_a: str = "a", name_b: str = "b"):
    """Per-class F1 of both and B minus A, largest gain for B first."""
    _check_same_test(a, b)
    frame = pd.DataFrame(
        {"class": a.classes, f"f1_{name_a}": a.f1, f"f1_{name_b}": b.f1, "difference": b.f1 - a.f1}
    )
    return frame.sort_values("difference", ascending=False, kind="stable").reset_index(drop=True)


def _check_same_test(a: Evaluation, b: Evaluation) -> None:
    if a.classes != b.classes or not np.array_equal(a.y_true, b.y_true):
        raise DataError(
            "the two evaluations are on different test images or classes; "
            "evaluate both runs on the same data source"
        )


def compare_pair(a: Contender, b: Contender, method: str = "auto") -> PairComparison:
    """Everything the Compare page says about B against A."""
    _check_same_test(a.evaluation, b.evaluation)
    result = mcnemar(a.evaluation.correct, b.evaluation.correct, method)
    only_a, only_b = disagreements(a.evaluation, b.evaluation)
    return PairComparison(
        name_a=a.name,
        name_b=b.name,
        mcnemar=result,
        sentence=mcnemar_sentence(result, a.speech, b.speech),
        only_a_right=only_a,
        only_b_right=only_b,
        f1_differences=f1_differences(a.evaluation, b.evaluation, a.name, b.name),
    )


def comparison_table(contenders: list[Contender]) -> pd.DataFrame:
    """One row per contender with the metrics and costs in TABLE_COLUMNS."""
    rows = []
    for item in contenders:
        row = {"name": item.name, **item.evaluation.summary()}
        row.update(
            params=item.params,
            train_seconds=item.train_seconds,
            seconds_per_epoch=item.seconds_per_epoch,
            latency_ms=item.latency_ms,
        )
        rows.append({key: row[key] for key in ("name",) + TABLE_COLUMNS})
    return pd.DataFrame(rows).set_index("name")


def compare(contenders: list[Contender], method: str = "auto") -> Comparison:
    """Compare two or more contenders; the first is the reference for every pair."""
    if len(contenders) < 2:
        raise DataError("a comparison needs at least two models or runs")
    names = [c.name for c in contenders]
    if len(set(names)) != len(names):
        raise DataError(f"contender names must be distinct to label the table; got {names}")
    reference = contenders[0]
    per_class = pd.DataFrame({"class": reference.evaluation.classes})
    for item in contenders:
        per_class[item.name] = item.evaluation.f1
    return Comparison(
        table=comparison_table(contenders),
        pairs=[compare_pair(reference, other, method) for other in contenders[1:]],
        per_class_f1=per_class,
    )


def measure_latency_ms(model: Any, repeats: int = 100, warmup: int = 10) -> float:
    """Median milliseconds for one image (batch of 1), after warm-up, as the Draw page calls it."""
    from emnist_core.inference.predictor import Predictor

    predictor = Predictor(model, [str(i) for i in range(int(model.output_shape[-1]))])
    image = np.zeros((28, 28), dtype=np.uint8)
    image[6:22, 12:16] = 255
    for _ in range(warmup):
        predictor.probabilities(image)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        predictor.probabilities(image)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000.0)


def contender_from_model(name: str, model: Any, test, classes: list[str], latency: bool = True):
    """Evaluate an in-memory Keras model into a Contender (costs other than latency unknown)."""
    return Contender(
        name=name,
        evaluation=evaluate(model, test, classes),
        params=int(model.count_params()),
        latency_ms=measure_latency_ms(model) if latency else None,
    )


def contender_from_run(run: Any, dataset: Any, latency: bool = True) -> Contender:
    """Evaluate a saved run on the dataset's test split and collect its recorded costs."""
    model = run.load_model()
    return Contender(
        name=run.name,
        evaluation=evaluate_run(run, dataset, model=model),
        params=run.params if run.params is not None else int(model.count_params()),
        train_seconds=run.train_seconds,
        seconds_per_epoch=run.seconds_per_epoch,
        latency_ms=measure_latency_ms(model) if latency else None,
    )


def spoken_names(runs: list[Any]) -> list[str]:
    """Names to read out: "MLP" and "CNN" when each family appears once, else run names.

    An unnamed run's name is its id, which nobody can say aloud; "CNN run <id>" at least
    tells the class what kind of model it is.
    """
    families = [run.config.family.upper() for run in runs]
    if len(set(families)) == len(families):
        return families
    return [
        f"{family} run {run.run_id}" if run.name == run.run_id else run.name
        for family, run in zip(families, runs, strict=True)
    ]


def compare_runs(runs: list[Any], dataset: Any, latency: bool = True) -> Comparison:
    """Compare saved runs on one dataset's test split (first run is the reference)."""
    contenders = [contender_from_run(run, dataset, latency) for run in runs]
    names = [c.name for c in contenders]
    unique = len(set(names)) == len(names)  # two runs may share a display name; ids never do
    contenders = [
        replace(c, name=c.name if unique else f"{c.name} ({run.run_id})", spoken_name=spoken)
        for c, run, spoken in zip(contenders, runs, spoken_names(runs), strict=True)
    ]
    return compare(contenders)
