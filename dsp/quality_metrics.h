// Objective quality measures for enhancement (used by tests, benchmarks and the CLI).
// Pure functions; thread-safe.
#ifndef AURIS_DSP_QUALITY_METRICS_H_
#define AURIS_DSP_QUALITY_METRICS_H_

#include <span>

namespace auris::dsp {

// Scale-invariant signal-to-distortion ratio in dB (Le Roux et al. 2019), over the common
// length; both signals are mean-removed first.
double SiSdrDb(std::span<const float> reference, std::span<const float> estimate);
// Plain SNR in dB of `estimate` against `reference` (10 log10 |ref|^2 / |ref - est|^2).
double SnrDb(std::span<const float> reference, std::span<const float> estimate);

}  // namespace auris::dsp

#endif  // AURIS_DSP_QUALITY_METRICS_H_
