// Cepstral mean and variance normalisation of feature rows, in place, per bin (dimension):
// global statistics (mean and std per bin, e.g. a model file's cmvn.mean / cmvn.std tensors)
// or a causal running mean that restarts with the stream. One per stream; not thread-safe;
// allocates only in Create().
#ifndef AURIS_DSP_CMVN_H_
#define AURIS_DSP_CMVN_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::dsp {

enum class CmvnMode {
  kNone,
  kGlobal,       // (x - cmvn_mean) / cmvn_std per output bin, stats from the caller/model file
  kRunningMean,  // x[t] - mean(x[0..t]) per output bin (causal, reset with the stream)
};
std::string_view CmvnModeName(CmvnMode mode);  // "none", "global", "running_mean"

struct CmvnConfig {
  CmvnMode mode = CmvnMode::kNone;
  int dim = 0;              // values per row, >= 1
  std::vector<float> mean;  // (dim,), kGlobal only
  std::vector<float> std;   // (dim,), finite and > 0, kGlobal only

  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

class Cmvn {
 public:
  static absl::StatusOr<std::unique_ptr<Cmvn>> Create(const CmvnConfig& config);

  // rows: row-major (T, dim), normalised in place; T may be 0. With kRunningMean each row also
  // enters the running mean (rows are in stream order across calls).
  void Apply(std::span<float> rows);
  void Reset();
  const CmvnConfig& config() const { return config_; }

 private:
  explicit Cmvn(const CmvnConfig& config);

  CmvnConfig config_;
  std::vector<float> inverse_std_;   // (dim,), kGlobal
  std::vector<double> running_sum_;  // (dim,), kRunningMean
  long long running_count_ = 0;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_CMVN_H_
