#include "server/streaming_denoise_reactor.h"

#include "absl/strings/str_cat.h"
#include "dsp/audio_encoder.h"
#include "server/denoise_options.h"

namespace auris::server {

StreamingDenoiseReactor::StreamingDenoiseReactor(grpc::CallbackServerContext* context,
                                                 ServerState* state)
    : StreamReactor(context, state, "StreamingDenoise") {
  Begin();
}

absl::Status StreamingDenoiseReactor::HandleMessage(const v1::StreamingDenoiseRequest& request) {
  switch (request.streaming_request_case()) {
    case v1::StreamingDenoiseRequest::kConfig:
      if (decoder_) {
        return absl::FailedPreconditionError(
            "config was sent twice; send it only in the first message");
      }
      return Configure(request.config());
    case v1::StreamingDenoiseRequest::kAudioContent:
      break;
    default:
      return absl::InvalidArgumentError(
          "a StreamingDenoiseRequest must set config (first message) or audio_content");
  }
  if (!decoder_) {
    return absl::FailedPreconditionError(
        "the first message must be a config (DenoiseConfig); audio_content came first");
  }
  decoded_.clear();
  if (absl::Status s = decoder_->Accept(request.audio_content(), &decoded_); !s.ok()) return s;
  const double seconds =
      decoder_->sample_rate_hz() > 0
          ? static_cast<double>(decoder_->samples_out()) / decoder_->sample_rate_hz()
          : 0.0;
  if (seconds > state().config().max_stream_seconds) {
    return absl::OutOfRangeError(absl::StrCat("the stream carried more than ",
                                              state().config().max_stream_seconds,
                                              " s of audio (max_stream_seconds); start a new "
                                              "stream for more"));
  }
  if (!stream_) {
    waiting_.insert(waiting_.end(), decoded_.begin(), decoded_.end());
    if (absl::Status s = StartModelIfReady(); !s.ok()) return s;
    if (!stream_) return absl::OkStatus();
    decoded_.swap(waiting_);
    waiting_.clear();
  }
  if (decoder_->sample_rate_hz() > 0) {
    AddAudioSeconds(static_cast<double>(decoded_.size()) / decoder_->sample_rate_hz());
  }
  enhanced_.clear();
  if (absl::Status s = stream_->Accept(decoded_, &enhanced_); !s.ok()) return s;
  return SendAudio();
}

absl::Status StreamingDenoiseReactor::HandleEnd() {
  if (!decoder_) {
    return absl::FailedPreconditionError(
        "the stream ended before a config was sent; the first message must be a DenoiseConfig");
  }
  if (absl::Status s = decoder_->Finish(); !s.ok()) return s;
  if (!stream_) {
    if (absl::Status s = StartModelIfReady(); !s.ok()) return s;
    if (!stream_) return absl::InvalidArgumentError("the stream carried no audio samples");
    enhanced_.clear();
    if (absl::Status s = stream_->Accept(waiting_, &enhanced_); !s.ok()) return s;
    if (absl::Status s = SendAudio(); !s.ok()) return s;
  }
  enhanced_.clear();
  if (absl::Status s = stream_->Flush(&enhanced_); !s.ok()) return s;
  return SendAudio();
}

absl::Status StreamingDenoiseReactor::Configure(const v1::DenoiseConfig& config) {
  absl::StatusOr<DenoiseOptions> options =
      ResolveDenoiseOptions(config, state().registry(), /*streaming=*/true);
  if (!options.ok()) return options.status();
  absl::StatusOr<std::unique_ptr<dsp::StreamDecoder>> decoder =
      dsp::StreamDecoder::Create(options->input);
  if (!decoder.ok()) return decoder.status();
  decoder_ = *std::move(decoder);
  pipeline_ = options->pipeline;
  output_encoding_ = options->output.encoding;
  if (output_encoding_ == dsp::Encoding::kUnspecified) {
    output_encoding_ = dsp::IsRawEncoding(options->input.encoding) ? options->input.encoding
                                                                   : dsp::Encoding::kLinear16;
  }
  requested_output_rate_hz_ = options->output.sample_rate_hz;
  return StartModelIfReady();
}

absl::Status StreamingDenoiseReactor::StartModelIfReady() {
  const int input_rate = decoder_->sample_rate_hz();
  if (input_rate <= 0) return absl::OkStatus();
  output_rate_hz_ = requested_output_rate_hz_ > 0 ? requested_output_rate_hz_ : input_rate;
  absl::StatusOr<std::unique_ptr<models::DenoiseStream>> stream =
      pipeline_->CreateStream(input_rate, output_rate_hz_);
  if (!stream.ok()) return stream.status();
  stream_ = *std::move(stream);
  return absl::OkStatus();
}

absl::Status StreamingDenoiseReactor::SendAudio() {
  if (enhanced_.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> bytes =
      dsp::EncodeAudio(enhanced_, output_rate_hz_, output_encoding_);
  if (!bytes.ok()) return bytes.status();
  v1::StreamingDenoiseResponse response;
  response.set_audio_content(*std::move(bytes));
  const long long whole = samples_sent_ / output_rate_hz_;
  const long long rest = samples_sent_ % output_rate_hz_;
  response.mutable_offset()->set_seconds(whole);
  response.mutable_offset()->set_nanos(static_cast<int>(rest * 1000000000LL / output_rate_hz_));
  samples_sent_ += static_cast<long long>(enhanced_.size());
  Send(std::move(response));
  return absl::OkStatus();
}

}  // namespace auris::server
