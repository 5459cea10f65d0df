"""`jobs` CLI on the private cluster: submit waits and lands the run; list, watch and stop after."""

import json

from emnist_core.cli import main
from emnist_core.training.runs import RunRegistry

TINY = ["--epochs", "1", "--set", "hidden_units=16", "--set", "batch_size=64"]


def test_submit_without_a_scheduler_waits_and_the_run_lands(
    synthetic_dir, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("EMNIST_SCHEDULER", raising=False)
    runs = ["--runs-dir", str(tmp_path / "runs")]
    submit = ["jobs", "submit", "--model", "mlp", "--preset", "quick", *TINY]
    assert main([*submit, "--data-dir", str(synthetic_dir), "--owner", "ada", *runs]) == 0
    out = capsys.readouterr()
    job_id = out.out.splitlines()[0]
    assert "private cluster ends with this command" in out.err
    landed = RunRegistry(tmp_path / "runs").list()
    assert len(landed) == 1 and landed[0].config.hidden_units == (16,)
    assert "jobs submit" not in landed[0].info["command"]  # the equivalent `train` command
    assert landed[0].info["command"].startswith("python -m emnist_core train --model mlp")

    assert main(["jobs", "list", "--json", *runs]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["job_id"] == job_id and row["owner"] == "ada" and row["status"] == "finished"
    assert row["run_ids"] == [landed[0].run_id] and row["host"]

    assert main(["jobs", "watch", job_id, *runs]) == 0
    assert f"job {job_id} finished" in capsys.readouterr().out
    assert main(["jobs", "stop", job_id, *runs]) == 2
    assert "no scheduler set" in capsys.readouterr().err
    assert main(["jobs", "watch", "nope", *runs]) == 2
