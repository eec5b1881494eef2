// Test-only signals for the VAD tests: espeak-ng utterances separated by known digital
// silences, their per-frame truth labels, babble, and mixing at a speech-level SNR.
#ifndef AURIS_TESTS_DSP_VAD_TEST_AUDIO_H_
#define AURIS_TESTS_DSP_VAD_TEST_AUDIO_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tests/dsp/test_audio.h"

namespace auris::dsp::vad_testing {

constexpr int kRate = 16000;
constexpr int kFrame = 160;  // 10 ms
// A 10 ms frame of the clean signal is speech when its energy is within kTruthDb of the
// loudest frame's (espeak-ng gaps are digital silence; -40 dB keeps weak fricatives and
// closures inside words); then pauses shorter than kBridgeFrames between speech frames are
// speech too (espeak-ng puts ~50 ms of digital silence between words; ITU-T P.56 counts
// activity with a 200 ms hangover for the same reason).
constexpr double kTruthDb = -40.0;
constexpr std::size_t kBridgeFrames = 20;

struct LabelledSpeech {
  std::vector<float> samples;
  std::vector<bool> truth;        // per 10 ms frame
  std::vector<long long> onsets;  // first sample of each utterance's first speech frame
};

using testing_audio::Energy;

inline std::vector<bool> TruthLabels(const std::vector<float>& clean) {
  const std::size_t n = clean.size() / kFrame;
  std::vector<double> e(n);
  for (std::size_t t = 0; t < n; ++t) {
    e[t] = Energy(std::span<const float>(clean).subspan(t * kFrame, kFrame));
  }
  const double peak = *std::max_element(e.begin(), e.end());
  std::vector<bool> truth(n);
  for (std::size_t t = 0; t < n; ++t) truth[t] = e[t] > peak * std::pow(10.0, kTruthDb / 10.0);
  std::size_t last = n;  // last speech frame seen
  for (std::size_t t = 0; t < n; ++t) {
    if (!truth[t]) continue;
    if (last < t && t - last <= kBridgeFrames)
      std::fill(truth.begin() + last, truth.begin() + t, true);
    last = t;
  }
  return truth;
}

struct SpeechPart {
  const char* voice;  // espeak-ng voice, e.g. "en-us" or "en-029+f3"
  const char* text;
  double gap_s;  // digital silence before the utterance
};

// The parts' utterances, each after its gap, then 0.5 s of silence; empty without espeak-ng.
inline LabelledSpeech MakeUtterances(std::span<const SpeechPart> parts) {
  LabelledSpeech s;
  std::vector<std::size_t> starts;
  for (const SpeechPart& part : parts) {
    s.samples.insert(s.samples.end(), static_cast<std::size_t>(part.gap_s * kRate), 0.0f);
    s.samples.resize((s.samples.size() + kFrame - 1) / kFrame * kFrame, 0.0f);
    starts.push_back(s.samples.size());
    const std::vector<float> u = testing_audio::Speak(part.text, part.voice, 160);
    if (u.empty()) return {};
    s.samples.insert(s.samples.end(), u.begin(), u.end());
  }
  s.samples.insert(s.samples.end(), kRate / 2, 0.0f);
  s.samples.resize(s.samples.size() / kFrame * kFrame);
  s.truth = TruthLabels(s.samples);
  for (std::size_t start : starts) {
    std::size_t t = start / kFrame;
    while (t < s.truth.size() && !s.truth[t]) ++t;
    s.onsets.push_back(static_cast<long long>(t) * kFrame);
  }
  return s;
}

// Utterances from several voices; leading 0.5 s and gaps of 0.3..1.5 s of digital silence.
inline const LabelledSpeech& Utterances() {
  static const auto* speech = [] {
    static constexpr SpeechPart kParts[] = {
        {"en-us", "The birch canoe slid on the smooth planks.", 0.5},
        {"en+f3", "Glue the sheet to the dark blue background.", 0.3},
        {"en-gb", "It is easy to tell the depth of a well.", 1.5},
        {"en+m3", "These days a chicken leg is a rare dish.", 0.7},
        {"en+f2", "Rice is often served in round bowls.", 1.0},
        {"en-us", "Help the woman get back to her feet.", 0.4},
        {"en+f4", "A pot of tea helps to pass the evening.", 1.2}};
    return new LabelledSpeech(MakeUtterances(kParts));
  }();
  return *speech;
}

using testing_audio::Tile;

// Six other talkers (other sentences; `voices`, six of them) at equal level, pauses removed,
// time-shifted.
inline std::vector<float> Babble(std::size_t n, std::vector<std::string> voices) {
  testing_audio::BabbleSpec spec;
  spec.texts = {
      "The juice of lemons makes fine punch.",       "The box was thrown beside the parked truck.",
      "The hogs were fed chopped corn and garbage.", "Four hours of steady work faced us.",
      "A large size in stockings is hard to sell.",  "The boy was there when the sun rose."};
  spec.voices = std::move(voices);
  spec.per_talker = 2;
  spec.base_speed = 150;
  spec.seed = 7;
  return testing_audio::Babble(n, spec);
}

inline std::vector<float> Babble(std::size_t n) {
  return Babble(n, {"en-us", "en+f3", "en-gb", "en+m3", "en+f2", "en-us+f4"});
}

// clean + noise scaled so that the mean power over the truth speech frames is snr_db above the
// noise's mean power (an active-speech SNR, as in ITU-T P.56, not diluted by the gaps).
inline std::vector<float> MixAtSpeechSnr(const LabelledSpeech& s, const std::vector<float>& noise,
                                         double snr_db) {
  double speech = 0.0;
  std::size_t active = 0;
  for (std::size_t t = 0; t < s.truth.size(); ++t) {
    if (!s.truth[t]) continue;
    speech += Energy(std::span<const float>(s.samples).subspan(t * kFrame, kFrame));
    active += kFrame;
  }
  const double noise_power = Energy(noise) / noise.size();
  const double gain = std::sqrt(speech / active / noise_power / std::pow(10.0, snr_db / 10.0));
  std::vector<float> y(s.samples.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    y[i] = s.samples[i] + static_cast<float>(gain) * noise[i];
  }
  return y;
}

}  // namespace auris::dsp::vad_testing

#endif  // AURIS_TESTS_DSP_VAD_TEST_AUDIO_H_
