"""`robustness` sub-command on tiny saved runs: JSON rows, the text table, and clear errors."""

import json

import pytest

from emnist_core.cli import main
from emnist_core.evaluation.metrics import evaluate_run
from tests.fixtures import train_tiny_pair


@pytest.fixture(scope="module")
def runs(synthetic_dataset, tmp_path_factory):
    runs_dir = tmp_path_factory.mktemp("runs")
    return (runs_dir, *train_tiny_pair(synthetic_dataset, runs_dir))


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_robustness_json_has_a_row_per_run_and_level(runs, synthetic_dataset, capsys):
    runs_dir, mlp, cnn = runs
    code, out, _ = run_cli(
        capsys,
        "robustness",
        mlp.run_id,
        cnn.run_id,
        "--runs-dir",
        runs_dir,
        "--json",
        "--shifts",
        "0,2",
        "--rotations",
        "0,10",
        "--scales",
        "",
        "--strokes",
        "1",
        "--noise",
        "",
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["synthetic"] is True and payload["runs"] == {
        "tiny MLP": mlp.run_id,
        "tiny CNN": cnn.run_id,
    }
    rows = payload["rows"]
    assert len(rows) == 2 * 5  # (2 shifts + 2 rotations + 1 stroke) x 2 runs
    assert {(r["perturbation"], r["level"]) for r in rows} == {
        ("shift", 0.0),
        ("shift", 2.0),
        ("rotation", 0.0),
        ("rotation", 10.0),
        ("stroke", 1.0),
    }
    plain = evaluate_run(cnn, synthetic_dataset).accuracy
    shift0 = next(
        r
        for r in rows
        if r["run"] == "tiny CNN" and r["perturbation"] == "shift" and r["level"] == 0
    )
    assert shift0["accuracy"] == pytest.approx(plain)


def test_robustness_text_table(runs, capsys):
    runs_dir, mlp, cnn = runs
    code, out, _ = run_cli(
        capsys,
        "robustness",
        mlp.run_dir,
        cnn.run_id,
        "--runs-dir",
        runs_dir,
        "--limit",
        "47",
        "--shifts",
        "0,4",
        "--rotations",
        "",
        "--scales",
        "",
        "--strokes",
        "",
        "--noise",
        "",
    )
    assert code == 0
    assert "SYNTHETIC" in out and "2 levels x 2 runs" in out
    assert "tiny MLP" in out and "tiny CNN" in out and "shift" in out


def test_robustness_errors_are_one_clear_line(runs, capsys):
    runs_dir, mlp, _ = runs
    code, _, err = run_cli(capsys, "robustness", "no-such-run", "--runs-dir", runs_dir)
    assert code == 2 and err.startswith("error:") and "runs list" in err
    code, _, err = run_cli(
        capsys, "robustness", mlp.run_id, "--runs-dir", runs_dir, "--shifts", "-3"
    )
    assert code == 2 and "shifts" in err and "[0, 27]" in err
    with pytest.raises(SystemExit):
        main(["robustness", mlp.run_id, "--shifts", "a,b"])
