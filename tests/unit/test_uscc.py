"""GB 32100 unified social credit codes."""

import pytest

from waste_tracker.errors import Invalid
from waste_tracker.registry.uscc import check_character, make_uscc, normalise_uscc

# A published real code (Huawei Technologies Co., Ltd.) checks out with the algorithm.
REAL = "914403001922038216"


def test_valid_real_code() -> None:
    assert normalise_uscc(REAL) == REAL
    assert check_character(REAL[:17]) == REAL[17]


def test_wrong_check_character_is_refused() -> None:
    bad = REAL[:17] + ("7" if REAL[17] != "7" else "8")
    with pytest.raises(Invalid) as e:
        normalise_uscc(bad)
    assert e.value.code == "invalid_uscc"
    assert e.value.details["reason_code"] == "check_character"


@pytest.mark.parametrize("raw", [REAL[:17], REAL + "0", ""])
def test_wrong_length_is_refused(raw: str) -> None:
    with pytest.raises(Invalid) as e:
        normalise_uscc(raw)
    assert e.value.details["reason_code"] == "length"


def test_lowercase_is_normalised_to_upper_case() -> None:
    code = make_uscc("330481", "MA2J5K8A7")
    assert normalise_uscc(code.lower()) == code


def test_letters_outside_the_alphabet_are_refused() -> None:
    code = make_uscc("330481", "MA2J5K8A7")
    bad = code[:9] + "O" + code[10:]  # O is not in the alphabet
    with pytest.raises(Invalid) as e:
        normalise_uscc(bad)
    assert e.value.details["reason_code"] == "alphabet"


def test_generated_codes_validate() -> None:
    for body in ("MA2B7C1X0", "000000000", "YYYYYYYYY"):
        assert normalise_uscc(make_uscc("330402", body))
