#include "nn/arpa_lm.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nn/lm_binary.h"

namespace auris::nn {
namespace {

constexpr int kMaxOrder = 5;
constexpr double kLn10 = 2.302585092994045684;

absl::Status LineError(int line, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("ARPA line ", line, ": ", what));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> fields;
  for (std::size_t i = 0; i < s.size();) {
    if (IsSpace(s[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && !IsSpace(s[end])) ++end;
    fields.push_back(s.substr(i, end - i));
    i = end;
  }
  return fields;
}

template <typename T>
bool ParseAll(std::string_view s, T* out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return !s.empty() && ec == std::errc() && ptr == end;
}

std::string Join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) absl::StrAppend(&out, out.empty() ? "" : " ", std::string(w));
  return out;
}

struct Line {
  int number = 0;
  std::string_view text;
};

}  // namespace

absl::Status ArpaLmConfig::Validate() const {
  if (std::isnan(oov_log_prob) || oov_log_prob > 0.0) {
    return absl::InvalidArgumentError(
        absl::StrCat("oov_log_prob is ", oov_log_prob, "; allowed: <= 0 or -inf"));
  }
  return absl::OkStatus();
}

std::string ArpaLmConfig::ToString() const {
  return absl::StrCat("ArpaLmConfig(oov_log_prob=", oov_log_prob, ")");
}

class ArpaLm::Parser {
 public:
  Parser(std::string_view text, ArpaLm* lm) : lm_(lm) {
    int number = 0;
    for (std::size_t start = 0; start <= text.size();) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      lines_.push_back({++number, Strip(text.substr(start, end - start))});
      start = end + 1;
    }
  }

  absl::Status Run() {
    SkipUntilData();
    if (pos_ == lines_.size()) return LineError(EndLine(), "missing \\data\\ section");
    ++pos_;
    if (absl::Status s = ParseCounts(); !s.ok()) return s;
    int64_t declared = 0;
    for (int64_t count : lm_->counts_) declared += count;
    const auto expected = static_cast<std::size_t>(
        std::min<int64_t>(declared, static_cast<int64_t>(lines_.size())) + 1);
    lm_->entries_.reserve(expected);
    std::size_t slots = 16;
    while (slots < 2 * expected) slots *= 2;
    lm_->table_.assign(slots, 0);
    lm_->entries_.emplace_back();
    for (int n = 1; n <= lm_->order_; ++n) {
      if (absl::Status s = ParseSection(n); !s.ok()) return s;
    }
    SkipBlank();
    if (pos_ == lines_.size() || lines_[pos_].text != "\\end\\") {
      return LineError(pos_ == lines_.size() ? EndLine() : lines_[pos_].number,
                       absl::StrCat("expected \\end\\ after the ", lm_->order_, "-grams"));
    }
    return absl::OkStatus();
  }

 private:
  int EndLine() const { return lines_.empty() ? 1 : lines_.back().number; }
  void SkipBlank() {
    while (pos_ < lines_.size() && lines_[pos_].text.empty()) ++pos_;
  }
  void SkipUntilData() {
    while (pos_ < lines_.size() && lines_[pos_].text != "\\data\\") ++pos_;
  }

  absl::Status ParseCounts() {
    for (SkipBlank(); pos_ < lines_.size() && !lines_[pos_].text.starts_with('\\');
         ++pos_, SkipBlank()) {
      const Line& line = lines_[pos_];
      const std::size_t eq = line.text.find('=');
      const std::vector<std::string_view> head = Fields(line.text.substr(0, eq));
      int n = 0;
      int64_t count = 0;
      if (eq == std::string_view::npos || head.size() != 2 || head[0] != "ngram" ||
          !ParseAll(head[1], &n) || !ParseAll(Strip(line.text.substr(eq + 1)), &count) ||
          count < 0) {
        return LineError(line.number, absl::StrCat("expected 'ngram N=count' in \\data\\, got '",
                                                   std::string(line.text), "'"));
      }
      if (n != lm_->order_ + 1 || n > kMaxOrder) {
        return LineError(line.number,
                         absl::StrCat("expected ngram ", lm_->order_ + 1, " (orders 1-", kMaxOrder,
                                      ", in order), got ", n));
      }
      lm_->order_ = n;
      lm_->counts_.push_back(count);
    }
    if (lm_->order_ == 0) {
      return LineError(pos_ < lines_.size() ? lines_[pos_].number : EndLine(),
                       "\\data\\ section declares no 'ngram N=count' lines");
    }
    return absl::OkStatus();
  }

  absl::Status ParseSection(int n) {
    SkipBlank();
    const std::string header = absl::StrCat("\\", n, "-grams:");
    if (pos_ == lines_.size() || lines_[pos_].text != header) {
      return LineError(pos_ == lines_.size() ? EndLine() : lines_[pos_].number,
                       absl::StrCat("expected section ", header));
    }
    const int header_line = lines_[pos_].number;
    int64_t seen = 0;
    for (++pos_, SkipBlank(); pos_ < lines_.size() && !lines_[pos_].text.starts_with('\\');
         ++pos_, SkipBlank()) {
      if (absl::Status s = ParseEntry(n, lines_[pos_]); !s.ok()) return s;
      ++seen;
    }
    if (seen != lm_->counts_[n - 1]) {
      return LineError(header_line,
                       absl::StrCat(header, " has ", seen, " entries but \\data\\ declares ngram ",
                                    n, "=", lm_->counts_[n - 1]));
    }
    return absl::OkStatus();
  }

  absl::Status ParseNumber(const Line& line, std::string_view field, const char* what, float* out) {
    double value = 0.0;
    if (!ParseAll(field, &value) || std::isnan(value) || value > 0.0) {
      return LineError(line.number, absl::StrCat("bad ", what, " '", std::string(field),
                                                 "' (want a log10 value <= 0)"));
    }
    *out = static_cast<float>(value * kLn10);
    return absl::OkStatus();
  }

  absl::Status ParseEntry(int n, const Line& line) {
    const std::vector<std::string_view> fields = Fields(line.text);
    const int size = static_cast<int>(fields.size());
    const bool has_backoff = size == n + 2;
    if (size != n + 1 && !(has_backoff && n < lm_->order_)) {
      return LineError(
          line.number,
          absl::StrCat("n-gram order mismatch: a ", n, "-gram line has a log10 probability, ", n,
                       " word(s)", n < lm_->order_ ? " and an optional back-off weight" : "",
                       "; got ", size, " fields"));
    }
    Entry entry;
    entry.order = n;
    if (absl::Status s = ParseNumber(line, fields[0], "log10 probability", &entry.log_prob);
        !s.ok()) {
      return s;
    }
    if (has_backoff) {
      double bow = 0.0;
      if (!ParseAll(fields[n + 1], &bow) || !std::isfinite(bow)) {
        return LineError(line.number,
                         absl::StrCat("bad back-off weight '", std::string(fields[n + 1]), "'"));
      }
      entry.backoff = static_cast<float>(bow * kLn10);
    }
    std::vector<int32_t> ids(n);
    for (int i = 0; i < n; ++i) {
      const std::string word(fields[i + 1]);
      auto it = lm_->word_ids_.find(word);
      if (n == 1 && it == lm_->word_ids_.end()) {
        ids[i] = static_cast<int32_t>(lm_->words_.size());
        lm_->words_.push_back(word);
        lm_->word_ids_.emplace(word, ids[i]);
      } else if (n == 1) {
        return LineError(line.number, absl::StrCat("duplicate 1-gram '", word, "'"));
      } else if (it == lm_->word_ids_.end()) {
        return LineError(line.number, absl::StrCat("word '", word, "' is not a listed 1-gram"));
      } else {
        ids[i] = it->second;
      }
    }
    const std::span<const int32_t> words(ids);
    entry.word = ids[n - 1];
    entry.context = n == 1 ? 0 : lm_->FindSequence(words.first(n - 1));
    if (n > 1 && entry.context == 0) {
      return LineError(line.number,
                       absl::StrCat("context '", Join(std::span(fields).subspan(1, n - 1)),
                                    "' is not listed as a ", n - 1, "-gram"));
    }
    if (lm_->Find(entry.context, entry.word) != 0) {
      return LineError(line.number, absl::StrCat("duplicate ", n, "-gram"));
    }
    for (int i = 1; i < n && entry.suffix == 0; ++i) {
      entry.suffix = lm_->FindSequence(words.subspan(i));
    }
    if (lm_->entries_.size() >= UINT32_MAX / 2) {
      return LineError(line.number, "more than 2^31 n-grams");
    }
    lm_->entries_.push_back(entry);
    lm_->Insert(static_cast<uint32_t>(lm_->entries_.size() - 1));
    return absl::OkStatus();
  }

  ArpaLm* lm_;
  std::vector<Line> lines_;
  std::size_t pos_ = 0;
};

absl::StatusOr<std::unique_ptr<ArpaLm>> ArpaLm::Parse(std::string_view text,
                                                      const ArpaLmConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  std::unique_ptr<ArpaLm> lm(new ArpaLm());
  lm->config_ = config;
  if (absl::Status s = Parser(text, lm.get()).Run(); !s.ok()) return s;
  lm->ResolveSpecialWords();
  return lm;
}

void ArpaLm::ResolveSpecialWords() {
  auto special = [this](const char* word) {
    auto it = word_ids_.find(word);
    return it == word_ids_.end() ? kNoWord : it->second;
  };
  unk_id_ = special("<unk>");
  bos_id_ = special("<s>");
  eos_id_ = special("</s>");
  begin_state_ = kEmptyState;
  if (bos_id_ != kNoWord) Score(kEmptyState, bos_id_, &begin_state_);
}

void ArpaLm::Insert(uint32_t id) {
  if (2 * entries_.size() > table_.size()) {
    std::vector<uint32_t> old(std::max<std::size_t>(16, 2 * table_.size()), 0);
    old.swap(table_);
    for (uint32_t e : old) {
      if (e != 0) Insert(e);
    }
  }
  const uint64_t mask = table_.size() - 1;
  uint64_t slot = Slot(entries_[id].context, entries_[id].word, mask);
  while (table_[slot] != 0) slot = (slot + 1) & mask;
  table_[slot] = id;
}

std::size_t ArpaLm::MemoryBytes() const {
  std::size_t bytes =
      entries_.capacity() * sizeof(Entry) + table_.capacity() * sizeof(uint32_t) +
      words_.capacity() * sizeof(std::string) + word_ids_.bucket_count() * sizeof(void*) +
      word_ids_.size() * (sizeof(std::string) + sizeof(int32_t) + 2 * sizeof(void*));
  for (const std::string& w : words_) {
    if (w.capacity() > 15) bytes += 2 * (w.capacity() + 1);
  }
  return bytes;
}

absl::StatusOr<std::unique_ptr<ArpaLm>> ArpaLm::Load(const std::string& path,
                                                     const ArpaLmConfig& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open LM file ", path));
  std::string head(LmBinary::kMagic.size(), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (LmBinary::HasMagic(head)) {
    in.close();
    return LmBinary::Load(path, config);
  }
  in.clear();
  in.seekg(0);
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm = Parse(text.str(), config);
  if (!lm.ok()) {
    return absl::Status(lm.status().code(),
                        absl::StrCat(path, ": ", std::string(lm.status().message())));
  }
  return lm;
}

int32_t ArpaLm::WordId(std::string_view word) const {
  auto it = word_ids_.find(std::string(word));
  return it == word_ids_.end() ? unk_id_ : it->second;
}

uint32_t ArpaLm::Find(uint32_t context, int32_t word) const {
  if (table_.empty()) return 0;
  const uint64_t mask = table_.size() - 1;
  for (uint64_t slot = Slot(context, word, mask);; slot = (slot + 1) & mask) {
    const uint32_t id = table_[slot];
    if (id == 0) return 0;
    if (entries_[id].context == context && entries_[id].word == word) return id;
  }
}

uint32_t ArpaLm::FindSequence(std::span<const int32_t> words) const {
  uint32_t id = kEmptyState;
  for (int32_t word : words) {
    id = Find(id, word);
    if (id == 0) return 0;
  }
  return id;
}

double ArpaLm::Score(State state, int32_t word, State* next) const {
  if (word < 0 || word >= vocab_size() || state >= entries_.size()) {
    *next = kEmptyState;
    return config_.oov_log_prob;
  }
  double backoff = 0.0;
  for (uint32_t s = state;; s = entries_[s].suffix) {
    if (const uint32_t e = Find(s, word); e != 0) {
      *next = entries_[e].order < order_ ? e : entries_[e].suffix;
      return backoff + entries_[e].log_prob;
    }
    backoff += entries_[s].backoff;
    if (s == kEmptyState) break;
  }
  *next = kEmptyState;
  return config_.oov_log_prob;
}

double ArpaLm::LogProb(std::span<const int32_t> history, int32_t word) const {
  const std::size_t keep = std::min<std::size_t>(history.size(), order_ - 1);
  State state = kEmptyState;
  for (int32_t h : history.last(keep)) Score(state, h, &state);
  State unused = kEmptyState;
  return Score(state, word, &unused);
}

std::vector<int32_t> ArpaLm::StateWords(State state) const {
  std::vector<int32_t> words;
  for (uint32_t s = state; s != kEmptyState && s < entries_.size(); s = entries_[s].context) {
    words.push_back(entries_[s].word);
  }
  std::reverse(words.begin(), words.end());
  return words;
}

}  // namespace auris::nn
