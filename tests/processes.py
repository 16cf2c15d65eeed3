"""The project's Python in a process of its own: for what settings decide at start-up
(production settings, a second database, an unreachable one)."""

import os
import subprocess
import sys

from django.conf import settings


def environment(*, drop=(), **extra: str) -> dict[str, str]:
    """This process's environment without the variables starting with any of `drop`, for
    egov_portal.settings, with `extra`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(tuple(drop))}
    return {**kept, "DJANGO_SETTINGS_MODULE": "egov_portal.settings", **extra}


def run_python(args: list[str], env: dict[str, str], timeout: int = 300):
    """`python *args` in the project's folder; its CompletedProcess (text), never raising."""
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
