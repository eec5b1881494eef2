// auris-lm-compile IN.arpa OUT.bin: compiles an ARPA language model into the binary form
// that ArpaLm::Load (and so every --lm / descriptor "lm" path) reads without parsing.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "nn/arpa_lm.h"
#include "nn/lm_binary.h"

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Compile an ARPA n-gram LM into auris' binary LM format (loads without parsing)"};
  std::string in_path;
  std::string out_path;
  bool verify = true;
  app.add_option("in", in_path, "ARPA text file (orders 1-5)")->required();
  app.add_option("out", out_path, "binary LM to write (replaced if present)")->required();
  app.add_flag("!--no-verify", verify, "skip reloading the output and comparing scores");
  CLI11_PARSE(app, argc, argv);

  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<auris::nn::ArpaLm>> lm = auris::nn::ArpaLm::Load(in_path);
  if (!lm.ok()) {
    std::fprintf(stderr, "auris-lm-compile: %s\n", std::string(lm.status().message()).c_str());
    return 1;
  }
  const double parse_s = SecondsSince(start);
  if (absl::Status s = auris::nn::LmBinary::Write(**lm, out_path); !s.ok()) {
    std::fprintf(stderr, "auris-lm-compile: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  if (verify) {
    const auto load_start = std::chrono::steady_clock::now();
    absl::StatusOr<std::unique_ptr<auris::nn::ArpaLm>> back = auris::nn::ArpaLm::Load(out_path);
    if (!back.ok() ||
        auris::nn::LmBinary::Serialize(**back) != auris::nn::LmBinary::Serialize(**lm)) {
      std::fprintf(stderr, "auris-lm-compile: %s does not read back identically: %s\n",
                   out_path.c_str(),
                   back.ok() ? "tables differ" : std::string(back.status().message()).c_str());
      return 1;
    }
    std::fprintf(stderr, "verified: binary loads in %.3f s\n", SecondsSince(load_start));
  }
  std::fprintf(stderr, "%s: order %d, %d words", out_path.c_str(), (*lm)->order(),
               (*lm)->vocab_size());
  for (int n = 1; n <= (*lm)->order(); ++n) {
    std::fprintf(stderr, ", %lld %d-grams", static_cast<long long>((*lm)->num_ngrams(n)), n);
  }
  std::fprintf(stderr, "; ARPA parsed in %.3f s\n", parse_s);
  return 0;
}
