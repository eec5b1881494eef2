// Deterministic random ARPA text for tests and benchmarks (no files to download): a 3-gram
// model over `vocab` lowercase letter words (2-8 letters) plus <unk>, <s>, </s>, with
// `bigrams` distinct 2-grams and `trigrams` distinct 3-grams whose contexts are listed 2-grams.
#ifndef AURIS_TESTS_NN_RANDOM_ARPA_H_
#define AURIS_TESTS_NN_RANDOM_ARPA_H_

#include <cstdint>
#include <initializer_list>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace auris::nn::testing {

// Words of the model, in 1-gram order (without <unk>, <s>, </s>).
inline std::vector<std::string> RandomWords(int vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> length(2, 8);
  std::uniform_int_distribution<int> letter('a', 'z');
  std::set<std::string> seen;
  std::vector<std::string> words;
  while (static_cast<int>(words.size()) < vocab) {
    std::string w(length(rng), 'a');
    for (char& c : w) c = static_cast<char>(letter(rng));
    if (seen.insert(w).second) words.push_back(w);
  }
  return words;
}

inline std::string RandomArpa(int vocab, int bigrams, int trigrams, uint32_t seed = 7) {
  const std::vector<std::string> words = RandomWords(vocab, seed);
  std::mt19937 rng(seed + 1);
  std::uniform_real_distribution<double> log_prob(-4.0, -0.3);
  std::uniform_real_distribution<double> backoff(-1.0, 0.0);
  std::uniform_int_distribution<int> pick(0, vocab);  // vocab = the sentence marker
  auto number = [](double v) { return std::to_string(v); };

  std::set<std::pair<int, int>> pairs;  // -1 = <s> as first word, vocab = </s> as second
  while (static_cast<int>(pairs.size()) < bigrams) {
    const int a = pick(rng);
    pairs.emplace(a == vocab ? -1 : a, pick(rng));
  }
  const std::vector<std::pair<int, int>> contexts(pairs.begin(), pairs.end());
  std::uniform_int_distribution<std::size_t> pick_context(0, contexts.size() - 1);
  std::set<std::tuple<int, int, int>> triples;
  while (static_cast<int>(triples.size()) < trigrams) {
    const auto [a, b] = contexts[pick_context(rng)];
    if (b == vocab) continue;
    triples.emplace(a, b, pick(rng));
  }
  auto first = [&](int w) { return w < 0 ? std::string("<s>") : words[w]; };
  auto last = [&](int w) { return w == vocab ? std::string("</s>") : words[w]; };

  std::string out;
  auto line = [&out](std::initializer_list<std::string> fields, const char* sep = "\t") {
    for (const std::string& f : fields) {
      if (&f != fields.begin()) out += sep;
      out += f;
    }
    out += '\n';
  };
  out += "\\data\\\n";
  line({std::string("ngram 1=") + std::to_string(vocab + 3)});
  line({std::string("ngram 2=") + std::to_string(bigrams)});
  line({std::string("ngram 3=") + std::to_string(trigrams)});
  out += "\n\\1-grams:\n";
  line({number(log_prob(rng)), "<unk>", number(backoff(rng))});
  line({"-99", "<s>", number(backoff(rng))});
  line({number(log_prob(rng)), "</s>"});
  for (const std::string& w : words) line({number(log_prob(rng)), w, number(backoff(rng))});
  out += "\n\\2-grams:\n";
  for (const auto& [a, b] : pairs) {
    const std::string p = number(log_prob(rng));
    const std::string context = first(a);
    if (b == vocab) {
      line({p, context, last(b)});
    } else {
      line({p, context, last(b), number(backoff(rng))});
    }
  }
  out += "\n\\3-grams:\n";
  for (const auto& [a, b, c] : triples) line({number(log_prob(rng)), first(a), words[b], last(c)});
  return out + "\n\\end\\\n";
}

}  // namespace auris::nn::testing

#endif  // AURIS_TESTS_NN_RANDOM_ARPA_H_
