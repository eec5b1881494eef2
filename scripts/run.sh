#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts auris-server on 127.0.0.1:50051 with
# the shipped models, waits for SERVING, runs a demo request, and keeps serving until Ctrl-C.
# Extra arguments go to auris-server (e.g. --listen 127.0.0.1:6000 --metrics_port 9090).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target auris-server auris
build_dir=${AURIS_BUILD_DIR:-build}
listen=127.0.0.1:50051
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--listen" ] && listen=${args[$((i + 1))]}
done
"$build_dir/server/auris-server" --listen "$listen" --log_format text "$@" &
server_pid=$!
stop() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
if ! "$build_dir/clients/auris" --server "$listen" health --wait 60; then
  echo "run: auris-server did not become SERVING" >&2
  stop
  exit 1
fi
scripts/demo.sh "$listen"
echo
echo "auris-server is serving on $listen (Ctrl-C stops it). Try:"
echo "  $build_dir/clients/auris --server $listen models"
echo "  $build_dir/clients/auris --server $listen denoise IN.wav -o OUT.wav"
wait "$server_pid"
