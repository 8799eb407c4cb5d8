// kafka_error_text: Kafka error codes in words for a command-line user.
#pragma once

#include <cstdint>
#include <string>

namespace brook::app {

// The Kafka name of an error code ("Kafka error code N" for one this build does not know).
std::string error_name(int16_t code);

// An error code with a sentence for the ones a group administrator meets.
std::string explain(int16_t code);

}  // namespace brook::app
