// The file sink against real files in a temp directory: what each format writes, and the
// exactly-once promise: what was not flushed is cut back when the sink opens again, and a
// replay of the same records writes each line once.
#include "connect/file_sink.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/file_contents.h"
#include "support/temp_dir.h"

namespace brook::connect {
namespace {

using test::file_contents;

consumed_record rec(std::string topic, int32_t partition, int64_t offset, std::string value,
                    std::optional<std::string> key = std::nullopt, int64_t ts = 1700000000000) {
  consumed_record r;
  r.topic = std::move(topic);
  r.partition = partition;
  r.offset = offset;
  r.timestamp_ms = ts;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

class FileSinkTest : public ::testing::Test {
 protected:
  file_sink_options options(connector_config::values v) {
    v.emplace("file", (dir / "out.jsonl").string());
    connector_config c(std::move(v));
    auto o = file_sink_options::from(c, dir / "state", "test-sink");
    EXPECT_TRUE(c.errors().empty()) << c.errors().front();
    return o;
  }
  std::unique_ptr<file_sink> open(const file_sink_options& o) {
    auto s = file_sink::open(o);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  static std::vector<consumed_record> records(std::initializer_list<consumed_record> r) {
    return r;
  }

  test::temp_dir dir;
};

TEST_F(FileSinkTest, JsonLinesAreCompactAndCommittedOnlyOnceDurable) {
  auto o = options({{"format", "json"}});
  auto s = open(o);
  auto batch =
      records({rec("t", 0, 0, "{\"a\": 1}"), rec("t", 0, 1, "[1,\n 2]"), rec("t", 1, 7, "\"x\"")});
  auto put = s->put(batch);
  ASSERT_TRUE(put.has_value());
  EXPECT_TRUE(put->empty());
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "{\"a\":1}\n[1,2]\n\"x\"\n");
  auto flushed = s->flush();
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(*flushed, (std::map<topic_partition, int64_t>{{{"t", 0}, 2}, {{"t", 1}, 8}}));
  EXPECT_EQ(s->resume_offset({"t", 0}).value(), 2);
  EXPECT_EQ(s->resume_offset({"u", 0}).value(), std::nullopt);
}

TEST_F(FileSinkTest, WhatWasNotFlushedIsCutBackAndWrittenOnceOnReplay) {
  auto o = options({{"format", "json"}});
  {
    auto s = open(o);
    ASSERT_TRUE(s->put(records({rec("t", 0, 0, "1"), rec("t", 0, 1, "2")})).has_value());
    ASSERT_TRUE(s->flush().has_value());
    ASSERT_TRUE(s->put(records({rec("t", 0, 2, "3"), rec("t", 0, 3, "4")})).has_value());
    EXPECT_EQ(file_contents(dir / "out.jsonl"), "1\n2\n3\n4\n");
    // A crash here: the sink is dropped without a flush.
  }
  auto s = open(o);
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "1\n2\n");
  EXPECT_EQ(s->resume_offset({"t", 0}).value(), 2);
  // The group's committed offset may be behind the file: records already durable are
  // skipped, the others written once.
  ASSERT_TRUE(
      s->put(records({rec("t", 0, 1, "2"), rec("t", 0, 2, "3"), rec("t", 0, 3, "4")})).has_value());
  ASSERT_TRUE(s->flush().has_value());
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "1\n2\n3\n4\n");
}

TEST_F(FileSinkTest, CsvColumnsFromJsonPathsAndRecordFieldsQuotedAsRfc4180) {
  auto o = options({{"format", "csv"},
                    {"csv.columns", "$timestamp,user.id,event,note,$key,$partition,$offset"}});
  auto s = open(o);
  auto batch = records({
      rec("t", 0, 5, R"({"user":{"id":7},"event":"signup","note":"a, \"quoted\"\nline"})", "k1"),
      rec("t", 0, 6, R"({"user":{"id":8},"event":"café ☕"})", std::nullopt, 1700000000123),
  });
  ASSERT_TRUE(s->put(batch).has_value());
  ASSERT_TRUE(s->flush().has_value());
  EXPECT_EQ(file_contents(dir / "out.jsonl"),
            "timestamp,user.id,event,note,key,partition,offset\n"
            "2023-11-14T22:13:20.000Z,7,signup,\"a, \"\"quoted\"\"\nline\",k1,0,5\n"
            "2023-11-14T22:13:20.123Z,8,café ☕,,,0,6\n");
}

TEST_F(FileSinkTest, CsvHeaderNamesAndNoHeader) {
  auto named = options({{"format", "csv"}, {"csv.columns", "a,b"}, {"csv.header.names", "x,y"}});
  ASSERT_TRUE(open(named)->put(records({rec("t", 0, 0, R"({"a":1,"b":2})")})).has_value());
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "x,y\n1,2\n");
  std::filesystem::remove_all(dir.path());
  std::filesystem::create_directories(dir.path());
  auto bare = options({{"format", "csv"}, {"csv.columns", "a"}, {"csv.header", "false"}});
  ASSERT_TRUE(open(bare)->put(records({rec("t", 0, 0, R"({"a":"v"})")})).has_value());
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "v\n");
}

TEST_F(FileSinkTest, ANewFileCutBackToNothingGetsItsHeaderAgain) {
  auto o = options({{"format", "csv"}, {"csv.columns", "a"}});
  {
    auto s = open(o);
    ASSERT_TRUE(s->put(records({rec("t", 0, 0, R"({"a":1})")})).has_value());
  }
  auto s = open(o);
  ASSERT_TRUE(s->put(records({rec("t", 0, 0, R"({"a":1})")})).has_value());
  ASSERT_TRUE(s->flush().has_value());
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "a\n1\n");
}

TEST_F(FileSinkTest, OneFilePerTopicPartition) {
  connector_config c(
      connector_config::values{{"file", (dir / "${topic}" / "p${partition}.txt").string()}});
  auto o = file_sink_options::from(c, dir / "state", "per-partition");
  auto s = open(o);
  ASSERT_TRUE(s->put(records({rec("a", 0, 0, "a0"), rec("b", 1, 0, "b1"), rec("a", 0, 1, "a0'")}))
                  .has_value());
  EXPECT_EQ(file_contents(dir / "a" / "p0.txt"), "a0\na0'\n");
  EXPECT_EQ(file_contents(dir / "b" / "p1.txt"), "b1\n");
}

TEST_F(FileSinkTest, RotationBySizeStartsNumberedFilesAndSurvivesACrash) {
  auto o = options({{"format", "text"}, {"rotate.size.bytes", "10"}});
  {
    auto s = open(o);
    ASSERT_TRUE(
        s->put(records({rec("t", 0, 0, "aaaa"), rec("t", 0, 1, "bbbb"), rec("t", 0, 2, "cccc")}))
            .has_value());
    ASSERT_TRUE(s->flush().has_value());
    ASSERT_TRUE(s->put(records({rec("t", 0, 3, "dddd"), rec("t", 0, 4, "eeee")})).has_value());
  }
  EXPECT_EQ(file_contents(dir / "out-000001.jsonl"), "aaaa\nbbbb\n");
  EXPECT_EQ(file_contents(dir / "out-000002.jsonl"), "cccc\ndddd\n");
  EXPECT_EQ(file_contents(dir / "out-000003.jsonl"), "eeee\n");
  // The rotation to 000003 flushed everything before it: only eeee is cut back.
  auto s = open(o);
  EXPECT_EQ(file_contents(dir / "out-000003.jsonl"), "");
  EXPECT_EQ(s->resume_offset({"t", 0}).value(), 4);
  ASSERT_TRUE(s->put(records({rec("t", 0, 4, "eeee"), rec("t", 0, 5, "ffff")})).has_value());
  ASSERT_TRUE(s->flush().has_value());
  EXPECT_EQ(file_contents(dir / "out-000003.jsonl"), "eeee\nffff\n");
}

TEST_F(FileSinkTest, AFileThatIsThereAlreadyIsAppendedTo) {
  { std::ofstream(dir / "out.jsonl") << "kept\n"; }
  auto o = options({});
  {
    auto s = open(o);
    ASSERT_TRUE(s->put(records({rec("t", 0, 0, "new")})).has_value());
    ASSERT_TRUE(s->flush().has_value());
    ASSERT_TRUE(s->put(records({rec("t", 0, 1, "lost")})).has_value());
  }
  auto s = open(o);  // cut back to what the sink made durable, the old lines kept
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "kept\nnew\n");
}

TEST_F(FileSinkTest, AFileRemovedWhileStoppedIsBegunAgain) {
  auto o = options({});
  {
    auto s = open(o);
    ASSERT_TRUE(s->put(records({rec("t", 0, 0, "a")})).has_value());
    ASSERT_TRUE(s->flush().has_value());
  }
  std::filesystem::remove(dir / "out.jsonl");
  auto s = open(o);
  ASSERT_TRUE(s->put(records({rec("t", 0, 0, "a"), rec("t", 0, 1, "b")})).has_value());
  ASSERT_TRUE(s->flush().has_value());
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "b\n");
}

TEST_F(FileSinkTest, AnOutputThatCannotBeCreatedIsAnErrorAndLeavesNoTrace) {
  { std::ofstream(dir / "blocker") << "a file, not a directory"; }
  connector_config c(connector_config::values{{"file", (dir / "blocker" / "out.txt").string()}});
  auto o = file_sink_options::from(c, dir / "state", "blocked");
  {
    auto s = open(o);
    auto put = s->put(records({rec("t", 0, 0, "a")}));
    ASSERT_FALSE(put.has_value());
    EXPECT_NE(put.error().message.find("blocker"), std::string::npos);
  }
  // Pointed elsewhere (same connector, same state file), it writes.
  connector_config fixed(connector_config::values{{"file", (dir / "fixed.txt").string()}});
  auto s = open(file_sink_options::from(fixed, dir / "state", "blocked"));
  ASSERT_TRUE(s->put(records({rec("t", 0, 0, "a")})).has_value());
  ASSERT_TRUE(s->flush().has_value());
  EXPECT_EQ(file_contents(dir / "fixed.txt"), "a\n");
}

TEST_F(FileSinkTest, ARejectedRecordIsNotMadeDurableByARotationBeforeTheWorkerFlushes) {
  auto o = options({{"format", "json"}, {"rotate.size.bytes", "10"}});
  {
    auto s = open(o);
    auto put = s->put(records({rec("t", 0, 0, "\"aaaaaa\""), rec("t", 0, 1, "bad"),
                               rec("t", 0, 2, "\"bbbbbb\""), rec("t", 0, 3, "\"cccccc\"")}));
    ASSERT_TRUE(put.has_value());
    ASSERT_EQ(put->size(), 1U);
    // Dropped before flush() (the task failed on the bad record, or crashed).
  }
  auto s = open(o);
  EXPECT_EQ(s->resume_offset({"t", 0}).value(), std::nullopt);
  EXPECT_EQ(file_contents(dir / "out-000001.jsonl"), "");
}

TEST_F(FileSinkTest, AListedFileThatIsMissingDoesNotStopOtherOutputs) {
  connector_config c(connector_config::values{{"file", (dir / "${topic}.txt").string()}});
  auto o = file_sink_options::from(c, dir / "state", "two");
  {
    auto s = open(o);
    ASSERT_TRUE(s->put(records({rec("a", 0, 0, "a"), rec("b", 0, 0, "b")})).has_value());
    ASSERT_TRUE(s->flush().has_value());
  }
  std::filesystem::remove(dir / "a.txt");
  auto s = open(o);
  ASSERT_TRUE(s->put(records({rec("b", 0, 1, "b2")})).has_value());
  ASSERT_TRUE(s->flush().has_value());
  EXPECT_EQ(file_contents(dir / "b.txt"), "b\nb2\n");
}

TEST_F(FileSinkTest, FilesOfAnEarlierFileSettingAreLeftAlone) {
  connector_config before(connector_config::values{{"file", (dir / "old.txt").string()}});
  {
    auto s = open(file_sink_options::from(before, dir / "state", "moved"));
    ASSERT_TRUE(s->put(records({rec("t", 0, 0, "a")})).has_value());
    ASSERT_TRUE(s->flush().has_value());
  }
  { std::ofstream(dir / "old.txt", std::ios::app) << "appended by someone else\n"; }
  connector_config after(connector_config::values{{"file", (dir / "new.txt").string()}});
  auto s = open(file_sink_options::from(after, dir / "state", "moved"));
  EXPECT_EQ(file_contents(dir / "old.txt"), "a\nappended by someone else\n");
  ASSERT_TRUE(s->put(records({rec("t", 0, 1, "b")})).has_value());
  ASSERT_TRUE(s->flush().has_value());
  EXPECT_EQ(file_contents(dir / "new.txt"), "b\n");
}

TEST_F(FileSinkTest, RecordsThatCannotBeConvertedAreRejectedAndCountAsDone) {
  auto o = options({{"format", "json"}});
  auto s = open(o);
  auto batch = records({rec("t", 0, 0, "{}"), rec("t", 0, 1, "not json"), rec("t", 0, 2, "[]")});
  batch.push_back(rec("t", 0, 3, ""));
  batch.back().value.reset();
  auto put = s->put(batch);
  ASSERT_TRUE(put.has_value());
  ASSERT_EQ(put->size(), 2U);
  EXPECT_EQ((*put)[0].index, 1U);
  EXPECT_NE((*put)[0].reason.find("not JSON"), std::string::npos);
  EXPECT_EQ((*put)[1].index, 3U);
  auto flushed = s->flush();
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(flushed->at({"t", 0}), 4);
  EXPECT_EQ(file_contents(dir / "out.jsonl"), "{}\n[]\n");
}

TEST_F(FileSinkTest, CsvWantsAJsonObject) {
  auto o = options({{"format", "csv"}, {"csv.columns", "a"}});
  auto put = open(o)->put(records({rec("t", 0, 0, "[1]")}));
  ASSERT_TRUE(put.has_value());
  ASSERT_EQ(put->size(), 1U);
  EXPECT_NE(put->front().reason.find("not a JSON object"), std::string::npos);
}

TEST_F(FileSinkTest, ADamagedStateFileStopsTheSinkWithItsName) {
  auto o = options({});
  std::filesystem::create_directories(o.state_file.parent_path());
  { std::ofstream(o.state_file) << "{\"version\":"; }
  auto s = file_sink::open(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find(o.state_file.string()), std::string::npos);
}

TEST_F(FileSinkTest, BadOptionsAreAllReported) {
  connector_config c({{"file", "relative/out.csv"},
                      {"format", "csv"},
                      {"csv.columns", "$nope"},
                      {"rotate.size.bytes", "-1"}});
  (void)file_sink_options::from(c, dir.path(), "x");
  ASSERT_EQ(c.errors().size(), 3U);
  EXPECT_NE(c.errors()[0].find("absolute"), std::string::npos);
  EXPECT_NE(c.errors()[1].find("$nope"), std::string::npos);
  EXPECT_NE(c.errors()[2].find("rotate.size.bytes"), std::string::npos);
  connector_config none(connector_config::values{{"format", "csv"}});
  (void)file_sink_options::from(none, dir.path(), "x");
  EXPECT_EQ(none.errors().size(), 2U);  // no file, no csv.columns
}

}  // namespace
}  // namespace brook::connect
