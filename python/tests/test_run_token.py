"""scripts/run's deployment token (issue #21): a random token is shown once to the person who started it, on
its own terminal, so that page import works on a default deployment; never when the output is not a terminal
(a log file, a pipe)."""
import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from conftest import REPO, bin_dir

RADIATOR = {"name": "token-plate", "thickness_um": 50,
            "views": [{"view": "front", "grid": {"origin_x_mm": 0, "origin_y_mm": 0, "pixel_mm": 0.1, "columns": 4, "rows": 4},
                       "thetah_urad": [0] * 16, "thetav_urad": [0] * 16, "mask": [1] * 16}]}


def free_ports(n):
    """A block of n consecutive free ports (scripts/run takes base … base+4) and one more for HTTP."""
    for base in range(23000 + os.getpid() % 500 * 10, 40000, 10):
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free ports")


def environment(tmp_path, base):
    env = {**os.environ, "SPOTFINDER_BIN": bin_dir(), "SPOTFINDER_HTTP": f"127.0.0.1:{base + 6}",
           "SPOTFINDER_PORT_BASE": str(base), "SPOTFINDER_DATA": str(tmp_path / "data"),
           "SPOTFINDER_RAW_SCANS": str(tmp_path / "raw-scans")}
    os.makedirs(tmp_path / "raw-scans", exist_ok=True)  # exists: no demo scans written in the background
    env.pop("SPOTFINDER_TOKEN", None)
    return env


def stop(pid):
    try:
        os.killpg(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    end = time.monotonic() + 20
    while time.monotonic() < end:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def test_a_random_token_is_shown_once_on_the_terminal_and_imports_work(tmp_path):
    base = free_ports(7)
    env = environment(tmp_path, base)
    pid, fd = pty.fork()
    if pid == 0:  # the child: scripts/run with the pseudo-terminal as its controlling terminal and output
        os.chdir(REPO)
        os.execvpe("scripts/run", ["scripts/run"], env)
    seen = b""
    try:
        end = time.monotonic() + 90
        while time.monotonic() < end and b"page imports" not in seen:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        text = seen.decode(errors="replace")
        m = re.search(r"deployment token for page imports \(shown once, here only\): ([0-9a-f]{32})", text)
        assert m, text[-2000:]
        token = m.group(1)
        assert text.count(token) == 1, "the token appears once"
        request = urllib.request.Request(f"http://127.0.0.1:{base + 6}/api/import?filename=token-plate.json", method="POST",
                                         data=json.dumps(RADIATOR).encode(), headers={"X-Spotfinder-Token": token})
        for attempt in range(60):  # the store may still be writing the built-in radiators (503 until it serves)
            try:
                answer = json.load(urllib.request.urlopen(request, timeout=60))
                break
            except urllib.error.HTTPError as e:
                if e.code != 503 or attempt == 59:
                    raise
                time.sleep(0.5)
        assert answer["name"] == "token-plate"
    finally:
        stop(pid)
        os.close(fd)


def test_the_token_is_not_shown_without_a_terminal(tmp_path):
    base = free_ports(7)
    p = subprocess.Popen(["scripts/run"], cwd=REPO, env=environment(tmp_path, base), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out = b""
        end = time.monotonic() + 90
        while time.monotonic() < end and b"not shown" not in out:
            if select.select([p.stdout], [], [], 0.5)[0]:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
        text = out.decode(errors="replace")
        assert "the deployment token is random and not shown" in text, text[-2000:]
        assert not re.search(r"[0-9a-f]{32}", text), "no token in a redirected output"
    finally:
        stop(p.pid)
        p.wait(20)
