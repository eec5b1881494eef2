#include "dsp/resampler.h"

#include <soxr.h>

#include <algorithm>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "dsp/audio_format.h"

namespace auris::dsp {
namespace {

constexpr std::size_t kFlushBlock = 1024;
constexpr std::size_t kOutputMargin = 16;

struct SoxrDeleter {
  void operator()(soxr_t soxr) const { soxr_delete(soxr); }
};
using SoxrPtr = std::unique_ptr<std::remove_pointer_t<soxr_t>, SoxrDeleter>;

absl::Status CheckRate(const char* which, int rate_hz) {
  if (rate_hz < kMinSampleRateHz || rate_hz > kMaxSampleRateHz) {
    return absl::InvalidArgumentError(absl::StrFormat("%s rate %d Hz is outside %d..%d", which,
                                                      rate_hz, kMinSampleRateHz, kMaxSampleRateHz));
  }
  return absl::OkStatus();
}

}  // namespace

struct Resampler::Impl {
  int input_rate_hz = 0;
  int output_rate_hz = 0;
  SoxrPtr soxr;
  long long input_total = 0;
  long long output_total = 0;

  long long ExpectedOutput() const {
    const long long scaled = input_total * output_rate_hz;
    return (2 * scaled + input_rate_hz) / (2LL * input_rate_hz);
  }
  std::size_t OutputRoom(std::size_t input_samples) const {
    return input_samples * static_cast<std::size_t>(output_rate_hz) /
               static_cast<std::size_t>(input_rate_hz) +
           kOutputMargin;
  }
};

absl::StatusOr<std::unique_ptr<Resampler>> Resampler::Create(int input_rate_hz,
                                                             int output_rate_hz) {
  if (absl::Status status = CheckRate("input", input_rate_hz); !status.ok()) return status;
  if (absl::Status status = CheckRate("output", output_rate_hz); !status.ok()) return status;
  auto impl = std::make_unique<Impl>();
  impl->input_rate_hz = input_rate_hz;
  impl->output_rate_hz = output_rate_hz;
  if (input_rate_hz != output_rate_hz) {
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
    soxr_error_t error = nullptr;
    impl->soxr.reset(
        soxr_create(input_rate_hz, output_rate_hz, 1, &error, &io, &quality, &runtime));
    if (error != nullptr || impl->soxr == nullptr) {
      return absl::InternalError(absl::StrFormat("soxr_create(%d -> %d Hz) failed: %s",
                                                 input_rate_hz, output_rate_hz,
                                                 error != nullptr ? error : "no resampler"));
    }
  }
  return std::unique_ptr<Resampler>(new Resampler(std::move(impl)));
}

Resampler::Resampler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Resampler::~Resampler() = default;

void Resampler::Accept(std::span<const float> input, std::vector<float>* out) {
  Impl& s = *impl_;
  s.input_total += static_cast<long long>(input.size());
  if (s.soxr == nullptr) {
    out->insert(out->end(), input.begin(), input.end());
    s.output_total += static_cast<long long>(input.size());
    return;
  }
  while (!input.empty()) {
    const std::size_t before = out->size();
    const std::size_t room = s.OutputRoom(input.size());
    out->resize(before + room);
    std::size_t consumed = 0;
    std::size_t produced = 0;
    soxr_process(s.soxr.get(), input.data(), input.size(), &consumed, out->data() + before, room,
                 &produced);
    out->resize(before + produced);
    s.output_total += static_cast<long long>(produced);
    input = input.subspan(consumed);
    if (consumed == 0 && produced == 0) break;
  }
}

void Resampler::Flush(std::vector<float>* out) {
  Impl& s = *impl_;
  const long long expected = s.ExpectedOutput();
  if (s.soxr != nullptr) {
    for (;;) {
      const std::size_t before = out->size();
      out->resize(before + kFlushBlock);
      std::size_t produced = 0;
      soxr_process(s.soxr.get(), nullptr, 0, nullptr, out->data() + before, kFlushBlock, &produced);
      const auto wanted = static_cast<std::size_t>(std::max(0LL, expected - s.output_total));
      const std::size_t kept = std::min(produced, wanted);
      out->resize(before + kept);
      s.output_total += static_cast<long long>(kept);
      if (produced == 0 || kept < produced) break;
    }
  }
  if (s.output_total < expected) out->resize(out->size() + (expected - s.output_total), 0.0f);
  Reset();
}

void Resampler::Reset() {
  Impl& s = *impl_;
  if (s.soxr != nullptr) soxr_clear(s.soxr.get());
  s.input_total = 0;
  s.output_total = 0;
}

int Resampler::input_rate_hz() const { return impl_->input_rate_hz; }
int Resampler::output_rate_hz() const { return impl_->output_rate_hz; }

absl::StatusOr<std::vector<float>> Resample(std::span<const float> input, int input_rate_hz,
                                            int output_rate_hz) {
  absl::StatusOr<std::unique_ptr<Resampler>> resampler =
      Resampler::Create(input_rate_hz, output_rate_hz);
  if (!resampler.ok()) return resampler.status();
  std::vector<float> out;
  out.reserve(input.size() * static_cast<std::size_t>(output_rate_hz) /
                  static_cast<std::size_t>(input_rate_hz) +
              1);
  (*resampler)->Accept(input, &out);
  (*resampler)->Flush(&out);
  return out;
}

}  // namespace auris::dsp
