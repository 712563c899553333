"""The transition table and the fold, without a database."""

from datetime import UTC, datetime

import pytest

from waste_tracker.errors import Conflict
from waste_tracker.manifest.lifecycle import TRANSITIONS, Action, ManifestState, Status, allowed, decide, replay

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def ev(seq: int, type_: str, **payload: object) -> dict:
    return {"seq": seq, "type": type_, "server_time": NOW, "payload": payload, "vehicle_plate": "浙F12345"}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_every_pair_outside_the_table_is_invalid_transition(status: Status, action: Action) -> None:
    state = ManifestState(status=status)
    if (status, action) in TRANSITIONS and not (
        status in (Status.RECEIVED, Status.COMPLETED) and action in (Action.RETURN, Action.REDIRECT)
    ):
        assert decide(state, action) == TRANSITIONS[(status, action)]
    else:
        with pytest.raises(Conflict) as e:
            decide(state, action)
        assert e.value.code == "invalid_transition"
        assert e.value.details["status"] == status
        assert e.value.details["allowed"] == [str(a) for a in allowed(state)]


def test_remainder_actions_only_when_remainder_open() -> None:
    closed = ManifestState(status=Status.RECEIVED, remainder_open=False)
    assert Action.REDIRECT not in allowed(closed)
    open_ = ManifestState(status=Status.RECEIVED, remainder_open=True)
    assert decide(open_, Action.REDIRECT) == "remainder_redirected"
    assert decide(ManifestState(status=Status.COMPLETED, remainder_open=True), Action.RETURN) == "remainder_returned"


def test_return_purpose_ends_with_returned_on_dropoff() -> None:
    s = ManifestState(status=Status.IN_TRANSIT, purpose="return")
    assert decide(s, Action.DROPOFF) == "returned"


def test_replay_of_a_full_life() -> None:
    s = replay(
        [
            ev(1, "created", declared_kg="1500.000"),
            ev(2, "submitted", number="20263304000001", declared_kg="1500.000"),
            ev(3, "picked_up", quantity_kg="1490.000"),
            ev(4, "dropped_off"),
            ev(5, "received", decision="accepted", received_kg="1480.000", accepted_kg="1480.000"),
            ev(6, "disposed", quantity_kg="1480.000"),
        ]
    )
    assert s.status == Status.COMPLETED
    assert s.version == 6
    assert s.number == "20263304000001"
    assert str(s.picked_up_kg) == "1490.000"
    assert str(s.accepted_kg) == "1480.000"
    assert s.vehicle_plate == "浙F12345"
    assert s.closed_at == NOW


def test_replay_of_a_rejection_and_return() -> None:
    s = replay(
        [
            ev(1, "created", declared_kg="10"),
            ev(2, "submitted", number="x", declared_kg="10"),
            ev(3, "picked_up"),
            ev(4, "dropped_off"),
            ev(5, "received", decision="rejected", received_kg="10", accepted_kg="0"),
            ev(6, "return_requested"),
            ev(7, "return_picked_up"),
            ev(8, "returned"),
        ]
    )
    assert s.status == Status.RETURNED
    assert s.decision == "rejected"


def test_unknown_event_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        replay([ev(1, "teleported")])


def test_a_load_with_two_carriers_changes_hands_before_the_drop_off() -> None:
    first = ManifestState(status=Status.IN_TRANSIT, carriers=2, leg=1)
    assert allowed(first) == [Action.HANDOVER]
    with pytest.raises(Conflict):
        decide(first, Action.DROPOFF)
    s = replay(
        [
            ev(1, "created", declared_kg="1500.000", handovers=[{"carrier_org_id": "x", "site_id": "y"}]),
            ev(2, "submitted", number="20263304000001", declared_kg="1500.000"),
            ev(3, "picked_up", quantity_kg="1500.000"),
            ev(4, "handed_over", quantity_kg="1500.000"),
        ]
    )
    assert (s.status, s.carriers, s.leg) == (Status.IN_TRANSIT, 2, 2)
    assert allowed(s) == [Action.DROPOFF]
    with pytest.raises(Conflict):
        decide(s, Action.HANDOVER)
