#!/usr/bin/env bash
# Demo request: synthesises speech (espeak-ng), adds pink noise at about 5 dB SNR (sox),
# denoises it through auris-server (unary and streaming) and prints SNR / SI-SDR before and
# after, then transcribes it and scores its emotion. Usage: scripts/demo.sh [HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
server=${1:-127.0.0.1:50051}
auris=${AURIS_BUILD_DIR:-build}/clients/auris
dir=${AURIS_DEMO_DIR:-$(mktemp -d /tmp/auris-demo.XXXXXX)}
mkdir -p "$dir"
espeak-ng -v en-us -s 150 -w "$dir/speech.wav" \
  "Real time speech needs clean audio. This sentence was spoken by a synthetic voice and \
mixed with noise, and auris removes most of that noise while keeping the words."
sox "$dir/speech.wav" -r 16000 -c 1 -b 16 "$dir/clean.wav" norm -6
len=$(soxi -D "$dir/clean.wav")
sox -n -r 16000 -c 1 -b 16 "$dir/noise.wav" synth "$len" pinknoise vol 0.12
sox -m "$dir/clean.wav" "$dir/noise.wav" -b 16 "$dir/noisy.wav"
echo "demo: unary Denoise of $dir/noisy.wav"
"$auris" --server "$server" denoise "$dir/noisy.wav" -o "$dir/denoised.wav" \
  --reference "$dir/clean.wav"
echo "demo: StreamingDenoise in 100 ms chunks"
"$auris" --server "$server" denoise --streaming "$dir/noisy.wav" -o "$dir/denoised_stream.wav" \
  --reference "$dir/clean.wav"
echo "demo: Recognize (the default asr model, an early one: expect wrong words) of $dir/clean.wav"
"$auris" --server "$server" transcribe "$dir/clean.wav" || echo "demo: transcribe failed"
echo "demo: AnalyzeEmotion of $dir/clean.wav"
"$auris" --server "$server" emotion "$dir/clean.wav" || echo "demo: emotion failed"
echo "demo: files are in $dir (clean.wav, noisy.wav, denoised.wav)"
