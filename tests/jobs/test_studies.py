"""Study jobs: every event carries the current trial's place and the best value so far."""

from emnist_core.jobs.studies import with_trial_context


def test_trial_context_is_added_to_every_later_event():
    sent = []
    on_event = with_trial_context(sent.append)
    on_event({"kind": "trial", "phase": "start", "trial": 3, "position": 2, "of": 5})
    on_event({"event": "batch", "epoch": 1, "step": 4})
    on_event({"kind": "trial", "phase": "end", "trial": 3, "best_value": 0.81})
    on_event({"event": "epoch", "epoch": 1})
    assert sent[1] == {"trial": 3, "position": 2, "of": 5, "event": "batch", "epoch": 1, "step": 4}
    assert sent[3]["best_value"] == 0.81 and sent[3]["position"] == 2
    assert sent[0]["phase"] == "start" and "best_value" not in sent[1]


def test_a_relative_journal_url_is_made_absolute_for_a_worker_elsewhere(tmp_path, monkeypatch):
    from emnist_core.tuning.storage import absolute_url

    monkeypatch.chdir(tmp_path)
    assert (
        absolute_url("journal:///./studies/a.journal") == f"journal:///{tmp_path}/studies/a.journal"
    )
    assert absolute_url("sqlite:///x.db") == f"sqlite:///{tmp_path}/x.db"
    assert absolute_url("postgresql://u@h/db") == "postgresql://u@h/db"
