// The protocol errors of a config-first streaming call (config, then audio_content), worded
// with the call's own message and field names. Immutable; thread-safe.
#ifndef AURIS_SERVER_STREAM_CONFIG_ERRORS_H_
#define AURIS_SERVER_STREAM_CONFIG_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace auris::server {

struct StreamConfigErrors {
  absl::string_view request_type;    // "StreamingDenoiseRequest"
  absl::string_view config_field;    // "config"
  absl::string_view config_type;     // "DenoiseConfig"
  absl::string_view config_article;  // "a" or "an", before config_type

  // FAILED_PRECONDITION: a second config message.
  absl::Status SentTwice() const;
  // INVALID_ARGUMENT: a message with neither the config nor audio_content set.
  absl::Status NeitherSet() const;
  // FAILED_PRECONDITION: audio_content before the config.
  absl::Status AudioFirst() const;
  // FAILED_PRECONDITION: the client half-closed before sending the config.
  absl::Status EndedFirst() const;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_STREAM_CONFIG_ERRORS_H_
