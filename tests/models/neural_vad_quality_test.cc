// Frame accuracy of the SHIPPED neural VAD (models/vad) on synthesised speech of voices it
// never trained on (the espeak-ng accents en-029 and en-gb-scotland with variants, the synth
// split's held-out speakers) joined by known digital-silence gaps and labelled by the rule of
// tests/dsp/vad_test_audio.h, in babble of held-out voices, the real noises of
// ../shared/data/noise (exercise_bike and speechbrain_noise1 never trained on; the others are
// training noise types, other segments) and white noise, at 10, 5 and 0 dB active-speech SNR.
// Issue #4's bars: >= 95% at 10 dB and >= 85% at 0 dB per noise; speech begins reported within
// 100 ms of the true onset. All are met (see the floors below). The
// classic dsp::Vad runs on the same signals for comparison. Skipped with a message when espeak-ng,
// the model or the noise data is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "dsp/vad.h"
#include "models/vad/neural_vad.h"
#include "tests/dsp/test_audio.h"
#include "tests/dsp/vad_test_audio.h"

namespace auris::models {
namespace {

using dsp::vad_testing::kFrame;
using dsp::vad_testing::LabelledSpeech;
using dsp::vad_testing::SpeechPart;

const std::string kModel = std::string(AURIS_SOURCE_DIR) + "/models/vad/vad.safetensors";
const std::string kNoise = std::string(AURIS_SOURCE_DIR) + "/../shared/data/noise/";

const LabelledSpeech& HeldOutSpeech() {
  static const auto* speech = [] {
    static constexpr SpeechPart kParts[] = {
        {"en-029", "The small pup gnawed a hole in the sock.", 0.5},
        {"en-gb-scotland+f3", "The fish twisted and turned on the bent hook.", 0.3},
        {"en-029+m3", "Press the pants and sew a button on the vest.", 1.5},
        {"en-gb-scotland", "The swan dive was far short of perfect.", 0.7},
        {"en-029+f2", "The beauty of the view stunned the young boy.", 1.0},
        {"en-gb-scotland+m7", "Two blue fish swam in the tank.", 0.4},
        {"en-029+f4", "Her purse was full of useless trash.", 1.2},
        {"en-gb-scotland+f1", "The colt reared and threw the tall rider.", 0.6}};
    return new LabelledSpeech(dsp::vad_testing::MakeUtterances(kParts));
  }();
  return *speech;
}

struct Score {
  double accuracy = 0.0;
  double miss = 0.0;
  double false_alarm = 0.0;
  double onsets_within_100ms = 0.0;
  int onsets = 0;      // true onsets in the signal
  int onsets_hit = 0;  // of those, with a begin event within 100 ms
};

// Frame decisions against the truth; a true onset counts when a begin event lies within 100 ms.
Score Evaluate(const LabelledSpeech& s, const std::vector<bool>& decided,
               const std::vector<long long>& begins) {
  Score r;
  std::size_t speech = 0, misses = 0, false_alarms = 0;
  for (std::size_t t = 0; t < s.truth.size(); ++t) {
    const bool d = t < decided.size() && decided[t];
    speech += s.truth[t];
    misses += s.truth[t] && !d;
    false_alarms += !s.truth[t] && d;
  }
  const std::size_t n = s.truth.size();
  r.accuracy = 1.0 - static_cast<double>(misses + false_alarms) / n;
  r.miss = static_cast<double>(misses) / std::max<std::size_t>(speech, 1);
  r.false_alarm = static_cast<double>(false_alarms) / std::max<std::size_t>(n - speech, 1);
  int hit = 0;
  for (long long onset : s.onsets) {
    for (long long b : begins) {
      if (std::llabs(b - onset) <= 1600) {
        ++hit;
        break;
      }
    }
  }
  r.onsets_within_100ms = static_cast<double>(hit) / std::max<std::size_t>(s.onsets.size(), 1);
  r.onsets = static_cast<int>(s.onsets.size());
  r.onsets_hit = hit;
  return r;
}

Score RunNeural(const NeuralVad& vad, const LabelledSpeech& s, const std::vector<float>& x) {
  auto stream = vad.CreateStream(16000);
  EXPECT_TRUE(stream.ok()) << stream.status();
  std::vector<NeuralVadFrame> frames;
  std::vector<dsp::VadEvent> events;
  for (std::size_t i = 0; i < x.size(); i += kFrame) {
    EXPECT_TRUE((*stream)
                    ->Accept(std::span<const float>(x).subspan(
                                 i, std::min<std::size_t>(kFrame, x.size() - i)),
                             &frames, &events)
                    .ok());
  }
  EXPECT_TRUE((*stream)->Flush(&frames, &events).ok());
  std::vector<bool> decided;
  for (const NeuralVadFrame& f : frames) decided.push_back(f.speech);
  std::vector<long long> begins;
  for (const dsp::VadEvent& e : events) {
    if (e.type == dsp::VadEvent::Type::kSpeechBegin) begins.push_back(e.sample);
  }
  return Evaluate(s, decided, begins);
}

Score RunClassic(const LabelledSpeech& s, const std::vector<float>& x) {
  auto vad = dsp::Vad::Create({});
  EXPECT_TRUE(vad.ok());
  std::vector<dsp::VadFrame> frames;
  std::vector<dsp::VadEvent> events;
  for (std::size_t i = 0; i < x.size(); i += kFrame) {
    (*vad)->Accept(
        std::span<const float>(x).subspan(i, std::min<std::size_t>(kFrame, x.size() - i)), &frames,
        &events);
  }
  (*vad)->Flush(&frames, &events);
  std::vector<bool> decided;
  for (const dsp::VadFrame& f : frames) decided.push_back(f.speech);
  std::vector<long long> begins;
  for (const dsp::VadEvent& e : events) {
    if (e.type == dsp::VadEvent::Type::kSpeechBegin) begins.push_back(e.sample);
  }
  return Evaluate(s, decided, begins);
}

TEST(NeuralVadQualityTest, HeldOutVoicesInBabbleAndRealNoise) {
  if (!std::filesystem::exists(kModel)) GTEST_SKIP() << "not shipped: " << kModel;
  if (!std::filesystem::is_directory(kNoise)) GTEST_SKIP() << "no noise data at " << kNoise;
  const LabelledSpeech& s = HeldOutSpeech();
  if (s.samples.empty()) GTEST_SKIP() << "espeak-ng not available";
  auto vad = NeuralVad::Load(kModel);
  ASSERT_TRUE(vad.ok()) << vad.status();
  const std::size_t n = s.samples.size();
  struct Noise {
    std::string name;
    std::vector<float> samples;
  };
  std::vector<Noise> noises;
  noises.push_back(
      {"babble (held-out voices)",
       dsp::vad_testing::Babble(n, {"en-029+m1", "en-gb-scotland+f5", "en-029+f1",
                                    "en-gb-scotland+m2", "en-029+m6", "en-gb-scotland+f2"})});
  for (const char* name :
       {"exercise_bike", "speechbrain_noise1", "doing_the_dishes", "speechbrain_noise2",
        "speechbrain_noise3", "speechbrain_noise4", "speechbrain_noise5"}) {
    const std::vector<float> clip = dsp::testing_audio::ReadAudio16k(kNoise + name + ".flac");
    ASSERT_FALSE(clip.empty()) << name;
    noises.push_back({name, dsp::testing_audio::Tile(clip, n, 7919)});
  }
  noises.push_back({"white", dsp::testing_audio::White(n, 3)});
  std::printf("%-26s %4s  %-34s  %-34s\n", "noise", "SNR", "neural acc / miss / fa / onsets",
              "classic acc / miss / fa / onsets");
  double worst10 = 1.0, worst0 = 1.0, babble0 = 1.0;
  int onsets_5_10 = 0, hit_5_10 = 0, onsets_0 = 0, hit_0 = 0;
  double neural_sum = 0.0, classic_sum = 0.0;
  for (const Noise& noise : noises) {
    ASSERT_EQ(noise.samples.size(), n) << noise.name;
    for (double snr : {10.0, 5.0, 0.0}) {
      const std::vector<float> x = dsp::vad_testing::MixAtSpeechSnr(s, noise.samples, snr);
      const Score neural = RunNeural(**vad, s, x);
      const Score classic = RunClassic(s, x);
      std::printf("%-26s %4.0f  %.3f / %.3f / %.3f / %.2f        %.3f / %.3f / %.3f / %.2f\n",
                  noise.name.c_str(), snr, neural.accuracy, neural.miss, neural.false_alarm,
                  neural.onsets_within_100ms, classic.accuracy, classic.miss, classic.false_alarm,
                  classic.onsets_within_100ms);
      const bool babble = noise.name.rfind("babble", 0) == 0;
      if (snr == 10.0) worst10 = std::min(worst10, neural.accuracy);
      if (snr == 0.0 && !babble) worst0 = std::min(worst0, neural.accuracy);
      if (snr == 0.0 && babble) babble0 = neural.accuracy;
      neural_sum += neural.accuracy;
      classic_sum += classic.accuracy;
      (snr >= 5.0 ? onsets_5_10 : onsets_0) += neural.onsets;
      (snr >= 5.0 ? hit_5_10 : hit_0) += neural.onsets_hit;
    }
  }
  const double cells = 3.0 * noises.size();
  std::printf(
      "worst: %.3f at 10 dB, %.3f at 0 dB (babble %.3f); onsets within 100 ms: %d of %d at 5-10 "
      "dB, %d of %d at 0 dB; mean accuracy neural %.3f, classic %.3f\n",
      worst10, worst0, babble0, hit_5_10, onsets_5_10, hit_0, onsets_0, neural_sum / cells,
      classic_sum / cells);
  // Measured 2026-12-07 with the shipped v0.4 (100 ms look-ahead): worst 0.963 at 10 dB (bar
  // 0.95 met), 0.958 at 0 dB without babble and babble at 0 dB 0.938 (bar 0.85 met; v0.3 0.942
  // and 0.894), all 144 onsets at 5-10 dB within 100 ms (v0.3 143) and 71 of 72 at 0 dB (the
  // miss in babble), mean 0.975 vs classic 0.907.
  // Floors sit a few frames under the measurements: another CPU's GEMM rounding may flip a
  // frame near the threshold (or an onset by a frame).
  EXPECT_GE(worst10, 0.955);
  EXPECT_GE(worst0, 0.95);
  EXPECT_GE(babble0, 0.92);
  EXPECT_GE(hit_5_10, onsets_5_10 - 1);  // at most one late onset of the 144
  EXPECT_GE(hit_0, onsets_0 - 2);
  EXPECT_GE(neural_sum / cells, classic_sum / cells + 0.05);
}

}  // namespace
}  // namespace auris::models
