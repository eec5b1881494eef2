#!/bin/sh
# Prints the Debian packages that own every shared library the given binaries load (ldd,
# transitive), one per line, sorted. Used by docker/Dockerfile* to install exactly the
# runtime libraries in the slim stage, so the list cannot drift from what the build links.
# Fails if a library is not found or belongs to no package (e.g. something in /usr/local).
# RUNTIME_PACKAGES_SKIP=PREFIX leaves out libraries under PREFIX (e.g. /usr/local/cuda/, which
# docker/Dockerfile.cuda copies itself).
# Usage: [RUNTIME_PACKAGES_SKIP=PREFIX] docker/runtime-packages.sh BINARY...
set -eu
[ $# -gt 0 ] || { echo "usage: $0 BINARY..." >&2; exit 2; }
for b in "$@"; do
  [ -f "$b" ] || { echo "runtime-packages: no such file: $b" >&2; exit 1; }
  if ldd "$b" | grep -q 'not found'; then
    echo "runtime-packages: $b: unresolved libraries:" >&2
    ldd "$b" | grep 'not found' >&2
    exit 1
  fi
done
libs=$(for b in "$@"; do ldd "$b"; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
owners=""
skip=${RUNTIME_PACKAGES_SKIP:-}
for lib in $libs; do
  if [ -n "$skip" ]; then
    case "$lib" in "$skip"*) continue ;; esac
  fi
  # Bookworm's dpkg database lists some libraries under /lib and some under /usr/lib.
  real=$(readlink -f "$lib")
  owner=""
  for p in "$lib" "$real" "/usr$lib" "${real#/usr}"; do
    owner=$(dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1) && [ -n "$owner" ] && break
  done
  if [ -z "$owner" ]; then
    echo "runtime-packages: no Debian package owns $lib" >&2
    exit 1
  fi
  owners="$owners $owner"
done
printf '%s\n' $owners | sort -u
