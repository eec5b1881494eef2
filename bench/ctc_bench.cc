#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nn/arpa_lm.h"
#include "nn/ctc_greedy.h"
#include "nn/ctc_prefix_beam_search.h"
#include "nn/lexicon_scorer.h"
#include "nn/lm_binary.h"
#include "nn/word_lm_scorer.h"
#include "tests/nn/random_arpa.h"

namespace auris::nn {
namespace {

constexpr int kFrames = 500;  // 20 s at 40 ms per frame (25 frames/s)
constexpr int kVocab = 29;    // blank + 26 letters + space + apostrophe
constexpr double kAudioSeconds = kFrames * 0.040;

// Random posteriors, moderately peaky like a trained acoustic model (softmax of N(0, 3^2)).
std::vector<float> RandomLogProbs(int t, int v) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> out(static_cast<std::size_t>(t) * v);
  for (int i = 0; i < t; ++i) {
    float* row = out.data() + static_cast<std::size_t>(i) * v;
    double sum = 0.0;
    for (int j = 0; j < v; ++j) {
      row[j] = normal(rng);
      sum += std::exp(row[j]);
    }
    for (int j = 0; j < v; ++j) row[j] -= static_cast<float>(std::log(sum));
  }
  return out;
}

// Counter "ms_per_audio_s": decoding time (CPU) per second of audio.
void ReportPerAudioSecond(benchmark::State& state) {
  state.counters["ms_per_audio_s"] =
      benchmark::Counter(kAudioSeconds / 1000.0, benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}

void BM_CtcGreedy(benchmark::State& state) {
  const std::vector<float> lp = RandomLogProbs(kFrames, kVocab);
  auto decoder = CtcGreedyDecoder::Create({});
  for (auto _ : state) {
    auto result = (*decoder)->Decode(lp, kFrames, kVocab);
    benchmark::DoNotOptimize(result);
  }
  ReportPerAudioSecond(state);
}
BENCHMARK(BM_CtcGreedy)->Unit(benchmark::kMicrosecond);

// Arg: beam size; whole 20 s matrix decoded per iteration, no pruning beyond the beam.
void BM_CtcPrefixBeamSearch(benchmark::State& state) {
  const std::vector<float> lp = RandomLogProbs(kFrames, kVocab);
  auto decoder =
      CtcPrefixBeamSearch::Create({.beam_size = static_cast<int>(state.range(0)), .nbest = 1});
  for (auto _ : state) {
    auto result = (*decoder)->Decode(lp, kFrames, kVocab);
    benchmark::DoNotOptimize(result);
  }
  ReportPerAudioSecond(state);
}
BENCHMARK(BM_CtcPrefixBeamSearch)->Arg(8)->Arg(16)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

// Same with per-frame pruning (top 8 symbols, log-prob >= log(1e-4)): the production setting.
void BM_CtcPrefixBeamSearchPruned(benchmark::State& state) {
  const std::vector<float> lp = RandomLogProbs(kFrames, kVocab);
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = static_cast<int>(state.range(0)),
                                              .nbest = 1,
                                              .top_k = 8,
                                              .min_symbol_log_prob = std::log(1e-4f)});
  for (auto _ : state) {
    auto result = (*decoder)->Decode(lp, kFrames, kVocab);
    benchmark::DoNotOptimize(result);
  }
  ReportPerAudioSecond(state);
}
BENCHMARK(BM_CtcPrefixBeamSearchPruned)
    ->Arg(8)
    ->Arg(16)
    ->Arg(32)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond);

// A deterministic 3-gram LM of 110k n-grams (10k words, 50k 2-grams, 50k 3-grams) written once
// per run as ARPA text and as the compiled binary, in the temp directory.
class BenchLm {
 public:
  static const BenchLm& Get() {
    static const BenchLm lm;
    return lm;
  }
  ~BenchLm() {
    std::filesystem::remove(arpa_path);
    std::filesystem::remove(binary_path);
  }
  std::string arpa_path;
  std::string binary_path;
  std::shared_ptr<const ArpaLm> lm;

 private:
  BenchLm() {
    const std::string stem =
        (std::filesystem::temp_directory_path() / ("ctc_bench_lm." + std::to_string(getpid())))
            .string();
    arpa_path = stem + ".arpa";
    binary_path = stem + ".bin";
    std::ofstream(arpa_path) << testing::RandomArpa(10000, 50000, 50000);
    lm = std::shared_ptr<const ArpaLm>(*ArpaLm::Load(arpa_path));
    (void)LmBinary::Write(*lm, binary_path);
  }
};

long ProcKb(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return 0;
}

// Loads `path` in a forked child: {peak RSS growth during the load, RSS growth after it (free
// memory returned), heap in use} in MB.
std::vector<double> LoadMemoryMb(const std::string& path) {
  int fds[2];
  if (pipe(fds) != 0) return {0, 0, 0};
  const pid_t child = fork();
  if (child == 0) {
    malloc_trim(0);
    std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to the current RSS
    const long rss0 = ProcKb("VmRSS:");
    const std::size_t heap0 = mallinfo2().uordblks;
    auto lm = ArpaLm::Load(path);
    const long peak = ProcKb("VmHWM:");
    malloc_trim(0);
    const double out[3] = {(peak - rss0) / 1024.0, (ProcKb("VmRSS:") - rss0) / 1024.0,
                           (mallinfo2().uordblks - heap0) / 1048576.0};
    ssize_t unused = write(fds[1], out, sizeof(out));
    (void)unused;
    _exit(lm.ok() ? 0 : 1);
  }
  double out[3] = {0, 0, 0};
  close(fds[1]);
  ssize_t unused = read(fds[0], out, sizeof(out));
  (void)unused;
  close(fds[0]);
  waitpid(child, nullptr, 0);
  return {out[0], out[1], out[2]};
}

// Arg 0: ARPA text, 1: binary (both through ArpaLm::Load, page cache warm). Counters: n-grams,
// file size, and from a forked child the peak / after-load RSS growth and heap in use (MB).
void BM_LmLoad(benchmark::State& state) {
  const BenchLm& bench_lm = BenchLm::Get();
  const std::string& path = state.range(0) == 0 ? bench_lm.arpa_path : bench_lm.binary_path;
  for (auto _ : state) {
    auto lm = ArpaLm::Load(path);
    benchmark::DoNotOptimize(lm);
  }
  const std::vector<double> mb = LoadMemoryMb(path);
  int64_t ngrams = 0;
  for (int n = 1; n <= bench_lm.lm->order(); ++n) ngrams += bench_lm.lm->num_ngrams(n);
  state.SetLabel(state.range(0) == 0 ? "arpa" : "binary");
  state.counters["ngrams"] = static_cast<double>(ngrams);
  state.counters["file_MB"] = std::filesystem::file_size(path) / 1048576.0;
  state.counters["peak_rss_MB"] = mb[0];
  state.counters["rss_MB"] = mb[1];
  state.counters["heap_MB"] = mb[2];
}
BENCHMARK(BM_LmLoad)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Posteriors that spell random words of `words` (an acoustic model on real speech): per
// letter one frame peaked on it (a random other letter as runner-up), then a blank frame half
// the time; a space frame between words; every other symbol N(0, 1) logits.
std::vector<float> WordLogProbs(const std::vector<std::string>& words, int t, int v) {
  std::mt19937 rng(9);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
  std::uniform_int_distribution<int> letter(1, 26);
  std::string text;
  while (static_cast<int>(text.size()) < t) text += words[pick(rng)] + " ";
  std::vector<float> out(static_cast<std::size_t>(t) * v);
  std::size_t pos = 0;
  bool blank_next = false;
  for (int i = 0; i < t; ++i) {
    float* row = out.data() + static_cast<std::size_t>(i) * v;
    for (int j = 0; j < v; ++j) row[j] = noise(rng);
    if (blank_next) {
      row[0] += 6.0f;
      blank_next = false;
    } else {
      const char c = text[pos++];
      row[c == ' ' ? 27 : c - 'a' + 1] += 6.0f;
      row[letter(rng)] += 4.0f;
      blank_next = rng() % 2 == 0;
    }
    double sum = 0.0;
    for (int j = 0; j < v; ++j) sum += std::exp(row[j]);
    for (int j = 0; j < v; ++j) row[j] -= static_cast<float>(std::log(sum));
  }
  return out;
}

// Args: beam size, scorers (0 none, 1 word LM, 2 lexicon, 3 lexicon + word LM) with the
// bench LM and a lexicon of its 10k words, on WordLogProbs; production pruning as above.
void BM_CtcPrefixBeamSearchScorers(benchmark::State& state) {
  const BenchLm& bench_lm = BenchLm::Get();
  std::vector<std::string> symbols = {"<blank>"};
  for (char c = 'a'; c <= 'z'; ++c) symbols.emplace_back(1, c);
  symbols.insert(symbols.end(), {" ", "'"});
  const auto word_lm = *WordLmScorer::Create({.lm_weight = 0.5}, bench_lm.lm, symbols);
  const std::vector<std::string> words = LexiconScorer::LmWords(*bench_lm.lm);
  const auto lexicon = *LexiconScorer::Create(words, symbols);
  const auto lexicon_lm = *LexiconScorer::Create(words, symbols, " ", word_lm.get());
  const int mode = static_cast<int>(state.range(1));
  const CtcScorer* scorers[] = {nullptr, word_lm.get(), lexicon.get(), lexicon_lm.get()};
  const char* labels[] = {"none", "lm", "lexicon", "lexicon+lm"};
  const std::vector<float> lp = WordLogProbs(words, kFrames, kVocab);
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = static_cast<int>(state.range(0)),
                                              .nbest = 1,
                                              .top_k = 8,
                                              .min_symbol_log_prob = std::log(1e-4f)},
                                             scorers[mode]);
  for (auto _ : state) {
    auto result = (*decoder)->Decode(lp, kFrames, kVocab);
    benchmark::DoNotOptimize(result);
  }
  state.SetLabel(labels[mode]);
  ReportPerAudioSecond(state);
}
BENCHMARK(BM_CtcPrefixBeamSearchScorers)
    ->ArgsProduct({{8, 16, 32, 64}, {0, 1, 2, 3}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace auris::nn
