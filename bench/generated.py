"""openapi-generator's python client: generated once per document and version, then measured.

It is generated from the project's OpenAPI document (``--spec``, else the
package's own copy, else ``../shared/spec/identity-api.yaml``) into
``bench/.work/``, which git ignores, when Java and the ``openapi-generator-cli``
package are installed; ``generate_client`` says why it was skipped otherwise.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from common import ACCOUNT_ID, BENCH_DIR, REPO_DIR, TOKEN, USER_AGENT, USER_ID
from subjects import Calls, Subject, identity_api_calls

WORK_DIR = BENCH_DIR / ".work"
#: Package name given to openapi-generator's client, so it cannot shadow anything.
GENERATED_PACKAGE = "openapi_identity"


def find_spec(explicit: str | None) -> Path | None:
    """Return the OpenAPI document: ``--spec``, the package's own copy, or the shared one."""
    if explicit:
        return Path(explicit)
    package_dir = REPO_DIR / "katanemo_identity"
    own = sorted(package_dir.glob("*.yaml")) + sorted(package_dir.glob("*.json"))
    if own:
        return own[0]
    shared = REPO_DIR.parent / "shared" / "spec" / "identity-api.yaml"
    return shared if shared.is_file() else None


def generate_client(spec: Path | None) -> tuple[Path | None, str]:
    """Generate openapi-generator's python client into ``bench/.work``, once per spec and version.

    Returns the directory to put on ``sys.path`` and the generator's
    version, or None and the reason it was skipped.
    """
    if spec is None or not spec.is_file():
        return None, "skipped: no OpenAPI document found (pass --spec)"
    if shutil.which("java") is None:
        return None, "skipped: Java is not installed"
    try:
        version = importlib.metadata.version("openapi-generator-cli")
    except importlib.metadata.PackageNotFoundError:
        return None, "skipped: the openapi-generator-cli package is not installed"
    command = shutil.which("openapi-generator-cli", path=str(Path(sys.executable).parent))
    command = command or shutil.which("openapi-generator-cli")
    if command is None:
        return None, "skipped: the openapi-generator-cli command is not on PATH"
    digest = hashlib.sha256(spec.read_bytes() + version.encode()).hexdigest()[:12]
    target = WORK_DIR / f"openapi-python-{digest}"
    if not (target / GENERATED_PACKAGE / "__init__.py").is_file():
        scratch = WORK_DIR / f"openapi-python-{digest}.tmp-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                command,
                "generate",
                "-g",
                "python",
                "-i",
                str(spec),
                "-o",
                str(scratch),
                f"--additional-properties=packageName={GENERATED_PACKAGE}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"skipped: openapi-generator failed ({last[0][:120]})"
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)
    return target, version


def generated_subject(base_url: str, package_dir: Path) -> Subject:
    """Return openapi-generator's python client, imported from ``package_dir``."""
    sys.path.insert(0, str(package_dir))
    generated = _import(GENERATED_PACKAGE)

    def new_client(pool_size: int = 16) -> object:
        configuration = generated.Configuration(host=base_url, access_token=TOKEN)
        # Its default pool is 5 per CPU; give it as many connections as ours.
        configuration.connection_pool_maxsize = pool_size
        client = generated.ApiClient(configuration)
        client.user_agent = USER_AGENT
        return client

    key_request = generated.ClientKeyRequest.from_dict(
        {"defaultRoleId": "roleId1", "clientName": "bench"}
    )

    def close(client: object) -> Callable[[], None]:
        return lambda: client.rest_client.pool_manager.clear()  # type: ignore[attr-defined]

    def build() -> Calls:
        client = new_client()
        return identity_api_calls(generated.IdentityApi(client), key_request, close(client))

    def build_threaded(threads: int) -> tuple[list[Callable[[], object]], Callable[[], None]]:
        client = new_client(max(threads, 1))
        api = generated.IdentityApi(client)
        return [lambda: api.get_user(ACCOUNT_ID, USER_ID)] * threads, close(client)

    return Subject(
        "openapi-generator",
        build,
        build_threaded,
        f"import {GENERATED_PACKAGE}",
        f"import {GENERATED_PACKAGE}; {GENERATED_PACKAGE}.IdentityApi",
        import_path=str(package_dir),
    )


def _import(name: str) -> ModuleType:
    return __import__(name)
