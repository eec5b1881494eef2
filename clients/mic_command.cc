#include "clients/mic_command.h"

#include <portaudio.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "auris/v1/enhancement.grpc.pb.h"
#include "dsp/audio_encoder.h"
#include "dsp/audio_format.h"

namespace auris::client {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
void OnSigint(int) { g_stop = true; }

// Pa_Initialize / Pa_Terminate.
class PortAudioSession {
 public:
  PortAudioSession() : error_(Pa_Initialize()) {}
  ~PortAudioSession() {
    if (error_ == paNoError) Pa_Terminate();
  }
  PaError error() const { return error_; }

 private:
  PaError error_;
};

struct StreamCloser {
  void operator()(PaStream* s) const {
    Pa_StopStream(s);
    Pa_CloseStream(s);
  }
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

}  // namespace

int RunMic(const GlobalOptions& global, const MicOptions& options) {
  PortAudioSession session;
  if (session.error() != paNoError) {
    std::cerr << "error: PortAudio: " << Pa_GetErrorText(session.error()) << "\n";
    return 1;
  }
  if (options.list_devices) {
    for (int i = 0; i < Pa_GetDeviceCount(); ++i) {
      const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
      if (info && info->maxInputChannels > 0) {
        std::cout << i << "\t" << info->name << "\t" << info->defaultSampleRate << " Hz\n";
      }
    }
    return 0;
  }
  const int device = options.device >= 0 ? options.device : Pa_GetDefaultInputDevice();
  if (device == paNoDevice || device >= Pa_GetDeviceCount()) {
    std::cerr << "error: no audio input device (try `auris mic --list_devices`)\n";
    return 1;
  }
  PaStreamParameters input{};
  input.device = device;
  input.channelCount = 1;
  input.sampleFormat = paInt16;
  input.suggestedLatency = Pa_GetDeviceInfo(device)->defaultLowInputLatency;
  const unsigned long frames =
      static_cast<unsigned long>(options.sample_rate_hz) * options.chunk_ms / 1000;
  PaStream* raw = nullptr;
  PaError err = Pa_OpenStream(&raw, &input, nullptr, options.sample_rate_hz, frames, paClipOff,
                              nullptr, nullptr);
  if (err != paNoError) {
    std::cerr << "error: cannot open input device " << device << ": " << Pa_GetErrorText(err)
              << "\n";
    return 1;
  }
  std::unique_ptr<PaStream, StreamCloser> stream(raw);
  auto stub = v1::Enhancement::NewStub(MakeChannel(global));
  grpc::ClientContext context;
  auto call = stub->StreamingDenoise(&context);
  v1::StreamingDenoiseRequest request;
  request.mutable_config()->set_model(options.model);
  request.mutable_config()->mutable_format()->set_encoding(v1::LINEAR16);
  request.mutable_config()->mutable_format()->set_sample_rate_hertz(options.sample_rate_hz);
  request.mutable_config()->mutable_output_format()->set_encoding(v1::FLOAT32);
  call->Write(request);

  std::mutex mu;
  // (first sample of a sent chunk, when it was sent): latency is until output reaches past it.
  std::deque<std::pair<long long, Clock::time_point>> pending;
  std::vector<double> latencies_ms;
  std::vector<float> denoised;
  std::thread reader([&] {
    v1::StreamingDenoiseResponse response;
    while (call->Read(&response)) {
      const size_t n = response.audio_content().size() / 4;
      const auto now = Clock::now();
      std::lock_guard<std::mutex> lock(mu);
      const size_t old = denoised.size();
      denoised.resize(old + n);
      std::memcpy(denoised.data() + old, response.audio_content().data(), n * 4);
      while (!pending.empty() && static_cast<long long>(denoised.size()) > pending.front().first) {
        latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(now - pending.front().second).count());
        pending.pop_front();
      }
    }
  });

  std::signal(SIGINT, OnSigint);
  err = Pa_StartStream(stream.get());
  std::vector<int16_t> chunk(frames);
  long long captured = 0;
  const long long limit =
      options.seconds > 0 ? static_cast<long long>(options.seconds * options.sample_rate_hz) : -1;
  long long overflows = 0;
  while (err == paNoError && !g_stop && (limit < 0 || captured < limit)) {
    const PaError r = Pa_ReadStream(stream.get(), chunk.data(), frames);
    if (r == paInputOverflowed) {
      ++overflows;
    } else if (r != paNoError) {
      err = r;
      break;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      pending.emplace_back(captured, Clock::now());
    }
    captured += static_cast<long long>(frames);
    request.set_audio_content(reinterpret_cast<const char*>(chunk.data()), frames * 2);
    if (!call->Write(request)) break;
  }
  std::signal(SIGINT, SIG_DFL);
  call->WritesDone();
  reader.join();
  const grpc::Status status = call->Finish();
  if (err != paNoError) std::cerr << "error: PortAudio: " << Pa_GetErrorText(err) << "\n";
  if (!status.ok()) return ReportRpcError(global, "mic", status);
  const v1::AudioEncoding out = EncodingForPath(options.output);
  absl::StatusOr<std::string> bytes =
      dsp::EncodeAudio(denoised, options.sample_rate_hz,
                       out == v1::AUDIO_ENCODING_UNSPECIFIED ? dsp::Encoding::kWav
                                                             : static_cast<dsp::Encoding>(out));
  if (!bytes.ok() || !WriteFileBytes(options.output, *bytes).ok()) {
    std::cerr << "error: cannot write " << options.output << "\n";
    return 1;
  }
  nlohmann::json report = {
      {"device", Pa_GetDeviceInfo(device)->name},
      {"captured_seconds", static_cast<double>(captured) / options.sample_rate_hz},
      {"denoised_seconds", static_cast<double>(denoised.size()) / options.sample_rate_hz},
      {"chunk_ms", options.chunk_ms},
      {"input_overflows", overflows},
      {"latency_ms",
       {{"p50", Percentile(latencies_ms, 0.5)},
        {"p90", Percentile(latencies_ms, 0.9)},
        {"max", Percentile(latencies_ms, 1.0)}}},
      {"output", options.output}};
  std::cout << (global.json ? report.dump() : report.dump(2)) << "\n";
  return err == paNoError ? 0 : 1;
}

}  // namespace auris::client
