#include "server/stream_config_errors.h"

#include "absl/strings/str_cat.h"

namespace auris::server {

absl::Status StreamConfigErrors::SentTwice() const {
  return absl::FailedPreconditionError(
      absl::StrCat(config_field, " was sent twice; send it only in the first message"));
}

absl::Status StreamConfigErrors::NeitherSet() const {
  return absl::InvalidArgumentError(absl::StrCat("a ", request_type, " must set ", config_field,
                                                 " (first message) or audio_content"));
}

absl::Status StreamConfigErrors::AudioFirst() const {
  return absl::FailedPreconditionError(absl::StrCat("the first message must be a ", config_field,
                                                    " (", config_type,
                                                    "); audio_content came first"));
}

absl::Status StreamConfigErrors::EndedFirst() const {
  return absl::FailedPreconditionError(absl::StrCat("the stream ended before a ", config_field,
                                                    " was sent; the first message must be ",
                                                    config_article, " ", config_type));
}

}  // namespace auris::server
