"""Comparison: McNemar on textbook tables, the plain-words verdict, the side-by-side table."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from emnist_core.errors import DataError
from emnist_core.evaluation.compare import (
    Contender,
    compare,
    contender_from_model,
    format_p,
    mcnemar,
    mcnemar_from_table,
    mcnemar_sentence,
    mcnemar_table,
    spoken_names,
)
from emnist_core.evaluation.metrics import evaluate_predictions
from tests.fixtures import TINY_CLASSES, build_tiny_model, make_tiny_split

# Wikipedia's McNemar example: 59 both positive, 6 / 16 discordant, 80 both negative.
WIKI = np.array([[59, 6], [16, 80]])
# Agresti, Categorical Data Analysis: approval of the prime minister in two surveys.
AGRESTI = np.array([[794, 150], [86, 570]])


def chi2_sf_df1(x: float) -> float:
    return math.erfc(math.sqrt(x / 2))  # survival function of chi-square with 1 d.o.f.


def test_exact_mcnemar_is_a_two_sided_binomial_test():
    result = mcnemar_from_table(WIKI)
    assert result.method == "exact"  # 22 discordant pairs: too few for chi-square
    expected = 2 * sum(math.comb(22, k) for k in range(7)) / 2**22
    assert result.p_value == pytest.approx(expected)
    assert (result.only_a, result.only_b) == (6, 16)
    assert not result.significant  # p ~ 0.052


@pytest.mark.parametrize("only_a, only_b", [(0, 1), (3, 3), (6, 16), (20, 4), (400, 350)])
def test_p_values_match_scipy(only_a, only_b):
    from scipy import stats

    table = np.array([[50, only_a], [only_b, 30]])
    exact = mcnemar_from_table(table, method="exact")
    assert exact.p_value == pytest.approx(stats.binomtest(only_a, only_a + only_b).pvalue)
    chi = mcnemar_from_table(table, method="chi-square")
    assert chi.p_value == pytest.approx(stats.chi2.sf(chi.statistic, df=1))


def test_chi_square_mcnemar_with_continuity_correction():
    wiki = mcnemar_from_table(WIKI, method="chi-square")
    assert wiki.statistic == pytest.approx((abs(6 - 16) - 1) ** 2 / 22)
    assert wiki.p_value == pytest.approx(chi2_sf_df1(81 / 22))
    agresti = mcnemar_from_table(AGRESTI)
    assert agresti.method == "chi-square"
    assert agresti.statistic == pytest.approx(63**2 / 236)  # 16.82 in the book
    assert agresti.p_value == pytest.approx(chi2_sf_df1(63**2 / 236))
    assert agresti.significant


def test_table_from_correctness_arrays():
    a = np.array([1, 1, 1, 0, 0, 1], dtype=bool)
    b = np.array([1, 0, 0, 1, 0, 1], dtype=bool)
    np.testing.assert_array_equal(mcnemar_table(a, b), [[2, 2], [1, 1]])
    assert mcnemar(a, a).p_value == 1.0
    with pytest.raises(DataError, match="same images"):
        mcnemar_table(a, b[:3])
    with pytest.raises(DataError, match="method"):
        mcnemar_from_table(WIKI, method="fisher")


def test_sentences_say_who_leads_and_whether_it_matters():
    strong = mcnemar_from_table(np.array([[4000, 98], [312, 290]]))
    text = mcnemar_sentence(strong, "MLP", "CNN")
    assert text.startswith("The CNN is right on 312 images the MLP gets wrong, and wrong on 98")
    assert "p < 0.001" in text and text.endswith("so the CNN's lead is significant.")
    weak = mcnemar_sentence(mcnemar_from_table(WIKI), "MLP", "CNN")
    assert "p = 0.052" in weak and "not significant" in weak
    tie = mcnemar_sentence(mcnemar_from_table(np.array([[10, 3], [3, 1]])), "MLP", "CNN")
    assert "neither is better" in tie
    assert format_p(0.0004) == "p < 0.001" and format_p(0.01234) == "p = 0.012"


def _evaluation(predicted_labels):
    y_true = np.array([0, 0, 1, 1, 2, 2])
    probs = np.full((6, 3), 0.1)
    probs[np.arange(6), predicted_labels] = 0.8
    return evaluate_predictions(y_true, probs, ["a", "b", "c"])


def test_compare_builds_table_pairs_and_f1():
    mlp = Contender("MLP", _evaluation([0, 1, 1, 1, 0, 2]), params=100, train_seconds=5.0)
    cnn = Contender("CNN", _evaluation([0, 0, 1, 0, 2, 2]), params=300, latency_ms=2.5)
    result = compare([mlp, cnn])
    assert list(result.table.index) == ["MLP", "CNN"]
    assert result.table.loc["CNN", "accuracy"] == pytest.approx(5 / 6)
    assert result.table.loc["MLP", "params"] == 100
    assert result.table.loc["CNN", "latency_ms"] == 2.5
    pair = result.pairs[0]
    np.testing.assert_array_equal(pair.only_a_right, [3])
    np.testing.assert_array_equal(pair.only_b_right, [1, 4])
    assert (pair.mcnemar.only_a, pair.mcnemar.only_b) == (1, 2)
    diffs = pair.f1_differences
    assert list(diffs.columns) == ["class", "f1_MLP", "f1_CNN", "difference"]
    np.testing.assert_allclose(diffs["difference"], diffs["f1_CNN"] - diffs["f1_MLP"])
    assert diffs["difference"].is_monotonic_decreasing
    assert list(result.per_class_f1.columns) == ["class", "MLP", "CNN"]


def test_compare_refuses_bad_inputs():
    one = Contender("A", _evaluation([0, 0, 1, 1, 2, 2]))
    with pytest.raises(DataError, match="at least two"):
        compare([one])
    with pytest.raises(DataError, match="distinct"):
        compare([one, one])
    other = evaluate_predictions(np.array([0, 1]), np.eye(3)[:2], ["a", "b", "c"])
    with pytest.raises(DataError, match="different test images"):
        compare([one, Contender("B", other)])


def test_contender_from_model_measures_latency():
    model = build_tiny_model()
    item = contender_from_model("tiny", model, make_tiny_split(), TINY_CLASSES)
    assert item.params == model.count_params()
    assert 0 < item.latency_ms < 1000
    assert item.evaluation.y_true.shape == (30,)


def _run(run_id, family, name=None):
    return SimpleNamespace(
        run_id=run_id, name=name or run_id, config=SimpleNamespace(family=family)
    )


def test_spoken_names_prefer_the_family():
    assert spoken_names([_run("r1", "mlp"), _run("r2", "cnn")]) == ["MLP", "CNN"]
    two_cnns = spoken_names([_run("r1", "cnn"), _run("r2", "cnn", name="wide CNN")])
    assert two_cnns == ["CNN run r1", "wide CNN"]


def test_sentence_uses_spoken_names():
    a = Contender("20261124-mlp-1", _evaluation([0, 1, 1, 1, 0, 2]), spoken_name="MLP")
    b = Contender("20261124-cnn-2", _evaluation([0, 0, 1, 0, 2, 2]), spoken_name="CNN")
    pair = compare([a, b]).pairs[0]
    assert pair.sentence.startswith("The CNN is right on 2 images the MLP gets wrong")
    assert (pair.name_a, pair.name_b) == ("20261124-mlp-1", "20261124-cnn-2")
