#!/usr/bin/env bash
# Writes the seed corpus of tests/fuzz/audio_decoder_fuzz: tiny WAV/FLAC/OGG files made by sox
# (20 ms of a tone), each prefixed by the fuzzer's 2 control bytes (format selector, chunk);
# and that of tests/fuzz/network_fuzz: copies of the golden model files of tests/nn/golden
# (every layer type: conv1d, conv2d, gru, lstm, attention_pool, ...); and that of
# tests/fuzz/lm_binary_fuzz: the golden ARPA models compiled by auris-lm-compile
# ($AURIS_LM_COMPILE, default build/bin/auris-lm-compile), each prefixed by the fuzzer's control
# byte (1 = fix the checksum, 3 = also load through a file), plus a 1-gram model.
# Usage: scripts/make_fuzz_seeds.sh [audio_decoder] [network] [lm_binary]  (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=" ${*:-audio_decoder network lm_binary} "
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ $targets == *" audio_decoder "* ]]; then
out=tests/fuzz/corpus/audio_decoder
mkdir -p "$out"
sox -n -r 8000 -c 1 -b 16 "$tmp/t.wav" synth 0.02 sine 440
sox -n -r 8000 -c 2 -b 24 "$tmp/t24.wav" synth 0.02 sine 440
sox -n -r 8000 -c 1 -e u-law "$tmp/tu.wav" synth 0.02 sine 440
sox -n -r 8000 -c 1 -e floating-point -b 32 "$tmp/tf.wav" synth 0.02 sine 440
sox -n -r 8000 -c 1 "$tmp/t.flac" synth 0.02 sine 440
sox -n -r 8000 -c 1 "$tmp/t.ogg" synth 0.05 sine 440
seed() { { printf "\\x$(printf %02x "$1")\\x$(printf %02x "$2")"; cat "$3"; } > "$out/$4"; }
seed 0 7 "$tmp/t.wav" wav16
seed 5 0 "$tmp/t24.wav" wav24_stereo
seed 5 30 "$tmp/tu.wav" wav_mulaw
seed 5 3 "$tmp/tf.wav" wav_float
seed 0 100 "$tmp/t.flac" flac
seed 0 100 "$tmp/t.ogg" ogg_vorbis
sox "$tmp/t.wav" -t raw "$tmp/t.raw"
seed 10 9 "$tmp/t.raw" linear16_8k
seed 12 1 "$tmp/t.raw" mulaw_8k
ls -l "$out"
fi
if [[ $targets == *" network "* ]]; then
net=tests/fuzz/corpus/network
mkdir -p "$net"
cp tests/nn/golden/model_tiny.safetensors tests/nn/golden/network_*.safetensors "$net"/
ls -l "$net"
fi
if [[ $targets == *" lm_binary "* ]]; then
lmdir=tests/fuzz/corpus/lm_binary
mkdir -p "$lmdir"
compile=${AURIS_LM_COMPILE:-build/bin/auris-lm-compile}
printf '\\data\\\nngram 1=3\n\n\\1-grams:\n-99.0\t<s>\n-0.5\t</s>\n-0.3\tyes\n\n\\end\\\n' \
  > "$tmp/unigram.arpa"
"$compile" "$tmp/unigram.arpa" "$tmp/unigram.bin"
"$compile" tests/nn/golden/tiny_3gram.arpa "$tmp/tiny_3gram.bin"
"$compile" tests/models/golden/asr_tiny.arpa "$tmp/asr_tiny.bin"
lmseed() { { printf "\\x$(printf %02x "$1")"; cat "$2"; } > "$lmdir/$3"; }
lmseed 1 "$tmp/unigram.bin" unigram
lmseed 1 "$tmp/tiny_3gram.bin" tiny_3gram
lmseed 3 "$tmp/asr_tiny.bin" asr_tiny_file
ls -l "$lmdir"
fi
