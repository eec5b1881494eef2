// Model file loader: the golden written by scripts/make_model_golden.py and malformed
// variants built here from header text and bytes.
#include "nn/model_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

namespace auris::nn {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kGolden =
    std::string(AURIS_SOURCE_DIR) + "/tests/nn/golden/model_tiny.safetensors";

uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

std::string Escape(const std::string& json) {
  std::string out;
  for (char c : json) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

constexpr char kAuris[] =
    R"({"format_version":1,"task":"asr","sample_rate_hz":16000,"front_end":{"type":"log_mel"}})";

// A file with `tensors` (header entries, comma-separated), the given auris JSON and `data`.
std::string Make(const std::string& tensors, const std::string& data = std::string(16, '\0'),
                 const std::string& auris = kAuris) {
  std::string header = R"({"__metadata__":{"auris":")" + Escape(auris) + "\"}";
  if (!tensors.empty()) header += "," + tensors;
  header += "}";
  return Le64(header.size()) + header + data;
}

std::string ErrorOf(const std::string& bytes) {
  absl::StatusOr<ModelFile> f = ParseModelFile(bytes, "bad.safetensors");
  if (f.ok()) return "unexpectedly OK";
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument) << f.status();
  return std::string(f.status().message());
}

TEST(ModelFileTest, LoadsGolden) {
  absl::StatusOr<ModelFile> f = LoadModelFile(kGolden);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->tensors.size(), 4u);
  const Tensor& w = f->tensors.at("conv.weight");
  EXPECT_EQ(w.shape(), Shape({4, 2, 3}));
  for (int64_t i = 0; i < w.size(); ++i) EXPECT_EQ(w[i], 0.25f * i - 1.0f) << i;
  const Tensor& b = f->tensors.at("conv.bias");
  EXPECT_EQ(b.shape(), Shape({4}));
  EXPECT_EQ(b[0], 0.5f);
  EXPECT_EQ(b[3], 2.0f);
  const Tensor& half = f->tensors.at("half.weight");
  const Tensor& want = f->tensors.at("half.weight_as_f32");
  ASSERT_EQ(half.shape(), Shape({2, 3, 4}));
  ASSERT_EQ(want.shape(), half.shape());
  for (int64_t i = 0; i < half.size(); ++i) EXPECT_EQ(Bits(half[i]), Bits(want[i])) << i;
  EXPECT_EQ(Bits(half[1]), 0x80000000u);      // -0
  EXPECT_EQ(half[5], std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(half[4], 65504.0f);               // largest half
  EXPECT_EQ(half[8], std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half[10]));

  const ModelMetadata& m = f->metadata;
  EXPECT_EQ(m.format_version, 1);
  EXPECT_EQ(m.task, "asr");
  EXPECT_EQ(m.sample_rate_hz, 16000);
  EXPECT_EQ(m.front_end_type, "log_mel");
  EXPECT_THAT(m.front_end_json, HasSubstr("\"num_mel_bins\":80"));
  EXPECT_THAT(m.layers_json, AllOf(HasSubstr("conv1d"), HasSubstr("linear")));
  EXPECT_EQ(m.vocabulary, (std::vector<std::string>{"<blank>", " ", "a", "b"}));
  EXPECT_EQ(m.chunk_frames, 16);
  EXPECT_EQ(m.look_ahead_frames, 4);
  EXPECT_THAT(m.training_data_json, HasSubstr("synthetic"));
  EXPECT_EQ(m.metrics.at("wer"), 0.125);
  EXPECT_EQ(m.metrics.at("cer"), 0.0625);
  EXPECT_THAT(m.json, HasSubstr("\"task\": \"asr\""));
  EXPECT_EQ(f->extra.at("format"), "pt");
}

TEST(ModelFileTest, HalfToFloat) {
  EXPECT_EQ(HalfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xc000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x03ff), 1023.0f * std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfToFloat(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(Bits(HalfToFloat(0x7e01)), 0x7fc02000u);
}

TEST(ModelFileTest, MinimalFileAndMissingPath) {
  absl::StatusOr<ModelFile> f =
      ParseModelFile(Make(R"("x":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]})"), "ok");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->metadata.layers_json, "[]");
  EXPECT_EQ(LoadModelFile("/nonexistent/m.safetensors").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ModelFileTest, RejectsBadFraming) {
  const std::string golden = ReadFile(kGolden);
  ASSERT_GT(golden.size(), 100u);
  EXPECT_THAT(ErrorOf(golden.substr(0, 5)),
              AllOf(HasSubstr("bad.safetensors"), HasSubstr("truncated")));
  EXPECT_THAT(ErrorOf(golden.substr(0, 60)), HasSubstr("header length"));
  EXPECT_THAT(ErrorOf(golden.substr(0, golden.size() - 4)), HasSubstr("data_offsets"));
  EXPECT_THAT(ErrorOf(Le64(1ull << 40) + golden.substr(8)),
              AllOf(HasSubstr("header length"), HasSubstr("100 MB")));
  EXPECT_THAT(ErrorOf(Le64(1) + "{"), HasSubstr("header length"));
  std::string bad_json = golden;
  bad_json[9] = '[';
  EXPECT_THAT(ErrorOf(bad_json), HasSubstr("not valid JSON"));
  EXPECT_THAT(ErrorOf(Le64(2) + "[]"), HasSubstr("must be a JSON object"));
}

TEST(ModelFileTest, RejectsBadTensors) {
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]})")),
              AllOf(HasSubstr("tensor \"x\""), HasSubstr("data_offsets"), HasSubstr("16")));
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"F32","shape":[2],"data_offsets":[4,0]})")),
              HasSubstr("0 <= begin <= end"));
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"F32","shape":[3],"data_offsets":[0,16]})")),
              AllOf(HasSubstr("tensor \"x\""), HasSubstr("needs 12")));
  EXPECT_THAT(ErrorOf(Make(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]})")),
              AllOf(HasSubstr("tensor \"b\""), HasSubstr("overlaps tensor \"a\"")));
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"I64","shape":[2],"data_offsets":[0,16]})")),
              AllOf(HasSubstr("dtype \"I64\""), HasSubstr("F32 or F16")));
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"F32","shape":[1,1,1,1,4],"data_offsets":[0,16]})")),
              HasSubstr("at most 4"));
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]})")),
              HasSubstr("non-negative integers"));
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"F16","shape":[4294967296,4294967296],)"
                           R"("data_offsets":[0,16]})")),
              HasSubstr("more elements"));
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"F32","shape":[4]})")), HasSubstr("data_offsets"));
  EXPECT_THAT(ErrorOf(Make(R"("x":[1,2])")), HasSubstr("must be a JSON object"));
  EXPECT_THAT(ErrorOf(Make(R"("x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("x":{"dtype":"F32","shape":[2],"data_offsets":[8,16]})")),
              HasSubstr("more than once"));
}

TEST(ModelFileTest, RejectsBadMetadata) {
  const std::string no_meta = R"({"x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})";
  EXPECT_THAT(ErrorOf(Le64(no_meta.size()) + no_meta), HasSubstr("__metadata__"));
  const std::string no_auris = R"({"__metadata__":{"format":"pt"}})";
  EXPECT_THAT(ErrorOf(Le64(no_auris.size()) + no_auris), HasSubstr("no \"auris\""));
  const std::string not_string = R"({"__metadata__":{"auris":{"task":"asr"}}})";
  EXPECT_THAT(ErrorOf(Le64(not_string.size()) + not_string), HasSubstr("must be a string"));
  EXPECT_THAT(ErrorOf(Make("", "", "{not json")), HasSubstr("auris metadata: not valid JSON"));
  EXPECT_THAT(ErrorOf(Make("", "", R"({"format_version":2,"task":"asr"})")),
              AllOf(HasSubstr("format_version"), HasSubstr("must be 1")));
  EXPECT_THAT(ErrorOf(Make("", "",
                           R"({"format_version":1,"task":"tts","sample_rate_hz":16000,)"
                           R"("front_end":{"type":"log_mel"}})")),
              AllOf(HasSubstr("\"tts\""), HasSubstr("asr, emotion, denoise, vad")));
  EXPECT_THAT(ErrorOf(Make("", "",
                           R"({"format_version":1,"task":"asr","sample_rate_hz":96000,)"
                           R"("front_end":{"type":"log_mel"}})")),
              AllOf(HasSubstr("sample_rate_hz"), HasSubstr("8000..48000")));
  EXPECT_THAT(ErrorOf(Make("", "", R"({"format_version":1,"task":"asr","sample_rate_hz":16000})")),
              HasSubstr("front_end"));
  EXPECT_THAT(ErrorOf(Make("", "",
                           R"({"format_version":1,"task":"emotion","sample_rate_hz":16000,)"
                           R"("front_end":{"type":"waveform"},"vocabulary":[1]})")),
              HasSubstr("vocabulary"));
  EXPECT_THAT(ErrorOf(Make("", "",
                           R"({"format_version":1,"task":"denoise","sample_rate_hz":16000,)"
                           R"("front_end":{"type":"stft"},"streaming":{"chunk_frames":-1}})")),
              HasSubstr("streaming.chunk_frames"));
}

}  // namespace
}  // namespace auris::nn
