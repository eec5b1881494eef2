// Lexicon constraint through the ASR pipeline: a descriptor's word list or the model file's
// decoder.lexicon "lm" restrict the tiny golden model's transcripts to lexicon words; a lexicon
// holding every output word changes nothing; bad values are load errors that say what is
// allowed; without a lexicon the pipeline builds no scorer it did not build before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"
#include "models/model_descriptor.h"
#include "models/model_registry.h"
#include "tests/models/asr_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
namespace fs = std::filesystem;

const std::set<std::string> kLmWords = {"the", "cat", "sat", "on", "mat", "a"};

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() /
          ("auris_asr_lexicon_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::string WriteWords(const std::string& name, const std::vector<std::string>& lines) {
  const std::string path = TempPath(name);
  std::ofstream out(path);
  for (const std::string& line : lines) out << line << "\n";
  return path;
}

absl::StatusOr<std::unique_ptr<AsrPipeline>> Load(const std::string& model,
                                                  const std::string& lexicon, bool with_lm = true) {
  ModelInfo info;
  info.name = "asr-tiny";
  info.task = kTaskAsr;
  return AsrPipeline::Load(info, model, with_lm ? testing::AsrGolden("asr_tiny.arpa") : "",
                           lexicon);
}

std::string TinyModel() { return testing::AsrGolden("asr_tiny.safetensors"); }

// Every final's alternatives (best first), per utterance, for the golden waveform.
std::vector<std::vector<AsrAlternative>> Decode(
    const AsrPipeline& p, const std::vector<AsrPhraseContext>& contexts = {}) {
  AsrStreamOptions options;
  options.max_alternatives = 4;
  options.contexts = contexts;
  absl::StatusOr<std::unique_ptr<AsrStream>> s = p.CreateStream(options);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return {};
  std::vector<AsrEvent> events;
  EXPECT_TRUE((*s)->Accept(testing::AsrGoldenWaveform(), &events).ok());
  EXPECT_TRUE((*s)->Flush(&events).ok());
  std::vector<std::vector<AsrAlternative>> out;
  for (const AsrEvent& e : events) {
    if (e.type == AsrEvent::Type::kFinal) out.push_back(e.result.alternatives);
  }
  return out;
}

std::string BestTranscript(const AsrPipeline& p,
                           const std::vector<AsrPhraseContext>& contexts = {}) {
  std::string text;
  for (const auto& alternatives : Decode(p, contexts)) {
    if (alternatives.empty() || alternatives[0].transcript.empty()) continue;
    text += (text.empty() ? "" : " ") + alternatives[0].transcript;
  }
  return text;
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::set<std::string> AllOutputWords(const AsrPipeline& p,
                                     const std::vector<AsrPhraseContext>& contexts = {}) {
  std::set<std::string> words;
  for (const auto& alternatives : Decode(p, contexts)) {
    for (const AsrAlternative& a : alternatives) {
      for (const std::string& w : Words(a.transcript)) words.insert(w);
    }
  }
  return words;
}

TEST(AsrLexiconTest, WithoutLexiconNoScorerIsAddedAndOutputLeavesTheLm) {
  std::unique_ptr<AsrPipeline> p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->has_lexicon());
  absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> none = p->LmScorer(0.0, 0.0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  // The random-weight model spells words the LM does not know; the lexicon tests rely on it.
  const std::vector<std::string> words = Words(BestTranscript(*p));
  ASSERT_FALSE(words.empty());
  bool outside = false;
  for (const std::string& w : words) outside |= kLmWords.count(w) == 0;
  EXPECT_TRUE(outside) << BestTranscript(*p);
}

TEST(AsrLexiconTest, WordListRestrictsEveryAlternativeToItsWords) {
  std::unique_ptr<AsrPipeline> plain = testing::LoadTinyAsr();
  ASSERT_NE(plain, nullptr);
  const std::string before = BestTranscript(*plain);
  const std::set<std::string> unconstrained = AllOutputWords(*plain);
  std::vector<std::string> lexicon;
  for (const std::string& w : kLmWords) {
    if (unconstrained.count(w) == 0) lexicon.push_back(w);
  }
  ASSERT_FALSE(lexicon.empty());
  for (bool with_lm : {true, false}) {
    absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
        Load(TinyModel(), WriteWords("restrict.txt", lexicon), with_lm);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_TRUE((*p)->has_lexicon());
    EXPECT_EQ((*p)->lexicon(), lexicon);
    const std::string after = BestTranscript(**p);
    EXPECT_FALSE(after.empty()) << "with_lm " << with_lm;
    EXPECT_NE(after, before);
    const std::set<std::string> words = AllOutputWords(**p);
    ASSERT_FALSE(words.empty());
    for (const std::string& w : words) {
      EXPECT_NE(std::find(lexicon.begin(), lexicon.end(), w), lexicon.end())
          << "\"" << w << "\" is not in the lexicon; with_lm " << with_lm;
    }
  }
}

TEST(AsrLexiconTest, LexiconHoldingEveryOutputWordKeepsTheTranscript) {
  std::unique_ptr<AsrPipeline> plain = testing::LoadTinyAsr();
  ASSERT_NE(plain, nullptr);
  const std::vector<std::vector<AsrAlternative>> before = Decode(*plain);
  const std::set<std::string> words = AllOutputWords(*plain);
  std::vector<std::string> lexicon(words.begin(), words.end());
  lexicon.push_back("zzzq");  // a word no hypothesis spells
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
      Load(TinyModel(), WriteWords("superset.txt", lexicon));
  ASSERT_TRUE(p.ok()) << p.status();
  const std::vector<std::vector<AsrAlternative>> after = Decode(**p);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    ASSERT_FALSE(before[i].empty());
    ASSERT_FALSE(after[i].empty());
    EXPECT_EQ(after[i][0].transcript, before[i][0].transcript) << "utterance " << i;
  }
}

TEST(AsrLexiconTest, MetadataLexiconLmUsesTheLmOneGrams) {
  const Json decoder = {
      {"beam", 8}, {"lm_weight", 0.5}, {"word_insertion_bonus", 0.5}, {"lexicon", "lm"}};
  absl::StatusOr<std::unique_ptr<AsrPipeline>> from_lm =
      Load(testing::WriteTinyAsrWithDecoder(decoder, "asr_lexicon_lm"), "");
  ASSERT_TRUE(from_lm.ok()) << from_lm.status();
  ASSERT_TRUE((*from_lm)->defaults().lexicon_from_lm);
  const std::vector<std::string>& lexicon = (*from_lm)->lexicon();
  EXPECT_EQ(std::set<std::string>(lexicon.begin(), lexicon.end()), kLmWords);
  const std::set<std::string> words = AllOutputWords(**from_lm);
  ASSERT_FALSE(words.empty());
  for (const std::string& w : words) EXPECT_EQ(kLmWords.count(w), 1u) << w;
  // The same words as a descriptor word list decode the same way.
  absl::StatusOr<std::unique_ptr<AsrPipeline>> listed =
      Load(TinyModel(),
           WriteWords("lm_words.txt", std::vector<std::string>(lexicon.begin(), lexicon.end())));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(BestTranscript(**listed), BestTranscript(**from_lm));
}

TEST(AsrLexiconTest, WordListOverridesTheMetadataLexicon) {
  const Json decoder = {{"beam", 8}, {"lexicon", "lm"}};
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
      Load(testing::WriteTinyAsrWithDecoder(decoder, "asr_lexicon_override"),
           WriteWords("override.txt", {"on", "a"}));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)->lexicon(), (std::vector<std::string>{"on", "a"}));
  for (const std::string& w : AllOutputWords(**p)) EXPECT_TRUE(w == "on" || w == "a") << w;
}

TEST(AsrLexiconTest, NoneTurnsTheMetadataLexiconOff) {
  const Json weights = {{"beam", 8}, {"lm_weight", 0.5}, {"word_insertion_bonus", 0.5}};
  Json with_lexicon = weights;
  with_lexicon["lexicon"] = "lm";
  const std::string file = testing::WriteTinyAsrWithDecoder(with_lexicon, "asr_lexicon_none");
  absl::StatusOr<std::unique_ptr<AsrPipeline>> constrained = Load(file, "");
  absl::StatusOr<std::unique_ptr<AsrPipeline>> off = Load(file, AsrPipeline::kNoLexicon);
  absl::StatusOr<std::unique_ptr<AsrPipeline>> plain =
      Load(testing::WriteTinyAsrWithDecoder(weights, "asr_lexicon_plain"), "");
  ASSERT_TRUE(constrained.ok() && off.ok() && plain.ok());
  EXPECT_TRUE((*constrained)->has_lexicon());
  EXPECT_FALSE((*off)->has_lexicon());
  EXPECT_EQ(BestTranscript(**off), BestTranscript(**plain));
  EXPECT_NE(BestTranscript(**off), BestTranscript(**constrained));
  bool outside = false;
  for (const std::string& w : AllOutputWords(**off)) outside |= kLmWords.count(w) == 0;
  EXPECT_TRUE(outside) << BestTranscript(**off);
}

// A context phrase with words outside the lexicon: the words join the lexicon for that
// stream, so restricting to the phrase decodes exactly as without a lexicon (before, the
// lexicon forbade every spelling of the phrase and the transcript was empty), and a boost
// can bring the word out.
TEST(AsrLexiconTest, ContextPhraseWordsJoinTheLexicon) {
  std::unique_ptr<AsrPipeline> plain = testing::LoadTinyAsr();
  ASSERT_NE(plain, nullptr);
  std::string outside;
  for (const std::string& w : Words(BestTranscript(*plain))) {
    if (w != "on" && w != "a") outside = w;
  }
  ASSERT_FALSE(outside.empty());
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
      Load(TinyModel(), WriteWords("phrase.txt", {"on", "a"}));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE((*p)->InLexicon(outside));
  EXPECT_FALSE(AllOutputWords(**p).contains(outside));
  // Upper case and extra spaces are read as the phrase scorers read them.
  std::string shouted = outside;
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<AsrPhraseContext> restrict = {{{"  " + shouted + " "}, 0.0, true}};
  const std::string restricted = BestTranscript(**p, restrict);
  EXPECT_FALSE(restricted.empty());
  EXPECT_EQ(restricted, BestTranscript(*plain, restrict));
  for (const std::string& w : Words(restricted)) EXPECT_EQ(w, outside);
  // Boosted: exactly as if the word were in the word list.
  absl::StatusOr<std::unique_ptr<AsrPipeline>> listed =
      Load(TinyModel(), WriteWords("phrase_listed.txt", {"on", "a", outside}));
  ASSERT_TRUE(listed.ok()) << listed.status();
  const std::vector<AsrPhraseContext> boost = {{{outside}, 2.0, false}};
  const std::string boosted = BestTranscript(**p, boost);
  EXPECT_EQ(boosted, BestTranscript(**listed, boost));
  EXPECT_TRUE(AllOutputWords(**p, boost).contains(outside)) << boosted;
  EXPECT_FALSE((*p)->InLexicon(outside));  // the pipeline's own lexicon is unchanged
}

// Many different phrase sets evict each other, not the plain scorer every other stream uses.
TEST(AsrLexiconTest, PhraseScorersDoNotEvictThePlainScorer) {
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
      Load(TinyModel(), WriteWords("evict.txt", {"on", "a"}));
  ASSERT_TRUE(p.ok()) << p.status();
  const AsrDecoderDefaults& d = (*p)->defaults();
  absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> plain =
      (*p)->LmScorer(d.lm_weight, d.word_insertion_bonus);
  ASSERT_TRUE(plain.ok()) << plain.status();
  for (int i = 0; i < 40; ++i) {
    AsrStreamOptions options;
    options.contexts = {{{"word" + std::string(1, static_cast<char>('a' + i % 26)) +
                          std::string(1, static_cast<char>('a' + i / 26))},
                         2.0,
                         false}};
    ASSERT_TRUE((*p)->CreateStream(options).ok()) << i;
  }
  absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> again =
      (*p)->LmScorer(d.lm_weight, d.word_insertion_bonus);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), plain->get());  // the same cached instance, not a rebuilt one
  absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> with_words =
      (*p)->LmScorer(d.lm_weight, d.word_insertion_bonus, {"zebra"});
  ASSERT_TRUE(with_words.ok());
  EXPECT_NE(with_words->get(), plain->get());
  absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> known =
      (*p)->LmScorer(d.lm_weight, d.word_insertion_bonus, {"on", "a", ""});
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(known->get(), plain->get());  // lexicon words add nothing
}

// decoder.oov_penalty 0 makes the lexicon cost nothing: decoding equals the same model
// without a lexicon; a stream's oov_penalty +inf restores lexicon words only.
TEST(AsrLexiconTest, OovPenaltyOpensTheVocabulary) {
  const Json weights = {{"beam", 8}, {"lm_weight", 0.5}, {"word_insertion_bonus", 0.5}};
  Json open = weights;
  open["oov_penalty"] = 0.0;
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
      Load(testing::WriteTinyAsrWithDecoder(open, "asr_lexicon_oov"),
           WriteWords("oov.txt", {"on", "a"}));
  absl::StatusOr<std::unique_ptr<AsrPipeline>> plain =
      Load(testing::WriteTinyAsrWithDecoder(weights, "asr_lexicon_oov_plain"), "");
  ASSERT_TRUE(p.ok() && plain.ok());
  EXPECT_EQ((*p)->defaults().oov_penalty, 0.0);
  const std::string free = BestTranscript(**p);
  EXPECT_EQ(free, BestTranscript(**plain));
  bool outside = false;
  for (const std::string& w : Words(free)) outside |= w != "on" && w != "a";
  EXPECT_TRUE(outside) << free;
  // Per stream: +inf is the closed lexicon again.
  AsrStreamOptions options;
  options.oov_penalty = std::numeric_limits<double>::infinity();
  absl::StatusOr<std::unique_ptr<AsrStream>> s = (*p)->CreateStream(options);
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<AsrEvent> events;
  ASSERT_TRUE((*s)->Accept(testing::AsrGoldenWaveform(), &events).ok());
  ASSERT_TRUE((*s)->Flush(&events).ok());
  for (const AsrEvent& e : events) {
    if (e.type != AsrEvent::Type::kFinal) continue;
    for (const AsrAlternative& a : e.result.alternatives) {
      for (const std::string& w : Words(a.transcript)) EXPECT_TRUE(w == "on" || w == "a") << w;
    }
  }
  options.oov_penalty = -1.0;
  EXPECT_FALSE((*p)->CreateStream(options).ok());
  for (const Json& bad : {Json(-1.0), Json("0")}) {
    Json decoder = weights;
    decoder["oov_penalty"] = bad;
    absl::StatusOr<std::unique_ptr<AsrPipeline>> b =
        Load(testing::WriteTinyAsrWithDecoder(decoder, "asr_lexicon_oov_bad"), "");
    ASSERT_FALSE(b.ok()) << bad.dump();
    EXPECT_THAT(std::string(b.status().message()), HasSubstr("decoder.oov_penalty"));
  }
}

TEST(AsrLexiconTest, BadLexiconFilesAreLoadErrors) {
  absl::StatusOr<std::unique_ptr<AsrPipeline>> missing =
      Load(TinyModel(), TempPath("no_such_words.txt"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no_such_words.txt"));
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("one word per line"));

  absl::StatusOr<std::unique_ptr<AsrPipeline>> empty =
      Load(TinyModel(), WriteWords("empty.txt", {"", "   ", ""}));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(empty.status().message()), HasSubstr("has no words"));

  absl::StatusOr<std::unique_ptr<AsrPipeline>> upper =
      Load(TinyModel(), WriteWords("upper.txt", {"THE", "CAT"}));
  ASSERT_FALSE(upper.ok());
  EXPECT_EQ(upper.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(upper.status().message()), HasSubstr("can be spelled"));
  EXPECT_THAT(std::string(upper.status().message()), HasSubstr("\"THE\""));
  // One spellable word is enough.
  EXPECT_TRUE(Load(TinyModel(), WriteWords("mixed.txt", {"THE", "cat"})).ok());
}

TEST(AsrLexiconTest, BadMetadataLexiconIsALoadError) {
  int k = 0;
  for (const Json& value : {Json(1), Json("words"), Json(true), Json{{"file", "w.txt"}}}) {
    const Json decoder = {{"beam", 8}, {"lexicon", value}};
    absl::StatusOr<std::unique_ptr<AsrPipeline>> p = Load(
        testing::WriteTinyAsrWithDecoder(decoder, "asr_lexicon_bad" + std::to_string(k++)), "");
    ASSERT_FALSE(p.ok()) << value.dump();
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("decoder.lexicon is " + value.dump()));
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("allowed: \"lm\""));
  }
  absl::StatusOr<std::unique_ptr<AsrPipeline>> no_lm = Load(
      testing::WriteTinyAsrWithDecoder({{"beam", 8}, {"lexicon", "lm"}}, "asr_lexicon_no_lm"), "",
      /*with_lm=*/false);
  ASSERT_FALSE(no_lm.ok());
  EXPECT_THAT(std::string(no_lm.status().message()), HasSubstr("needs a language model"));
  absl::StatusOr<std::unique_ptr<AsrPipeline>> greedy = Load(
      testing::WriteTinyAsrWithDecoder({{"beam", 1}, {"lexicon", "lm"}}, "asr_lexicon_greedy"), "");
  ASSERT_FALSE(greedy.ok());
  EXPECT_THAT(std::string(greedy.status().message()), HasSubstr("needs beam search"));
}

// A request for greedy search gets it, without the lexicon (which needs beam search):
// exactly the greedy transcript of the same model without a lexicon.
TEST(AsrLexiconTest, GreedyRequestOnALexiconModelDecodesGreedilyWithoutIt) {
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p = Load(TinyModel(), WriteWords("g.txt", {"a"}));
  ASSERT_TRUE(p.ok()) << p.status();
  std::unique_ptr<AsrPipeline> plain = testing::LoadTinyAsr();
  ASSERT_NE(plain, nullptr);
  const auto greedy = [](const AsrPipeline& pipeline) {
    AsrStreamOptions options;
    options.beam_size = 1;
    absl::StatusOr<std::unique_ptr<AsrStream>> s = pipeline.CreateStream(options);
    EXPECT_TRUE(s.ok()) << s.status();
    std::string text;
    if (!s.ok()) return text;
    std::vector<AsrEvent> events;
    EXPECT_TRUE((*s)->Accept(testing::AsrGoldenWaveform(), &events).ok());
    EXPECT_TRUE((*s)->Flush(&events).ok());
    for (const AsrEvent& e : events) {
      if (e.type == AsrEvent::Type::kFinal && !e.result.alternatives.empty()) {
        text += e.result.alternatives[0].transcript + "|";
      }
    }
    return text;
  };
  const std::string expected = greedy(*plain);
  ASSERT_FALSE(Words(expected).empty());
  EXPECT_EQ(greedy(**p), expected);
  EXPECT_NE(BestTranscript(**p), BestTranscript(*plain));  // beam search keeps the lexicon
  // Speech contexts still need beam search.
  AsrStreamOptions options;
  options.beam_size = 1;
  options.contexts = {{{"a"}, 2.0, false}};
  absl::StatusOr<std::unique_ptr<AsrStream>> s = (*p)->CreateStream(options);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("beam search"));
}

class AsrLexiconDescriptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempPath(std::string("dir_") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(fs::path(dir_) / "sub");
    fs::copy_file(TinyModel(), fs::path(dir_) / "sub" / "m.safetensors");
    fs::copy_file(testing::AsrGolden("asr_tiny.arpa"), fs::path(dir_) / "sub" / "lm.arpa");
    std::ofstream(fs::path(dir_) / "sub" / "words.txt") << "cat\nmat x y\n\non\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& json) {
    std::ofstream(fs::path(dir_) / name) << json;
  }
  std::string dir_;
};

TEST_F(AsrLexiconDescriptorTest, LexiconIsRelativeToTheDescriptor) {
  Write("asr.json", R"({"auris_model": 1, "name": "tiny", "task": "asr", "type": "asr",
    "version": "1", "file": "sub/m.safetensors", "lm": "sub/lm.arpa",
    "lexicon": "sub/words.txt"})");
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_);
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_TRUE((*registry)->skipped().empty());
  absl::StatusOr<const AsrPipeline*> asr = (*registry)->FindAsr("tiny");
  ASSERT_TRUE(asr.ok()) << asr.status();
  EXPECT_EQ((*asr)->lexicon(), (std::vector<std::string>{"cat", "mat", "on"}));
  for (const std::string& w : AllOutputWords(**asr)) {
    EXPECT_TRUE(w == "cat" || w == "mat" || w == "on") << w;
  }
}

TEST_F(AsrLexiconDescriptorTest, NoneTurnsTheModelFilesLexiconOff) {
  const std::string file = testing::WriteTinyAsrWithDecoder({{"beam", 8}, {"lexicon", "lm"}},
                                                            "asr_lexicon_descriptor_none");
  fs::copy_file(file, fs::path(dir_) / "sub" / "lex.safetensors");
  Write("asr.json", R"({"auris_model": 1, "name": "tiny", "task": "asr", "type": "asr",
    "version": "1", "file": "sub/lex.safetensors", "lm": "sub/lm.arpa", "lexicon": "none"})");
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_);
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_TRUE((*registry)->skipped().empty());
  absl::StatusOr<const AsrPipeline*> asr = (*registry)->FindAsr("tiny");
  ASSERT_TRUE(asr.ok()) << asr.status();
  EXPECT_FALSE((*asr)->has_lexicon());
}

TEST_F(AsrLexiconDescriptorTest, MissingLexiconFileSkipsTheModelWithTheReason) {
  Write("asr.json", R"({"auris_model": 1, "name": "tiny", "task": "asr", "type": "asr",
    "version": "1", "file": "sub/m.safetensors", "lexicon": "sub/nope.txt"})");
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_);
  ASSERT_TRUE(registry.ok()) << registry.status();
  ASSERT_EQ((*registry)->skipped().size(), 1u);
  const absl::Status& why = (*registry)->skipped()[0].status;
  EXPECT_EQ(why.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(why.message()), HasSubstr("nope.txt"));
  EXPECT_THAT(std::string(why.message()), HasSubstr("lexicon"));
}

TEST_F(AsrLexiconDescriptorTest, LexiconFieldMustBeANonEmptyStringForAsr) {
  for (const char* value : {"3", "\"\"", "[\"cat\"]"}) {
    const std::string json = std::string(R"({"auris_model": 1, "name": "tiny", "task": "asr",
      "type": "asr", "version": "1", "file": "m.safetensors", "lexicon": )") +
                             value + "}";
    absl::StatusOr<ModelDescriptor> d = ParseModelDescriptor(json, "x.json");
    ASSERT_FALSE(d.ok()) << value;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("field \"lexicon\""));
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("word list"));
  }
  absl::StatusOr<ModelDescriptor> ok = ParseModelDescriptor(
      R"({"auris_model": 1, "name": "t", "task": "asr", "type": "asr", "version": "1",
      "lexicon": "w.txt"})",
      "x.json");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->lexicon, "w.txt");
  Write("d.json", R"({"auris_model": 1, "name": "d", "task": "denoise",
    "type": "classic_denoiser", "version": "1", "lexicon": "sub/words.txt"})");
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_);
  ASSERT_FALSE(registry.ok());
  EXPECT_THAT(std::string(registry.status().message()), HasSubstr("only for type asr"));
}

}  // namespace
}  // namespace auris::models
