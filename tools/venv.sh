# Sourced by the suites that test through Python (bindings/test.sh, replicate/test.sh):
# `make_venv DIR` creates a venv in DIR, installing Debian's python3-venv first when the
# machine lacks it (as root; a fresh Debian 12 machine has python3 without venv).
make_venv() {
    if python3 -m venv "$1" 2>/dev/null; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y -q python3-venv >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
        rm -rf "$1"
        python3 -m venv "$1"
    else
        echo "python3 -m venv failed; install python3-venv" >&2
        return 1
    fi
}
