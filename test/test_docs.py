"""The reference docs in ``docs/`` match the code, and their examples run.

The markdown is parsed, not just searched: every public method of
``IdentityApi`` has a signature line whose parameters and return type match
the method, every model has a page whose field table matches its fields, and
every example in ``docs/IdentityApi.md`` runs unchanged (but for ``host``)
against the embedded reference server.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import re
from pathlib import Path

import pytest

import katanemo_identity
from katanemo_identity import models
from katanemo_identity.api._operations import OPERATIONS
from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.exceptions import OpenApiException
from katanemo_identity.retry import POST_RETRY_STATUSES, RETRY_STATUSES
from katanemo_identity.testing import IdentityServer

DOCS = Path(__file__).resolve().parent.parent / "docs"
API_DOC = DOCS / "IdentityApi.md"

#: The host every example is written with; the test puts the server's URL in its place.
DOCUMENTED_HOST = '"https://api.katanemo.com"'

#: The statuses every operation's response table lists.
DOCUMENTED_STATUSES = ("200", "400", "401", "409", "429", "500", "default")

_SIGNATURE = re.compile(r"^> (?P<returns>\S+) (?P<name>\w+)\((?P<params>[^)]*)\)$", re.MULTILINE)
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_TABLE_ROW = re.compile(r"^(?P<cells>[^\n|]*\|.*)$", re.MULTILINE)


def operation_sections() -> dict[str, str]:
    """Split ``IdentityApi.md`` into its per-operation sections, by ``# **name**`` heading."""
    text = API_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^# \*\*(\w+)\*\*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def example_of(operation: str) -> str:
    """Return the one python example of an operation's section."""
    section = operation_sections()[operation]
    example_part = section.split("### Example", 1)[1]
    blocks = _PYTHON_BLOCK.findall(example_part)
    assert blocks, f"{operation}: no python example"
    return str(blocks[0])


def table_rows(text: str) -> list[list[str]]:
    """Return the cells of every markdown table row in ``text``, header and rule rows included."""
    return [
        [cell.strip() for cell in match.group("cells").strip().strip("|").split("|")]
        for match in _TABLE_ROW.finditer(text)
    ]


def public_methods() -> list[str]:
    return sorted(
        name
        for name, member in inspect.getmembers(IdentityApi, inspect.isfunction)
        if not name.startswith("_")
    )


def documented_signatures() -> dict[str, tuple[str, list[str]]]:
    text = API_DOC.read_text(encoding="utf-8")
    found: dict[str, tuple[str, list[str]]] = {}
    for match in _SIGNATURE.finditer(text):
        params = [param.strip() for param in match.group("params").split(",") if param.strip()]
        found[match.group("name")] = (match.group("returns"), params)
    return found


def _normalize_type(text: str) -> str:
    return text.replace("List[", "list[").replace("urllib3.", "")


# -- every method and model is documented, as the code has it -----------------------------


def test_the_operations_are_the_eight_of_the_api() -> None:
    assert set(operation_sections()) == set(OPERATIONS)
    assert len(public_methods()) == 3 * len(OPERATIONS)


@pytest.mark.parametrize("method", public_methods())
def test_every_public_method_has_a_signature_line_matching_the_code(method: str) -> None:
    signatures = documented_signatures()
    assert method in signatures, f"docs/IdentityApi.md has no '> Type {method}(...)' line"
    returns, params = signatures[method]
    signature = inspect.signature(getattr(IdentityApi, method))
    positional = [
        name
        for name, parameter in signature.parameters.items()
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and name != "self"
    ]
    assert params == positional
    assert _normalize_type(returns) == _normalize_type(str(signature.return_annotation))


def test_no_signature_line_names_a_method_that_does_not_exist() -> None:
    assert set(documented_signatures()) <= set(public_methods())


def test_update_user_takes_the_user_before_the_account() -> None:
    returns, params = documented_signatures()["update_user"]
    assert (returns, params) == ("UserResponse", ["user_id", "account_id", "user_request"])


def test_method_table_gives_each_operation_its_http_method_and_path() -> None:
    text = API_DOC.read_text(encoding="utf-8")
    table = {
        re.sub(r"[\[\]*]|\(.*\)", "", row[0]): row[1]
        for row in table_rows(text.split("## ", 1)[0])
        if len(row) == 3 and row[0].startswith("[**")
    }
    assert table == {
        name: f"**{operation.method}** {operation.path}" for name, operation in OPERATIONS.items()
    }


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_documents_its_parameters_and_each_status(operation: str) -> None:
    section = operation_sections()[operation]
    _, params = documented_signatures()[operation]
    parameter_rows = [
        row[0].strip("*") for row in table_rows(section.split("### Parameters", 1)[1])
    ]
    for param in params:
        assert param in parameter_rows, f"{operation}: parameter {param} is not in its table"
    statuses = [
        row[0].strip("*") for row in table_rows(section.split("### HTTP response details", 1)[1])
    ]
    assert tuple(status for status in statuses if status in DOCUMENTED_STATUSES) == (
        DOCUMENTED_STATUSES
    )
    for option in ("_request_timeout", "_headers", "_retries"):
        assert option in section, f"{operation}: the per-call option {option} is not mentioned"


@pytest.mark.parametrize("name", models.__all__)
def test_every_model_has_a_page_whose_fields_table_matches_the_model(name: str) -> None:
    page = DOCS / f"{name}.md"
    assert page.is_file(), f"docs/{name}.md is missing"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {name}\n")
    fields_part = text.split("## Fields", 1)[1].split("\n## ", 1)[0]
    documented = {
        row[0].strip("`"): (row[1].strip("`"), row[3].startswith("yes"))
        for row in table_rows(fields_part)[2:]
    }
    model = getattr(models, name)
    assert documented == {
        attribute: (field.alias, field.is_required())
        for attribute, field in model.model_fields.items()
    }
    for secret in model.SECRET_FIELDS:
        assert f"`{secret}` is a credential" in text, f"{name}: secret {secret} not noted"


# -- the prose pages follow the code --------------------------------------------------------


def test_errors_page_draws_the_same_tree_as_the_exceptions_module() -> None:
    import katanemo_identity.exceptions as exceptions

    def tree_lines(text: str) -> list[str]:
        return [
            " ".join(line.replace("`", "").split())
            for line in text.splitlines()
            if line.strip().startswith(("OpenApiException", "├──", "│", "└──"))
        ]

    documented = tree_lines((DOCS / "errors.md").read_text(encoding="utf-8"))
    assert documented
    assert documented == tree_lines(exceptions.__doc__ or "")
    for line in documented:
        name = re.search(r"[A-Z]\w+", line)
        assert name is not None
        assert issubclass(getattr(katanemo_identity, name.group()), OpenApiException)


def test_configuration_page_lists_every_argument_with_its_default() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    arguments_part = text.split("## Arguments", 1)[1].split("\n## ", 1)[0]
    rows = {row[0].strip("`"): row for row in table_rows(arguments_part)[2:]}
    parameters = inspect.signature(katanemo_identity.Configuration.__init__).parameters
    assert set(rows) == set(parameters) - {"self"}
    for name, parameter in parameters.items():
        if name == "self" or parameter.default is None:
            continue
        assert repr(parameter.default) in rows[name][2], f"{name}: default is not documented"


def test_retries_page_names_the_statuses_the_policy_retries() -> None:
    text = (DOCS / "retries-and-timeouts.md").read_text(encoding="utf-8")
    retried: dict[str, set[int]] = {"GET, PUT, DELETE": set(), "POST": set()}
    for row in table_rows(text):
        if row[0].startswith("status "):
            statuses = {int(code) for code in re.findall(r"\d{3}", row[0])}
            if row[1] == "retried":
                retried["GET, PUT, DELETE"] |= statuses
            if row[2] == "retried":
                retried["POST"] |= statuses
    assert retried == {"GET, PUT, DELETE": set(RETRY_STATUSES), "POST": set(POST_RETRY_STATUSES)}


def test_every_relative_link_between_pages_points_at_a_file() -> None:
    for page in sorted(DOCS.glob("*.md")):
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if target.startswith("../"):
                continue  # the README is another engineer's page
            assert (DOCS / target).is_file(), f"{page.name} links to missing {target}"


# -- the examples run ---------------------------------------------------------------------


def run_example(operation: str, url: str) -> str:
    """Run an operation's example against ``url``, and return what it printed.

    Raises whatever the example raises, so a failing example fails the test.
    """
    source = example_of(operation)
    assert source.count(DOCUMENTED_HOST) == 1, f"{operation}: the host is not written once"
    source = source.replace(DOCUMENTED_HOST, repr(url))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, f"docs/IdentityApi.md ({operation})", "exec"), {})
    return printed.getvalue()


def assert_example_succeeded(operation: str, printed: str) -> None:
    assert "Exception when calling" not in printed, printed
    assert f"The response of IdentityApi->{operation}:" in printed, printed
    result = printed.split(":\n", 1)[1].strip()
    assert result, f"{operation}: the example printed no result"


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_example_calls_the_operation_it_documents(operation: str) -> None:
    source = example_of(operation)
    assert f"api_instance.{operation}(" in source
    assert "except katanemo_identity.ApiException" in source
    assert "except Exception" not in source


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_example_runs_alone_against_a_fresh_server(operation: str) -> None:
    with IdentityServer() as server:
        printed = run_example(operation, server.url)
    assert_example_succeeded(operation, printed)


def test_examples_run_in_sequence_against_one_server() -> None:
    with IdentityServer() as server:
        for operation in operation_sections():
            assert_example_succeeded(operation, run_example(operation, server.url))


def test_create_example_leaves_the_key_it_describes() -> None:
    with IdentityServer() as server:
        printed = run_example("create_client_key", server.url)
        assert "client_id=" in printed
        assert "client_secret" not in printed  # the secret never reaches pprint's output
        with katanemo_identity.ApiClient(
            katanemo_identity.Configuration(host=server.url)
        ) as client:
            keys = katanemo_identity.IdentityApi(client).get_client_key_list("acme")
    assert [key.client_name for key in keys] == ["ci-runner"]


def test_a_failing_example_is_reported_not_hidden() -> None:
    with IdentityServer(access_token="not-what-the-example-sends") as server:
        printed = run_example("get_client_key_list", server.url)
    assert "Exception when calling IdentityApi->get_client_key_list" in printed
    with pytest.raises(AssertionError):
        assert_example_succeeded("get_client_key_list", printed)


def test_the_site_loads_no_web_fonts_and_formats_its_signatures() -> None:
    yaml = pytest.importorskip("yaml")  # PyYAML: the test tools bring it
    root = DOCS.parent
    # mkdocs.yml may hold !!python/name tags; the keys read here need none.
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    docs_extra = pyproject.split("\ndocs = [", 1)[1].split("\n]", 1)[0]

    assert config["theme"]["font"] == "false"  # no request to Google Fonts
    handler = next(plugin for plugin in config["plugins"] if "mkdocstrings" in plugin)
    options = handler["mkdocstrings"]["handlers"]["python"]["options"]
    assert options["separate_signature"] == "true"
    assert options["show_signature_annotations"] == "true"
    # mkdocstrings formats a separate signature only with black or ruff installed.
    assert re.search(r'"(black|ruff)[>=<~ ]', docs_extra), docs_extra
