// VAD frame accuracy, miss and false-alarm rates over several speech sets (synthetic espeak-ng
// voices, real German and English recordings, spoken digits) mixed with several noises at
// 10, 5 and 0 dB active-speech SNR. Prints one markdown table per run (docs/dsp.md quotes it)
// and checks floors per noise and SNR, pooled over the speech sets.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "dsp/vad.h"
#include "gtest/gtest.h"
#include "tests/dsp/test_audio.h"
#include "tests/dsp/vad_test_audio.h"

namespace auris::dsp {
namespace {

using testing_audio::White;
using vad_testing::kFrame;
using vad_testing::kRate;
using vad_testing::LabelledSpeech;

const std::string kData = std::string(AURIS_SOURCE_DIR) + "/../shared/data";

struct Counts {
  std::size_t speech = 0, non_speech = 0, misses = 0, false_alarms = 0;
  void Add(const Counts& o) {
    speech += o.speech;
    non_speech += o.non_speech;
    misses += o.misses;
    false_alarms += o.false_alarms;
  }
  double Accuracy() const {
    return 1.0 - static_cast<double>(misses + false_alarms) /
                     std::max<std::size_t>(speech + non_speech, 1);
  }
  double MissRate() const { return static_cast<double>(misses) / std::max<std::size_t>(speech, 1); }
  double FalseAlarmRate() const {
    return static_cast<double>(false_alarms) / std::max<std::size_t>(non_speech, 1);
  }
};

Counts Evaluate(const LabelledSpeech& s, const std::vector<float>& x) {
  auto vad = Vad::Create({});
  EXPECT_TRUE(vad.ok()) << vad.status();
  std::vector<VadFrame> frames;
  for (std::size_t i = 0; i < x.size(); i += kFrame) {
    (*vad)->Accept(
        std::span<const float>(x).subspan(i, std::min<std::size_t>(kFrame, x.size() - i)), &frames,
        nullptr);
  }
  (*vad)->Flush(&frames, nullptr);
  Counts c;
  for (std::size_t t = 0; t < s.truth.size(); ++t) {
    c.speech += s.truth[t];
    c.non_speech += !s.truth[t];
    c.misses += s.truth[t] && !frames[t].speech;
    c.false_alarms += !s.truth[t] && frames[t].speech;
  }
  return c;
}

// Files joined by digital-silence gaps of 0.3..1.5 s (after 0.5 s), each scaled to peak 0.5 and
// labelled like the espeak-ng utterances (energy within 40 dB of the set's loudest frame).
LabelledSpeech Concatenate(const std::vector<std::string>& paths) {
  LabelledSpeech s;
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> gap(0.3, 1.5);
  double gap_s = 0.5;
  for (const std::string& path : paths) {
    std::vector<float> u = testing_audio::ReadAudio16k(path);
    if (u.empty()) return {};
    float peak = 0.0f;
    for (float v : u) peak = std::max(peak, std::abs(v));
    for (float& v : u) v *= 0.5f / std::max(peak, 1e-6f);
    s.samples.insert(s.samples.end(), static_cast<std::size_t>(gap_s * kRate), 0.0f);
    s.samples.resize((s.samples.size() + kFrame - 1) / kFrame * kFrame, 0.0f);
    s.samples.insert(s.samples.end(), u.begin(), u.end());
    gap_s = gap(rng);
  }
  s.samples.insert(s.samples.end(), kRate / 2, 0.0f);
  s.samples.resize(s.samples.size() / kFrame * kFrame);
  s.truth = vad_testing::TruthLabels(s.samples);
  return s;
}

// The first file (sorted) of each of the first `count` groups, grouped by `key(file name)`.
std::vector<std::string> OnePerGroup(const std::string& dir, int count,
                                     std::string (*key)(const std::string&)) {
  std::map<std::string, std::string> first;
  if (!std::filesystem::is_directory(dir)) return {};
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename();
    const std::string k = key(name);
    if (!first.count(k) || name < std::filesystem::path(first[k]).filename().string()) {
      first[k] = e.path();
    }
  }
  std::vector<std::string> paths;
  for (const auto& [k, path] : first) {
    if (static_cast<int>(paths.size()) < count) paths.push_back(path);
  }
  return paths;
}

struct SpeechSet {
  std::string name;
  LabelledSpeech speech;
};

const std::vector<SpeechSet>& SpeechSets() {
  static const auto* sets = [] {
    auto* v = new std::vector<SpeechSet>;
    if (!vad_testing::Utterances().samples.empty()) {
      v->push_back({"espeak", vad_testing::Utterances()});
    }
    // emodb: speaker = first two characters; ravdess: actor = last field; fsdd: speaker name.
    const std::pair<std::string, std::vector<std::string>> real[] = {
        {"emodb", OnePerGroup(kData + "/emotion/emodb", 10,
                              [](const std::string& f) { return f.substr(0, 2); })},
        {"ravdess", OnePerGroup(kData + "/emotion/ravdess", 10,
                                [](const std::string& f) { return f.substr(f.size() - 7); })},
        {"fsdd", OnePerGroup(kData + "/speech/fsdd", 12, [](const std::string& f) {
           return f.substr(0, f.rfind('_'));  // digit_speaker: 10 digits x 6 speakers
         })}};
    for (const auto& [name, paths] : real) {
      if (paths.empty()) continue;
      LabelledSpeech s = Concatenate(paths);
      if (!s.samples.empty()) v->push_back({name, std::move(s)});
    }
    return v;
  }();
  return *sets;
}

// Floors on the pooled frame accuracy per noise at 10 / 5 / 0 dB, about 2 points under the
// figures measured with the voicing gate (docs/dsp.md). The detector without it (use_voicing =
// false, the previous one) fails babble and speechbrain_noise5 at 10 and 5 dB, and the overall
// accuracy and false-alarm bounds below.
const std::map<std::string, std::array<double, 3>>& Floors() {
  static const auto* floors =
      new std::map<std::string, std::array<double, 3>>{{"white", {0.91, 0.90, 0.865}},
                                                       {"babble", {0.80, 0.705, 0.60}},
                                                       {"doing_the_dishes", {0.88, 0.865, 0.83}},
                                                       {"exercise_bike", {0.885, 0.87, 0.81}},
                                                       {"speechbrain_noise1", {0.875, 0.86, 0.845}},
                                                       {"speechbrain_noise2", {0.73, 0.715, 0.705}},
                                                       {"speechbrain_noise3", {0.85, 0.84, 0.835}},
                                                       {"speechbrain_noise4", {0.835, 0.81, 0.795}},
                                                       {"speechbrain_noise5", {0.89, 0.87, 0.85}}};
  return *floors;
}
constexpr double kOverallAccuracy = 0.84;    // old detector: 83.1%
constexpr double kOverallFalseAlarm = 0.21;  // old detector: 24.1%

TEST(VadQualityTest, AccuracyOverSpeechSetsNoisesAndSnrs) {
  const std::vector<SpeechSet>& sets = SpeechSets();
  if (sets.empty()) GTEST_SKIP() << "no speech: espeak-ng/sox missing and " << kData << " absent";
  std::map<std::string, std::vector<float>> noises;  // name -> samples (any length)
  noises["white"] = White(30 * kRate, 4);
  noises["babble"] = vad_testing::Babble(30 * kRate);
  if (noises["babble"].empty()) noises.erase("babble");
  const std::string dir = kData + "/noise";
  if (std::filesystem::is_directory(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".flac") {
        noises[e.path().stem()] = testing_audio::ReadAudio16k(e.path());
        ASSERT_FALSE(noises[e.path().stem()].empty()) << e.path();
      }
    }
  }
  std::printf("speech sets:");
  for (const SpeechSet& set : sets) {
    std::printf(" %s (%.1f s, %.0f%% speech)", set.name.c_str(),
                static_cast<double>(set.speech.samples.size()) / kRate,
                100.0 * std::count(set.speech.truth.begin(), set.speech.truth.end(), true) /
                    set.speech.truth.size());
  }
  std::printf("\n| noise | SNR | acc | miss | fa | acc per set (");
  for (const SpeechSet& set : sets) std::printf(" %s", set.name.c_str());
  std::printf(" ) |\n|---|---|---|---|---|---|\n");
  std::map<std::string, Counts> per_set;
  Counts all;
  for (const auto& [name, noise] : noises) {
    for (double snr : {10.0, 5.0, 0.0}) {
      Counts pooled;
      std::string cells;
      for (std::size_t i = 0; i < sets.size(); ++i) {
        const LabelledSpeech& s = sets[i].speech;
        const std::vector<float> tiled =
            testing_audio::Tile(noise, s.samples.size(), (i * 7919 * kFrame) % noise.size());
        const Counts c = Evaluate(s, vad_testing::MixAtSpeechSnr(s, tiled, snr));
        pooled.Add(c);
        per_set[sets[i].name].Add(c);
        char cell[32];
        std::snprintf(cell, sizeof(cell), " %.1f", 100.0 * c.Accuracy());
        cells += cell;
      }
      all.Add(pooled);
      std::printf("| %s | %.0f dB | %.1f%% | %.1f%% | %.1f%% |%s |\n", name.c_str(), snr,
                  100.0 * pooled.Accuracy(), 100.0 * pooled.MissRate(),
                  100.0 * pooled.FalseAlarmRate(), cells.c_str());
      if (auto it = Floors().find(name); it != Floors().end()) {
        const double floor = it->second[snr >= 10.0 ? 0 : snr >= 5.0 ? 1 : 2];
        EXPECT_GE(pooled.Accuracy(), floor) << name << " at " << snr << " dB";
      }
    }
  }
  for (const auto& [name, c] : per_set) {
    std::printf("| all noises, %s | 10/5/0 dB | %.1f%% | %.1f%% | %.1f%% | |\n", name.c_str(),
                100.0 * c.Accuracy(), 100.0 * c.MissRate(), 100.0 * c.FalseAlarmRate());
  }
  std::printf("| all | 10/5/0 dB | %.1f%% | %.1f%% | %.1f%% | |\n", 100.0 * all.Accuracy(),
              100.0 * all.MissRate(), 100.0 * all.FalseAlarmRate());
  if (noises.size() == Floors().size() && sets.size() == 4) {
    EXPECT_GE(all.Accuracy(), kOverallAccuracy);
    EXPECT_LE(all.FalseAlarmRate(), kOverallFalseAlarm);
  }
}

}  // namespace
}  // namespace auris::dsp
