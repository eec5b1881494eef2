// One Enhancement.StreamingDenoise call: config first, then raw/WAV audio chunks in; raw PCM
// chunks out, aligned with the input and stamped with their input offset. Output samples
// equal those of the unary Denoise on the same audio. Runs on workers (see ConfigFirstReactor).
#ifndef AURIS_SERVER_STREAMING_DENOISE_REACTOR_H_
#define AURIS_SERVER_STREAMING_DENOISE_REACTOR_H_

#include <memory>
#include <vector>

#include "auris/v1/enhancement.grpc.pb.h"
#include "dsp/audio_format.h"
#include "models/denoise/denoise_pipeline.h"
#include "server/config_first_reactor.h"

namespace auris::server {

class StreamingDenoiseReactor
    : public ConfigFirstReactor<v1::StreamingDenoiseRequest, v1::StreamingDenoiseResponse,
                                v1::StreamingDenoiseRequest::kConfig> {
 public:
  StreamingDenoiseReactor(grpc::CallbackServerContext* context, ServerState* state);

 private:
  absl::Status Configure(const v1::StreamingDenoiseRequest& request) override;
  absl::Status StartModel(int rate_hz) override;
  bool model_started() const override { return stream_ != nullptr; }
  absl::Status Process(const std::vector<float>& samples) override;
  absl::Status End(const std::vector<float>* late) override;
  absl::Status SendAudio();

  const models::DenoisePipeline* pipeline_ = nullptr;
  std::unique_ptr<models::DenoiseStream> stream_;
  dsp::Encoding output_encoding_ = dsp::Encoding::kLinear16;
  int requested_output_rate_hz_ = 0;  // 0 = the input's rate
  int output_rate_hz_ = 0;
  long long samples_sent_ = 0;
  std::vector<float> enhanced_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_STREAMING_DENOISE_REACTOR_H_
