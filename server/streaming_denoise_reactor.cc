#include "server/streaming_denoise_reactor.h"

#include "dsp/audio_encoder.h"
#include "server/denoise_options.h"
#include "server/proto_time.h"

namespace auris::server {
namespace {

constexpr StreamConfigErrors kErrors = {"StreamingDenoiseRequest", "config", "DenoiseConfig", "a"};

}  // namespace

StreamingDenoiseReactor::StreamingDenoiseReactor(grpc::CallbackServerContext* context,
                                                 ServerState* state)
    : ConfigFirstReactor(context, state, "StreamingDenoise", kErrors) {
  Begin();
}

absl::Status StreamingDenoiseReactor::Configure(const v1::StreamingDenoiseRequest& request) {
  absl::StatusOr<DenoiseOptions> options =
      ResolveDenoiseOptions(request.config(), state().registry(), /*streaming=*/true);
  if (!options.ok()) return options.status();
  pipeline_ = options->pipeline;
  output_encoding_ = options->output.encoding;
  if (output_encoding_ == dsp::Encoding::kUnspecified) {
    output_encoding_ = dsp::IsRawEncoding(options->input.encoding) ? options->input.encoding
                                                                   : dsp::Encoding::kLinear16;
  }
  requested_output_rate_hz_ = options->output.sample_rate_hz;
  return OpenAudio(options->input);
}

absl::Status StreamingDenoiseReactor::StartModel(int rate_hz) {
  output_rate_hz_ = requested_output_rate_hz_ > 0 ? requested_output_rate_hz_ : rate_hz;
  absl::StatusOr<std::unique_ptr<models::DenoiseStream>> stream =
      pipeline_->CreateStream(rate_hz, output_rate_hz_);
  if (!stream.ok()) return stream.status();
  stream_ = *std::move(stream);
  return absl::OkStatus();
}

absl::Status StreamingDenoiseReactor::Process(const std::vector<float>& samples) {
  enhanced_.clear();
  if (absl::Status s = stream_->Accept(samples, &enhanced_); !s.ok()) return s;
  return SendAudio();
}

absl::Status StreamingDenoiseReactor::End(const std::vector<float>* late) {
  if (late != nullptr) {
    if (absl::Status s = Process(*late); !s.ok()) return s;
  }
  enhanced_.clear();
  if (absl::Status s = stream_->Flush(&enhanced_); !s.ok()) return s;
  return SendAudio();
}

absl::Status StreamingDenoiseReactor::SendAudio() {
  if (enhanced_.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> bytes =
      dsp::EncodeAudio(enhanced_, output_rate_hz_, output_encoding_);
  if (!bytes.ok()) return bytes.status();
  v1::StreamingDenoiseResponse response;
  response.set_audio_content(*std::move(bytes));
  SetSampleDuration(samples_sent_, output_rate_hz_, response.mutable_offset());
  samples_sent_ += static_cast<long long>(enhanced_.size());
  Send(std::move(response));
  return absl::OkStatus();
}

}  // namespace auris::server
