"""Static checks of deploy/: what a reviewer looks for, without Docker, systemd or nginx."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from bot.channels.registry import CHANNELS
from bot.config import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def _fields() -> dict[str, tuple[Any, str]]:
    """Every setting's variable: the general ones and each registered channel's own."""
    found: dict[str, tuple[Any, str]] = {
        f"HOCVUSO_{name.upper()}": (Settings, name) for name in Settings.model_fields
    }
    for spec in CHANNELS:
        if spec.settings is None:
            continue
        prefix = spec.settings.model_config.get("env_prefix", "")
        for name in spec.settings.model_fields:
            variable = (
                "HOCVUSO_ALLOW_HTTP_WEBHOOKS"
                if name == "allow_http_webhook"
                else f"{prefix}{name.upper()}"
            )
            found[variable] = (spec.settings, name)
    return found


FIELDS = _fields()
# Read by the code before it is a Settings field (logging is set up before settings are read).
EXTRA_VARIABLES = {"HOCVUSO_LOG_FORMAT"}
SECRETS = {
    variable
    for variable, (model, name) in FIELDS.items()
    if "SecretStr" in str(model.model_fields[name].annotation)
}


# --- small readers --------------------------------------------------------------------------
def dockerfile() -> list[tuple[str, str]]:
    """Return the Dockerfile's instructions as (INSTRUCTION, arguments), continuations joined."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, args = current.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    return instructions


def instruction_args(name: str) -> list[str]:
    return [args for keyword, args in dockerfile() if keyword == name]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def with_defaults(value: str) -> str:
    """Interpolate ${VAR:-default} the way Compose does when VAR is unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def command_text(command: str | list[str]) -> str:
    return command if isinstance(command, str) else " ".join(command)


def env_example() -> list[tuple[str, str, str]]:
    """Return (variable, value, the comment line above it) for each variable, set or not."""
    lines = (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines()
    found: list[tuple[str, str, str]] = []
    for number, line in enumerate(lines):
        match = re.fullmatch(r"#?\s*([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            above = lines[number - 1].strip() if number else ""
            found.append((match[1], match[2], above))
    return found


def systemd_unit() -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    section = ""
    for raw in (DEPLOY / "hocvuso.service").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            sections.setdefault(section, [])
            continue
        key, sep, value = line.partition("=")
        assert sep and section, f"not a unit file line: {raw!r}"
        sections[section].append((key.strip(), value.strip()))
    return sections


def unit_values(section: str, key: str) -> list[str]:
    return [value for k, value in systemd_unit().get(section, []) if k == key]


def nginx_text() -> str:
    """Return nginx.conf without comments."""
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def nginx_blocks(opening: str, within: str | None = None) -> list[str]:
    """Return the bodies of the blocks whose header matches `opening` (a regex)."""
    text = nginx_text() if within is None else within
    bodies = []
    for match in re.finditer(rf"(?m)^\s*{opening}\s*\{{", text):
        depth, start = 1, match.end()
        for index in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                bodies.append(text[start:index])
                break
        else:
            pytest.fail(f"unbalanced braces after {match[0]!r}")
    return bodies


def directives(body: str) -> list[str]:
    """Return the directives of a block body, whitespace normalised, nested blocks included."""
    return [" ".join(part.split()) for part in re.split(r"[;{}]", body) if part.strip()]


# --- Dockerfile -----------------------------------------------------------------------------
def test_dockerfile_builds_on_slim_python_311() -> None:
    bases = instruction_args("FROM")
    assert bases, "no FROM"
    assert bases[-1].split()[0] == "python:3.11-slim"
    assert all(base.split()[0].startswith("python:3.11-slim") for base in bases)


def test_dockerfile_runs_as_a_fixed_non_root_user() -> None:
    users = instruction_args("USER")
    assert users, "no USER: the bot would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    created = " ".join(instruction_args("RUN"))
    assert re.search(rf"useradd\b[^&]*--uid 10001\b[^&]*\b{users[-1].split(':')[0]}\b", created)


def test_dockerfile_keeps_the_source_tree_for_migrations_and_lessons() -> None:
    # bot/config.py finds db/migrations and content/lessons next to the bot package.
    assert instruction_args("WORKDIR")[-1] == "/app"
    assert ". ." in instruction_args("COPY")
    runs = " ".join(instruction_args("RUN"))
    assert "pip install --no-cache-dir -e ." in runs


def test_dockerignore_leaves_out_local_state_but_not_the_source() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        result = False
        for pattern in patterns:
            negated = pattern.startswith("!")
            glob = pattern.lstrip("!").rstrip("/")
            globs = {glob, glob.removeprefix("**/")}
            names = {path, *(path.split("/")[0:1])}
            if any(fnmatch.fnmatch(name, g) for name in names for g in globs):
                result = not negated
        return result

    for private in [".venv", ".git", ".env", "deploy/.env", "hocvuso.db", ".pytest_cache"]:
        assert ignored(private), f"{private} would be sent to the Docker build"
    for needed in [
        "pyproject.toml",
        "alembic.ini",
        "bot/config.py",
        "db/migrations/env.py",
        "content/lessons",
        "README.md",
        "deploy/.env.example",
    ]:
        assert not ignored(needed), f"{needed} is needed in the image"


def test_dockerfile_health_check_asks_healthz_with_python() -> None:
    checks = instruction_args("HEALTHCHECK")
    assert len(checks) == 1
    assert "CMD" in checks[0]
    assert "http://127.0.0.1:" in checks[0]
    assert "/healthz" in checks[0]
    assert "urllib.request" in checks[0]
    assert "curl" not in checks[0]


def test_dockerfile_listens_on_8080_on_all_interfaces_with_data_in_a_volume() -> None:
    assert "8080" in " ".join(instruction_args("EXPOSE")).split()
    env = " ".join(instruction_args("ENV"))
    assert "HOCVUSO_HTTP_HOST=0.0.0.0" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env
    url = re.search(r"HOCVUSO_DATABASE_URL=(\S+)", env)
    assert url, "no default database in the image"
    assert url[1] == "sqlite+aiosqlite:////data/hocvuso.db"
    assert Settings(_env_file=None, database_url=url[1]).database_url == url[1]
    assert any("/data" in volume for volume in instruction_args("VOLUME"))


def test_dockerfile_migrates_before_it_runs_the_bot() -> None:
    start = instruction_args("CMD") + instruction_args("ENTRYPOINT")
    assert len(start) == 1
    command = start[0]
    assert re.search(r"hocvuso db upgrade\s*&&\s*exec hocvuso run\b", command)


def test_dockerfile_only_sets_real_settings() -> None:
    names = set(re.findall(r"\b(HOCVUSO_[A-Z0-9_]+)=", " ".join(instruction_args("ENV"))))
    assert names
    assert names <= set(FIELDS) | EXTRA_VARIABLES


# --- compose.yaml ---------------------------------------------------------------------------
def test_compose_runs_postgres_16_with_a_named_volume_and_health_check() -> None:
    spec = compose()
    db = spec["services"]["db"]
    assert str(db["image"]).startswith("postgres:16")
    volume = next(v for v in db["volumes"] if v.endswith(":/var/lib/postgresql/data"))
    name = volume.split(":")[0]
    assert name in (spec.get("volumes") or {}), "the database volume is not a named volume"
    assert "pg_isready" in command_text(db["healthcheck"]["test"])
    for key in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        assert key in db["environment"]


def test_compose_bot_waits_for_a_healthy_database() -> None:
    bot = compose()["services"]["bot"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["restart"] == "unless-stopped"
    assert bot["stop_grace_period"] == "15s"


def test_compose_bot_migrates_then_execs_the_bot() -> None:
    command = command_text(compose()["services"]["bot"]["command"])
    assert re.search(r"hocvuso db upgrade\s*&&\s*exec hocvuso run\b", command)


def test_compose_bot_builds_this_repository_with_the_deploy_dockerfile() -> None:
    build = compose()["services"]["bot"]["build"]
    context = (DEPLOY / build["context"]).resolve()
    assert context == REPO
    assert (context / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"


def test_compose_bot_uses_the_compose_database_and_stays_on_localhost() -> None:
    spec = compose()
    bot, db = spec["services"]["bot"], spec["services"]["db"]
    url = with_defaults(bot["environment"]["HOCVUSO_DATABASE_URL"])
    user, password, name = (
        with_defaults(db["environment"][key])
        for key in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB")
    )
    assert url == f"postgresql+asyncpg://{user}:{password}@db:5432/{name}"
    assert Settings(_env_file=None, database_url=url).database_url == url
    assert bot["ports"] == ["127.0.0.1:8080:8080"]
    assert bot["env_file"] == [{"path": ".env", "required": False}]
    assert set(bot["environment"]) <= set(FIELDS) | EXTRA_VARIABLES


# --- .env.example ---------------------------------------------------------------------------
def test_env_example_lists_every_setting_and_nothing_else() -> None:
    names = [name for name, _value, _above in env_example() if name.startswith("HOCVUSO_")]
    assert len(names) == len(set(names)), "a variable is listed twice"
    assert set(FIELDS) <= set(names), f"missing: {sorted(set(FIELDS) - set(names))}"
    unknown = set(names) - set(FIELDS) - EXTRA_VARIABLES
    assert not unknown, f"not settings of bot/config.py: {sorted(unknown)}"
    assert "HOCVUSO_LOG_FORMAT" in names


def test_env_example_explains_each_variable_in_a_comment() -> None:
    for name, _value, above in env_example():
        assert above.startswith("# ") and "=" not in above.split()[1], f"{name} has no comment"


def test_env_example_shows_the_defaults() -> None:
    shown = {name: value for name, value, _above in env_example()}
    checked = 0
    for variable, (model, name) in FIELDS.items():
        field = model.model_fields[name]
        if field.default is None:
            continue
        value = TypeAdapter(field.annotation).validate_python(shown[variable])
        assert value == field.default, f"{variable}={shown[variable]} is not the default"
        checked += 1
    assert checked >= 10


def test_env_example_keeps_secrets_commented_and_empty() -> None:
    text = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    for secret in [*SECRETS, "POSTGRES_PASSWORD"]:
        assert re.search(rf"(?m)^# {secret}=$", text), f"{secret} is not a commented blank"
        assert not re.search(rf"(?m)^{secret}=", text)
    assert {"HOCVUSO_TELEGRAM_TOKEN", "HOCVUSO_ZALO_WEBHOOK_SECRET"} <= SECRETS


# --- systemd --------------------------------------------------------------------------------
def test_systemd_unit_migrates_then_runs_and_restarts_on_failure() -> None:
    assert unit_values("Service", "Restart") == ["on-failure"]
    assert unit_values("Service", "EnvironmentFile") == ["/etc/hocvuso.env"]
    assert unit_values("Service", "ExecStart") == ["/opt/hocvuso/.venv/bin/hocvuso run"]
    assert unit_values("Service", "ExecStartPre") == ["/opt/hocvuso/.venv/bin/hocvuso db upgrade"]
    assert unit_values("Service", "WorkingDirectory") == ["/opt/hocvuso"]
    assert unit_values("Service", "TimeoutStopSec") == ["15"]
    assert unit_values("Install", "WantedBy") == ["multi-user.target"]
    assert "network-online.target" in " ".join(unit_values("Unit", "After"))


def test_systemd_unit_runs_unprivileged_and_hardened() -> None:
    assert unit_values("Service", "User") == ["hocvuso"]
    assert unit_values("Service", "NoNewPrivileges") == ["true"]
    assert unit_values("Service", "ProtectSystem") == ["strict"]
    assert unit_values("Service", "PrivateTmp") == ["true"]
    assert unit_values("Service", "ReadWritePaths") == ["/var/lib/hocvuso"]


# --- nginx ----------------------------------------------------------------------------------
def test_nginx_proxies_webhooks_to_the_bot() -> None:
    (webhook,) = nginx_blocks(r"location /webhook/")
    lines = directives(webhook)
    assert "proxy_pass http://hocvuso" in lines
    assert "proxy_read_timeout 60s" in lines
    assert "client_max_body_size 1m" in lines
    (upstream,) = nginx_blocks(r"upstream hocvuso")
    assert f"server 127.0.0.1:{Settings.model_fields['http_port'].default}" in directives(upstream)


def test_nginx_forwards_host_and_client_headers() -> None:
    (https,) = [body for body in nginx_blocks("server") if "listen 443 ssl" in body]
    lines = directives(https)
    for header in [
        "proxy_set_header Host $host",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for",
        "proxy_set_header X-Forwarded-Proto $scheme",
    ]:
        assert header in lines
    assert "ssl_protocols TLSv1.2 TLSv1.3" in lines


def test_nginx_serves_media_and_hides_everything_else() -> None:
    (media,) = nginx_blocks(r"location /media/")
    assert "proxy_pass http://hocvuso" in directives(media)
    (https,) = [body for body in nginx_blocks("server") if "listen 443 ssl" in body]
    (rest,) = nginx_blocks(r"location /", within=https)
    assert directives(rest) == ["return 404"]
    (health,) = nginx_blocks(r"location = /healthz")
    assert "deny all" in directives(health)
    assert "allow 127.0.0.1" in directives(health)


def test_nginx_port_80_only_redirects_and_answers_acme() -> None:
    (plain,) = [body for body in nginx_blocks("server") if "listen 80" in body]
    assert "return 301 https://$host$request_uri" in directives(plain)
    assert nginx_blocks(r"location /\.well-known/acme-challenge/")
    assert "proxy_pass" not in plain


def test_nginx_exposes_the_web_board_and_nothing_else_new() -> None:
    (https,) = [body for body in nginx_blocks("server") if "listen 443 ssl" in body]
    proxied = {
        re.sub(r"\s+", " ", match[1].strip())
        for match in re.finditer(r"(?m)^\s*location\s+([^{]+)\{", https)
        if "proxy_pass http://hocvuso"
        in directives(nginx_blocks(rf"location {re.escape(match[1].strip())}", within=https)[0])
    }
    assert proxied == {"/webhook/", "/media/", "= /healthz", "/bang/", "/cong-khai/"}
    (board,) = nginx_blocks(r"location /bang/")
    assert "limit_except GET POST" in directives(board)
    (public,) = nginx_blocks(r"location /cong-khai/")
    assert "limit_except GET" in directives(public)
    # An add_header inside a location would drop the server's HSTS and nosniff headers there.
    assert not any(line.startswith("add_header") for line in directives(board + public))


def test_the_board_lives_under_the_two_exposed_paths() -> None:
    from aiohttp import web

    from bot.board import add_board
    from bot.board.auth import SIGN_IN_PATH

    app = web.Application()
    add_board(app, None, Settings(public_url="https://bot.example.gov.vn"))  # type: ignore[arg-type]
    paths = {route.resource.canonical for route in app.router.routes() if route.resource}
    assert paths
    assert all(p == "/bang" or p.startswith(("/bang/", "/cong-khai/")) for p in paths)
    assert SIGN_IN_PATH.startswith("/bang/")
