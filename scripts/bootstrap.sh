#!/usr/bin/env bash
# Create .venv and install vigil with its development tools, on a fresh Debian-like machine.
# Installs the few Debian packages needed when they are missing: a C++ compiler (pdqhash ships as
# source and compiles the reference PDQ code), the Python headers, and Chromium (the workspace's
# browser tests drive Debian's Chromium through Playwright; Playwright's own browsers are never
# downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin=""
for candidate in python3.11 python3.12 python3.13 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    python_bin=$candidate; break
  fi
done

need=()
[ -n "$python_bin" ] || need+=(python3 python3-venv python3-dev)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ -n "$python_bin" ] && ! "$python_bin" -c 'import sysconfig, os, sys; \
    sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)'; then
  need+=(python3-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
  [ -n "$python_bin" ] || python_bin=python3
fi

if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# The Spark engine (VIGIL_ENGINE=spark) needs Java; where Java runs, install PySpark too (about
# 490 MB, 1.5 minutes here: it builds a wheel from source) so `make test` covers Spark.
extras=dev
if java -version >/dev/null 2>&1; then
  extras=dev,spark
else
  echo "bootstrap: no Java runtime; the Spark engine and its tests are left out (DuckDB only)"
fi
.venv/bin/python -m pip install -q -e ".[$extras]"
touch .venv/.installed
echo "bootstrap: .venv ready ($(.venv/bin/python --version))"
