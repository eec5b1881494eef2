#!/usr/bin/env bash
# Configures and builds auris (Release, tests on) in build/. Extra arguments are passed to
# `cmake --build` (e.g. --target auris-server). The CUDA backend is built when a CUDA
# toolkit is found; otherwise this says it skipped it.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${AURIS_BUILD_DIR:-build}
cuda_args=(-DAURIS_WITH_CUDA=OFF)
nvcc=$(command -v nvcc || true)
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
if [ -n "$nvcc" ] && [ "${AURIS_SKIP_CUDA:-0}" != 1 ]; then
  echo "build: CUDA toolkit found ($nvcc): building the CUDA backend"
  cuda_args=(-DAURIS_WITH_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc")
else
  echo "build: CUDA toolkit not found: skipped the CUDA backend (CPU only)"
fi
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAURIS_BUILD_TESTS=ON \
  -DAURIS_BUILD_BENCH=ON -DAURIS_WERROR="$werror" "${cuda_args[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" "$@"
