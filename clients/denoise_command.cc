#include "clients/denoise_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "auris/v1/enhancement.grpc.pb.h"
#include "dsp/audio_decoder.h"
#include "dsp/audio_encoder.h"
#include "dsp/quality_metrics.h"

namespace auris::client {
namespace {

namespace fs = std::filesystem;

struct Result {
  std::string bytes;  // what to write to the output file
  double seconds = 0;
};

grpc::Status DenoiseUnary(const GlobalOptions& global, const DenoiseOptions& options,
                          v1::Enhancement::Stub* stub, const std::string& input,
                          const std::string& output_path, Result* result) {
  v1::DenoiseRequest request;
  request.mutable_config()->set_model(options.model);
  request.mutable_config()->mutable_output_format()->set_encoding(EncodingForPath(output_path));
  request.set_audio_content(input);
  v1::DenoiseResponse response;
  grpc::ClientContext context;
  SetDeadline(global, &context);
  grpc::Status status = stub->Denoise(&context, request, &response);
  if (status.ok()) result->bytes = std::move(*response.mutable_audio_content());
  return status;
}

grpc::Status DenoiseStreaming(const GlobalOptions& global, const DenoiseOptions& options,
                              v1::Enhancement::Stub* stub, const std::string& input,
                              int sample_rate_hz, const std::string& output_path, Result* result) {
  grpc::ClientContext context;
  SetDeadline(global, &context);
  auto call = stub->StreamingDenoise(&context);
  v1::StreamingDenoiseRequest request;
  request.mutable_config()->set_model(options.model);
  request.mutable_config()->mutable_output_format()->set_encoding(v1::FLOAT32);
  call->Write(request);
  const size_t chunk = static_cast<size_t>(sample_rate_hz) * 2 * options.chunk_ms / 1000;
  std::vector<float> samples;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    request.set_audio_content(input.substr(pos, chunk));
    if (!call->Write(request)) break;
  }
  call->WritesDone();
  v1::StreamingDenoiseResponse response;
  while (call->Read(&response)) {
    const std::string& b = response.audio_content();
    const size_t n = b.size() / 4;
    const size_t old = samples.size();
    samples.resize(old + n);
    std::memcpy(samples.data() + old, b.data(), n * 4);
  }
  grpc::Status status = call->Finish();
  if (!status.ok()) return status;
  v1::AudioEncoding out = EncodingForPath(output_path);
  const dsp::Encoding encoding =
      out == v1::AUDIO_ENCODING_UNSPECIFIED ? dsp::Encoding::kWav : static_cast<dsp::Encoding>(out);
  absl::StatusOr<std::string> bytes = dsp::EncodeAudio(samples, sample_rate_hz, encoding);
  if (!bytes.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, bytes.status().ToString());
  result->bytes = *std::move(bytes);
  return status;
}

std::string OutputPathFor(const DenoiseOptions& options, const std::string& input, bool many) {
  if (!many && !fs::is_directory(options.output)) return options.output;
  return (fs::path(options.output) / fs::path(input).filename()).string();
}

}  // namespace

int RunDenoise(const GlobalOptions& global, const DenoiseOptions& options) {
  absl::StatusOr<std::vector<std::string>> inputs = ExpandInputs(options.inputs);
  if (!inputs.ok()) {
    std::cerr << "error: " << inputs.status().message() << "\n";
    return 2;
  }
  const bool many = inputs->size() > 1;
  if (many) fs::create_directories(options.output);
  auto stub = v1::Enhancement::NewStub(MakeChannel(global));
  // The clean reference (--reference), read once for every input.
  absl::StatusOr<dsp::DecodedAudio> clean = absl::NotFoundError("no reference");
  if (!options.reference.empty()) {
    absl::StatusOr<std::string> ref_bytes = ReadFileBytes(options.reference);
    clean = ref_bytes.ok() ? dsp::DecodeAudio(*ref_bytes, {}) : ref_bytes.status();
  }
  const int failures = ForEachFile(*inputs, [&](const std::string& path, const std::string& bytes) {
    absl::StatusOr<dsp::DecodedAudio> noisy = dsp::DecodeAudio(bytes, {});
    const std::string out_path = OutputPathFor(options, path, many);
    Result result;
    const auto start = std::chrono::steady_clock::now();
    grpc::Status status;
    if (options.streaming) {
      if (!noisy.ok()) {
        std::cerr << "error: " << path << ": " << noisy.status().message() << "\n";
        return 1;
      }
      status = DenoiseStreaming(global, options, stub.get(), bytes, noisy->sample_rate_hz, out_path,
                                &result);
    } else {
      status = DenoiseUnary(global, options, stub.get(), bytes, out_path, &result);
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!status.ok()) {
      return ReportRpcError(global, path, status);
    }
    if (absl::Status s = WriteFileBytes(out_path, result.bytes); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
    nlohmann::json report = {{"input", path}, {"output", out_path}, {"seconds_wall", wall}};
    std::string text = absl::StrFormat("%s -> %s (%.2f s)", path, out_path, wall);
    if (noisy.ok()) {
      const double audio_s = static_cast<double>(noisy->samples.size()) / noisy->sample_rate_hz;
      report["audio_seconds"] = audio_s;
      report["real_time_factor"] = wall / audio_s;
      absl::StrAppendFormat(&text, ", %.2f s of audio, real-time factor %.3f", audio_s,
                            wall / audio_s);
    }
    if (!options.reference.empty() && noisy.ok()) {
      absl::StatusOr<dsp::DecodedAudio> denoised = dsp::DecodeAudio(result.bytes, {});
      if (clean.ok() && denoised.ok()) {
        const double snr_in = dsp::SnrDb(clean->samples, noisy->samples);
        const double snr_out = dsp::SnrDb(clean->samples, denoised->samples);
        const double sisdr_in = dsp::SiSdrDb(clean->samples, noisy->samples);
        const double sisdr_out = dsp::SiSdrDb(clean->samples, denoised->samples);
        report["snr_db"] = {{"before", snr_in}, {"after", snr_out}};
        report["si_sdr_db"] = {{"before", sisdr_in}, {"after", sisdr_out}};
        absl::StrAppendFormat(&text,
                              "\n  SI-SDR (scale-invariant SNR) before %6.2f dB  after %6.2f dB"
                              "  (%+.2f dB)"
                              "\n  plain SNR (level-sensitive)  before %6.2f dB  after %6.2f dB"
                              "  (%+.2f dB)",
                              sisdr_in, sisdr_out, sisdr_out - sisdr_in, snr_in, snr_out,
                              snr_out - snr_in);
      } else {
        std::cerr << "warning: cannot compare with the reference "
                  << (clean.ok() ? denoised.status() : clean.status()).message() << "\n";
      }
    }
    std::cout << (global.json ? report.dump() : text) << "\n";
    return 0;
  });
  return failures == 0 ? 0 : 1;
}

}  // namespace auris::client
