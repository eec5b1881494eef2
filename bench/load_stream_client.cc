#include "bench/load_stream_client.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"

namespace auris::bench {

using Req = v1::StreamingDenoiseRequest;

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int id) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("auris.load_driver_channel", id);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

bool WaitServing(const std::string& address, std::chrono::seconds limit) {
  auto stub = grpc::health::v1::Health::NewStub(MakeChannel(address, -1));
  const auto give_up = Clock::now() + limit;
  while (Clock::now() < give_up) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("auris.v1.Enhancement");
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    if (stub->Check(&context, request, &response).ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

v1::DenoiseConfig Linear16Config(const Options& o) {
  v1::DenoiseConfig config;
  config.mutable_format()->set_encoding(v1::LINEAR16);
  config.mutable_format()->set_sample_rate_hertz(o.sample_rate);
  config.set_model(o.model);
  return config;
}

// ------------------------------------------------------------------ StreamClient

StreamClient::StreamClient(int rate, int delay_samples, size_t max_chunks)
    : rate_(rate), delay_(delay_samples) {
  chunks_.reserve(max_chunks);
}

void StreamClient::Start(v1::Enhancement::Stub* stub, const v1::DenoiseConfig& config) {
  stub->async()->StreamingDenoise(&context_, this);
  AddHold();  // released by Finish(): writes start from outside the reactions
  Req first;
  *first.mutable_config() = config;
  Enqueue(std::move(first), false);
  StartRead(&response_);
  StartCall();
}

void StreamClient::SendChunk(std::string_view pcm, int64_t end_sample) {
  Req request;
  request.set_audio_content(std::string(pcm));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (write_failed_) return;
    const auto now = Clock::now();
    chunks_.push_back({end_sample, now, {}, false});
    MatchLocked(now);  // only when the chunk is shorter than the model delay
  }
  Enqueue(std::move(request), false);
}

void StreamClient::Finish() {
  Enqueue(Req(), true);
  RemoveHold();
}

bool StreamClient::WaitResponses(int count, Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [&] { return responses_ >= count || done_; }) &&
         responses_ >= count;
}

bool StreamClient::WaitDone(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [&] { return done_; });
}

void StreamClient::OnReadDone(bool ok) {
  if (!ok) return;
  const auto now = Clock::now();
  const int64_t offset =
      response_.offset().seconds() * rate_ +
      std::llround(static_cast<double>(response_.offset().nanos()) * rate_ / 1e9);
  const int64_t end = offset + static_cast<int64_t>(response_.audio_content().size() / 2);
  {
    std::lock_guard<std::mutex> lock(mu_);
    covered_ = std::max(covered_, end);
    ++responses_;
    MatchLocked(now);
  }
  cv_.notify_all();
  StartRead(&response_);
}

void StreamClient::OnDone(const grpc::Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    done_ = true;
  }
  cv_.notify_all();
}

void StreamClient::MatchLocked(Clock::time_point now) {
  while (next_answer_ < chunks_.size() && covered_ >= chunks_[next_answer_].end_sample - delay_) {
    chunks_[next_answer_].answered = now;
    chunks_[next_answer_].is_answered = true;
    ++next_answer_;
  }
}

void StreamClient::Enqueue(Req request, bool writes_done) {
  std::unique_lock<std::mutex> lock(mu_);
  if (write_failed_) return;
  queue_.push_back({std::move(request), writes_done});
  StartFront(lock);
}

void StreamClient::StartFront(std::unique_lock<std::mutex>& lock) {
  if (write_in_flight_ || queue_.empty()) return;
  write_in_flight_ = true;
  Pending* front = &queue_.front();
  lock.unlock();
  if (front->writes_done) {
    StartWritesDone();
  } else {
    StartWrite(&front->request);
  }
}

void StreamClient::WriteDone(bool ok) {
  std::unique_lock<std::mutex> lock(mu_);
  queue_.pop_front();
  write_in_flight_ = false;
  if (!ok) {
    write_failed_ = true;
    queue_.clear();
    return;
  }
  StartFront(lock);
}

// ------------------------------------------------------------------ StreamSet

StreamSet::StreamSet(const Options& o, const std::string& address, int streams, size_t max_chunks) {
  const int per_channel = std::max(1, o.streams_per_channel);
  for (int i = 0; i < streams; ++i) {
    if (i % per_channel == 0) {
      stubs_.push_back(v1::Enhancement::NewStub(MakeChannel(address, i / per_channel)));
    }
    clients_.push_back(
        std::make_unique<StreamClient>(o.sample_rate, o.model_delay_samples, max_chunks));
  }
  const v1::DenoiseConfig config = Linear16Config(o);
  for (int i = 0; i < streams; ++i) clients_[i]->Start(stubs_[i / per_channel].get(), config);
}

void StreamSet::FinishAndWait(Clock::time_point deadline, bool already_finished) {
  if (!already_finished) {
    for (auto& c : clients_) c->Finish();
  }
  for (auto& c : clients_) {
    if (!c->WaitDone(deadline)) {
      c->Cancel();
      c->WaitDone(Clock::time_point::max());
    }
  }
}

}  // namespace auris::bench
