// Long-term broadband SNR of a stream from the distribution of its frame energies, in the spirit
// of the NIST STNR measure: over a sliding window, the 95th percentile of the frame energy (dB)
// is the speech (peak) level and the 10th percentile the noise level; their difference is the
// SNR. Independent of any noise tracker, so speech that a tracker mistakes for noise cannot bias
// it. Allocates only in the constructor; not thread-safe.
#ifndef AURIS_DSP_SNR_ESTIMATOR_H_
#define AURIS_DSP_SNR_ESTIMATOR_H_

#include <vector>

namespace auris::dsp {

class FrameEnergySnrEstimator {
 public:
  // window_frames: frames in the sliding window (>= 1); floor_power: added to every frame energy
  // so that digital silence stays finite.
  FrameEnergySnrEstimator(int window_frames, float floor_power);

  // Adds one frame energy (any linear power unit) and returns the current SNR estimate, dB.
  // Returns 0 until frames with different energies have been seen.
  float Update(float frame_energy);
  void Reset();

 private:
  float Percentile(float p, int n);

  float floor_power_;
  std::vector<float> history_db_;  // ring buffer of frame energies, dB
  std::vector<float> scratch_;     // copy for nth_element
  long long count_ = 0;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_SNR_ESTIMATOR_H_
