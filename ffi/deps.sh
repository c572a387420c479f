# Sourced by ffi/test.sh and ffi/bench.sh: installs missing Debian packages and a Rust toolchain.
#
#   nts_require_packages PKG...   apt-get installs the packages that are not installed yet
#   nts_require_cargo             makes sure `cargo` runs; on a machine without Rust it installs
#                                 Debian's Rust 1.96 (rustc-web, cargo-web from bookworm-security;
#                                 core needs Rust >= 1.85, more than bookworm's plain `cargo`)

nts_apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "apt-get install: $*"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@"
}

nts_require_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    nts_apt_install "${missing[@]}"
  else
    echo "system packages present: $*"
  fi
}

nts_require_cargo() {
  if command -v cargo >/dev/null 2>&1; then
    return 0
  fi
  nts_apt_install rustc-web cargo-web
  command -v cargo >/dev/null 2>&1 || { echo "cargo still not found after installing cargo-web" >&2; return 1; }
}
