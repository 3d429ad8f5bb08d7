"""``hybridsync anchor VALUE [--json]``: exit codes and exact output (CLI.md, spec §1)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hybridsync.cli.app import _register, app, main

# V1 (spec): GUID ⇄ immutableId
V1 = [
    ("3ab39606-c642-489b-84b6-58c038d3ef39", "BpazOkLGm0iEtljAONPvOQ=="),
    ("8c4ac332-975f-4717-ad7b-ba4a4e968fff", "MsNKjF+XF0ete7pKTpaP/w=="),
    ("46e23144-8377-483e-a87e-b6769db62eed", "RDHiRneDPkiofrZ2nbYu7Q=="),
    ("6701fa1a-fb0f-45a8-9356-d302b2affbb1", "GvoBZw/7qEWTVtMCsq/7sQ=="),
    ("88666888-0101-1111-bbbb-1234567890ab", "iGhmiAEBERG7uxI0VniQqw=="),
    ("88888888-0101-3333-cccc-1234567890cd", "iIiIiAEBMzPMzBI0VniQzQ=="),
    ("30475e40-e7ae-4af3-af75-8b143c81daf5", "QF5HMK7n80qvdYsUPIHa9Q=="),
    ("897485c7-81a7-42eb-97c6-37ed73077b1f", "x4V0iaeB60KXxjftcwd7Hw=="),
    ("00000000-0000-0000-0000-000000000000", "AAAAAAAAAAAAAAAAAAAAAA=="),
]

# V2 (spec): values that must never be printed
V2_WRONG = {
    "6701fa1a-fb0f-45a8-9356-d302b2affbb1": "ZwH6GvsPRaiTVtMCsq/7sQ==",
    "3ab39606-c642-489b-84b6-58c038d3ef39": "OrOWBsZCSJuEtljAONPvOQ==",
    "5c78336d-77d8-df44-8007-d277dad5c569": "XHgzbXfY30SAB9J32tXFaQ==",
}

# V3 row for 8c4ac332-…: the full JSON document
V3_8C4AC332 = {
    "guid": "8c4ac332-975f-4717-ad7b-ba4a4e968fff",
    "immutableId": "MsNKjF+XF0ete7pKTpaP/w==",
    "hex": "32c34a8c5f971747ad7bba4a4e968fff",
    "ldapFilter": r"\32\c3\4a\8c\5f\97\17\47\ad\7b\ba\4a\4e\96\8f\ff",
    "connectorSpaceDn": "CN={4D734E4B6A462B58463065746537704B547061502F773D3D}",
}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def _json(runner: CliRunner, value: str) -> dict[str, str | None]:
    result = runner.invoke(app, ["anchor", "--json", value])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    document: dict[str, str | None] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize(("guid", "immutable_id"), V1)
def test_v1_guid_in_immutable_id_out(runner: CliRunner, guid: str, immutable_id: str) -> None:
    assert _json(runner, guid)["immutableId"] == immutable_id


@pytest.mark.parametrize(("guid", "immutable_id"), V1)
def test_v1_immutable_id_in_guid_out(runner: CliRunner, guid: str, immutable_id: str) -> None:
    assert _json(runner, immutable_id)["guid"] == guid


@pytest.mark.parametrize(("guid", "wrong"), V2_WRONG.items())
def test_v2_wrong_value_is_never_printed(runner: CliRunner, guid: str, wrong: str) -> None:
    result = runner.invoke(app, ["anchor", "--json", guid])
    assert result.exit_code == 0
    assert wrong not in result.stdout


@pytest.mark.parametrize(
    "value",
    [
        V3_8C4AC332["guid"],
        V3_8C4AC332["immutableId"],
        V3_8C4AC332["hex"],
        V3_8C4AC332["hex"].upper(),
        V3_8C4AC332["ldapFilter"],
        V3_8C4AC332["connectorSpaceDn"],
    ],
)
def test_v3_every_input_form_prints_the_same_document(runner: CliRunner, value: str) -> None:
    result = runner.invoke(app, ["anchor", "--json", value])
    assert result.exit_code == 0
    assert result.stdout == json.dumps(V3_8C4AC332, indent=2) + "\n"


def test_b1_9_dn_in(runner: CliRunner) -> None:
    document = _json(runner, "CN={514635484D4B376E38307176645973555049486139513D3D}")
    assert document["immutableId"] == "QF5HMK7n80qvdYsUPIHa9Q=="
    assert document["guid"] == "30475e40-e7ae-4af3-af75-8b143c81daf5"


def test_b1_5_non_guid_immutable_id_prints_null_guid(runner: CliRunner) -> None:
    assert _json(runner, "RU1QMTIzNDU=")["guid"] is None


def test_readable_output_is_key_value_lines(runner: CliRunner) -> None:
    result = runner.invoke(app, ["anchor", "8c4ac332-975f-4717-ad7b-ba4a4e968fff"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "guid              8c4ac332-975f-4717-ad7b-ba4a4e968fff",
        "immutableId       MsNKjF+XF0ete7pKTpaP/w==",
        "hex               32c34a8c5f971747ad7bba4a4e968fff",
        r"ldapFilter        \32\c3\4a\8c\5f\97\17\47\ad\7b\ba\4a\4e\96\8f\ff",
        "connectorSpaceDn  CN={4D734E4B6A462B58463065746537704B547061502F773D3D}",
    ]


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ("3ab39606-c642-489b-84b6", "'3ab39606-c642-489b-84b6' is not a GUID", "8-4-4-4-12"),
        ("not*base64", "'not*base64' is not a Base64 immutableId", "'=='"),
        ("CN={ZZ}", "is not an Entra connector-space DN", "hex digits"),
    ],
)
def test_bad_value_exits_2_with_message_and_hint(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
    message: str,
    hint: str,
) -> None:
    monkeypatch.setattr(sys, "argv", ["hybridsync", "anchor", "--json", value])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert lines[1].startswith("what to do: ")
    assert hint in lines[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from hybridsync.cli.app import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def test_end_to_end_guid_to_immutable_id() -> None:
    done = _run("anchor", "--json", "6701fa1a-fb0f-45a8-9356-d302b2affbb1")
    assert done.returncode == 0
    assert done.stderr == ""
    assert json.loads(done.stdout) == {
        "guid": "6701fa1a-fb0f-45a8-9356-d302b2affbb1",
        "immutableId": "GvoBZw/7qEWTVtMCsq/7sQ==",
        "hex": "1afa01670ffba8459356d302b2affbb1",
        "ldapFilter": r"\1a\fa\01\67\0f\fb\a8\45\93\56\d3\02\b2\af\fb\b1",
        "connectorSpaceDn": "CN={47766F425A772F377145575456744D4373712F3773513D3D}",
    }


def test_end_to_end_bad_guid() -> None:
    done = _run("anchor", "6701fa1a-fb0f")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "error: '6701fa1a-fb0f' is not a GUID\n"
        "what to do: write it as 32 hex digits in the form 8-4-4-4-12, "
        "e.g. 3ab39606-c642-489b-84b6-58c038d3ef39\n"
    )
