"""Property-based fuzzing of the whole API against its own OpenAPI schema (Schemathesis), as each
main role, against a real server: no 5xx ever, and every documented response matches its schema."""

from __future__ import annotations

import json
import os
from collections import Counter

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests import factories as f

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
RESULTS: Counter[str] = Counter()


class _FreshSession(dict[str, str]):
    """A persona's headers with a new token for every operation: a fuzzed ``POST /auth/logout``
    ends only that operation's session, not the rest of the run."""

    def __init__(self, user: object) -> None:
        super().__init__(f.auth(user))  # type: ignore[arg-type]
        self.user = user

    def fresh(self) -> dict[str, str]:
        return f.auth(self.user)  # type: ignore[arg-type]


async def _personas(committed, world) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    from sqlalchemy.ext.asyncio import AsyncSession

    async with AsyncSession(committed, expire_on_commit=False) as s:
        admin = await f.user(s, role="admin")
        await s.commit()
    return {
        "admin": _FreshSession(admin),
        "generator": _FreshSession(world.gen_user),
        "driver": _FreshSession(world.driver),
        "county_regulator": _FreshSession(world.nanhu_regulator),
    }


async def test_api_fuzz_has_no_server_errors_and_matches_schema(live, committed) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    server, world = live
    await asyncio.to_thread(_run, server.url, await _personas(committed, world))


def _run(base_url: str, personas: dict[str, dict[str, str]]) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    ops = [op.ok() for op in schema.get_all_operations()]
    for persona, headers in personas.items():
        for op in ops:
            _fuzz(op, persona, headers.fresh() if isinstance(headers, _FreshSession) else headers, base_url, failures)
    statuses = {k: v for k, v in sorted(RESULTS.items()) if k.startswith("status_")}
    print(f"schemathesis: {RESULTS['requests']} requests over {len(ops)} operations x {len(personas)} roles; {statuses}")
    assert not failures, "\n".join(failures[:40])


def _fuzz(op, persona: str, headers: dict[str, str], base_url: str, failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    label = f"{op.method.upper()} {op.path}"

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=op.as_strategy())
    def check(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        RESULTS["requests"] += 1
        RESULTS[f"status_{response.status_code}"] += 1
        if response.status_code >= 500:
            failures.append(
                f"{persona} {label} -> {response.status_code}: {response.text[:300]} "
                f"[{case.path_parameters} {case.query} {json.dumps(case.body, default=str)[:200]}]"
            )
            return
        try:
            case.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])
        except Exception as e:  # noqa: BLE001 - collect every failure, report them all
            failures.append(f"{persona} {label} -> {response.status_code} schema: {str(e)[:400]}")

    check()


pytestmark = pytest.mark.filterwarnings("ignore")


STATEFUL_EXAMPLES = int(os.environ.get("SCHEMATHESIS_STATEFUL_EXAMPLES", "5"))


async def test_api_stateful_sequences_have_no_server_errors(live, committed) -> None:  # type: ignore[no-untyped-def]
    """The stateful phase: sequences of calls linked by what one response gives the next (ids from
    a created resource into its reads and actions), as each persona."""
    import asyncio

    server, world = live
    await asyncio.to_thread(_run_stateful, server.url, await _personas(committed, world))


def _run_stateful(base_url: str, personas: dict[str, dict[str, str]]) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    for persona, headers in personas.items():
        base = schema.as_state_machine()

        class Machine(base):  # type: ignore[valid-type, misc]
            who, auth = persona, headers

            def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
                auth = self.auth.fresh() if isinstance(self.auth, _FreshSession) else self.auth
                return {"base_url": base_url, "headers": auth, "timeout": 30}

            def validate_response(self, response, case, additional_checks=(), **kwargs):  # type: ignore[no-untyped-def]
                RESULTS["stateful_requests"] += 1
                RESULTS[f"stateful_status_{response.status_code}"] += 1
                if response.status_code >= 500:
                    failures.append(f"{self.who} {case.method} {case.path} -> {response.status_code}: {response.text[:300]}")

        Machine.run(
            settings=settings(
                max_examples=STATEFUL_EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                stateful_step_count=6,
            )
        )
    statuses = {k: v for k, v in sorted(RESULTS.items()) if k.startswith("stateful_status_")}
    print(f"schemathesis stateful: {RESULTS['stateful_requests']} requests over {len(personas)} roles; {statuses}")
    assert RESULTS["stateful_requests"] > 0
    assert not failures, "\n".join(failures[:40])
