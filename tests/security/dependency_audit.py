"""Audit the installed dependencies for known vulnerabilities with pip-audit.

Run by `make audit` and `.ci/run`. Fails when any pinned dependency has a known
vulnerability. When the vulnerability service cannot be reached (a machine without access to
PyPI's JSON API or OSV), it says so plainly and how many packages went unchecked, rather than
reporting "no known vulnerabilities" for packages it never looked up.
"""

import json
import subprocess
import sys


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> int:
    completed = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        say(f"dependency audit: pip-audit failed to run:\n{completed.stderr.strip()[-2000:]}")
        return 1
    dependencies = report.get("dependencies", [])
    unchecked = [dep for dep in dependencies if "skip_reason" in dep]
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(vuln["id"] for vuln in dep["vulns"])
        say(f"VULNERABLE {dep['name']} {dep['version']}: {ids}")
    checked = len(dependencies) - len(unchecked)
    say(
        f"dependency audit: {len(dependencies)} packages, {checked} checked, "
        f"{len(vulnerable)} vulnerable, {len(unchecked)} could not be checked"
    )
    if unchecked:
        reason = unchecked[0]["skip_reason"]
        say(f"  NOT AUDITED: {len(unchecked)} packages, for example: {reason}")
        say("  (the vulnerability service is unreachable from this machine; run `make audit`")
        say("  where PyPI's JSON API is reachable)")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
