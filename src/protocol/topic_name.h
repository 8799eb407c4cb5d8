// topic_name: Kafka's rules for topic names, with Kafka's messages (InvalidTopicException,
// error code 17 INVALID_TOPIC_EXCEPTION). A legal name is 1 to 249 characters of
// [a-zA-Z0-9._-], and not "." or "..". The limit leaves room for the partition directory
// "<topic>-<partition>" within a 255-byte file name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/kafka_result.h"

namespace brook::protocol {

constexpr size_t max_topic_name_length = 249;

// Success for a legal name; otherwise INVALID_TOPIC_EXCEPTION with why it is not, in
// Kafka's words.
kafka_result<void> validate_topic_name(std::string_view name);
// True for a legal name (validate_topic_name gives the reason otherwise).
bool is_legal_topic_name(std::string_view name);

// Brook's own internal topics start with this (the audit topic of the security work).
constexpr std::string_view brook_internal_prefix = "__brook_";
// The names Kafka keeps for itself (__consumer_offsets, __transaction_state,
// __cluster_metadata) and Brook's own (brook_internal_prefix): no client creates them.
bool is_internal_topic_name(std::string_view name);
// Brook's own internal topics: no client deletes them either.
bool is_brook_internal_topic_name(std::string_view name);

// Kafka's metric names turn '.' into '_', so "a.b" and "a_b" collide. True when `name`
// holds either character (Kafka then warns at creation).
bool has_collision_chars(std::string_view name);
// `name` with every '.' replaced by '_'.
std::string unify_collision_chars(std::string_view name);
// True when `a` and `b` differ but collide ("a.b" and "a_b"); false for equal names.
bool topic_names_collide(std::string_view a, std::string_view b);

}  // namespace brook::protocol
