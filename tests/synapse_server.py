"""A throwaway Synapse homeserver for tests: generated config, SQLite, one loopback port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVER_NAME = "localhost"
START_TIMEOUT = 60.0  # seconds; a cold start with a fresh SQLite database takes a few
#: where .ci/run puts Synapse (its own venv, so its pins never meet ours)
CI_VENV = Path("/tmp/careerbot-synapse-venv")

#: rate limits high enough that the tests measure the bot, not Synapse's throttling
_UNLIMITED = {"per_second": 1000, "burst_count": 1000}
_RATE_LIMITS = {
    "rc_message": _UNLIMITED,
    "rc_registration": _UNLIMITED,
    "rc_login": {"address": _UNLIMITED, "account": _UNLIMITED, "failed_attempts": _UNLIMITED},
    "rc_joins": {"local": _UNLIMITED, "remote": _UNLIMITED},
    "rc_joins_per_room": _UNLIMITED,
    "rc_invites": {"per_room": _UNLIMITED, "per_user": _UNLIMITED, "per_issuer": _UNLIMITED},
    "rc_room_creation": _UNLIMITED,
    "rc_presence": {"per_user": _UNLIMITED},
}


def synapse_python() -> str | None:
    """A Python that can import synapse: $CAREERBOT_SYNAPSE_PYTHON, the venv .ci/run makes,
    a `.synapse-venv` in the checkout, or this interpreter; None when there is none."""
    candidates = [
        os.environ.get("CAREERBOT_SYNAPSE_PYTHON", ""),
        str(CI_VENV / "bin" / "python"),
        str(ROOT / ".synapse-venv" / "bin" / "python"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    try:
        import synapse  # noqa: F401
    except ImportError:
        return None
    return sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Synapse:
    """A running homeserver: its URL, config file and log; `register` adds accounts."""

    python: str
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config(self) -> Path:
        return self.folder / "homeserver.yaml"

    @property
    def log(self) -> Path:
        return self.folder / "homeserver.log"

    def start(self) -> None:
        self._generate_config()
        self.process = subprocess.Popen(
            [self.python, "-m", "synapse.app.homeserver", "-c", str(self.config)],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Synapse exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Synapse did not answer within {START_TIMEOUT:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Create an account with the shared secret, as an operator would; its user id."""
        script = Path(self.python).with_name("register_new_matrix_user")
        command = (
            [str(script)]
            if script.is_file()
            else [self.python, "-m", "synapse._scripts.register_new_matrix_user"]
        )
        subprocess.run(
            [
                *command,
                "-c",
                str(self.config),
                "-u",
                localpart,
                "-p",
                password,
                "--admin" if admin else "--no-admin",
                self.url,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return f"@{localpart}:{SERVER_NAME}"

    def login(self, localpart: str, password: str) -> str:
        """A new access token for the account (a new device), as `curl .../login` gives one."""
        body = json.dumps(
            {
                "type": "m.login.password",
                "password": password,
                "identifier": {"type": "m.id.user", "user": localpart},
            }
        ).encode()
        request = urllib.request.Request(
            self.url + "/_matrix/client/v3/login",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(json.load(response)["access_token"])

    def admin(self, token: str, method: str, path: str, body: dict[str, object]) -> None:
        """One admin API call (e.g. a rate-limit override) with an admin's token."""
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _generate_config(self) -> None:
        """Synapse's own generated config (secrets, signing key), then made local and quiet."""
        subprocess.run(
            [
                self.python,
                "-m",
                "synapse.app.homeserver",
                "--server-name",
                SERVER_NAME,
                "--config-path",
                str(self.config),
                "--data-directory",
                str(self.folder),
                "--generate-config",
                "--report-stats=no",
            ],
            check=True,
            capture_output=True,
            cwd=self.folder,
            timeout=60,
        )
        config = yaml.safe_load(self.config.read_text())
        config["listeners"] = [
            {
                "port": self.port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ]
        config.pop("log_config", None)  # log to stderr, which start() sends to homeserver.log
        config.update(
            trusted_key_servers=[],
            suppress_key_server_warning=True,
            enable_registration=False,
            presence={"enabled": False},
            url_preview_enabled=False,
            enable_metrics=False,
            bcrypt_rounds=4,  # password logins in milliseconds, not a quarter second
            # rooms created by the tests are not end-to-end encrypted, like Element's defaults
            # when the server turns encryption off
            encryption_enabled_by_default_for_room_type="off",
            **_RATE_LIMITS,
        )
        self.config.write_text(yaml.safe_dump(config))


def start_synapse(folder: Path) -> Synapse:
    python = synapse_python()
    if python is None:
        raise FileNotFoundError("no Python with matrix-synapse found")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    server = Synapse(python, folder, free_port())
    server.start()
    return server
