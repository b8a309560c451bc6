// The embedded engine's outbox on its own: what a batch leaves in the file,
// and what a disk that refuses every write does to the moderator's command.

#include <fstream>
#include <future>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "engine_harness.h"
#include "file_outbox.h"

namespace panelwire::engine {
namespace {

v1::LeftoverBatch batch_of(const std::string& panel, std::uint64_t seq, int items) {
  v1::LeftoverBatch b;
  b.set_panel_id(panel);
  b.set_seq(seq);
  for (int i = 1; i <= items; ++i) {
    auto* item = b.add_items();
    item->set_leftover_id(panel + "/" + std::to_string(i));
    // A line break and quotes inside a question stay inside its line.
    item->set_text("line one\nline \"two\" " + std::to_string(i));
  }
  return b;
}

core::Result<void> publish(FileOutbox& outbox, v1::LeftoverBatch batch) {
  std::promise<core::Result<void>> p;
  outbox.publish(std::move(batch), [&](core::Result<void> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

TEST(FileOutbox, EachItemIsOneLineInOrderOnceItsBatchIsConfirmed) {
  auto dir = TempDir::make();
  const auto path = dir.path + "/outbox.jsonl";
  {
    FileOutbox outbox(path);
    ASSERT_TRUE(publish(outbox, batch_of("a", 4, 2)).has_value());
    ASSERT_TRUE(publish(outbox, batch_of("b", 9, 1)).has_value());
  }
  // Opened again, as after a restart: it appends, never truncates.
  {
    FileOutbox outbox(path);
    ASSERT_TRUE(publish(outbox, batch_of("c", 2, 1)).has_value());
  }
  std::ifstream in(path);
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    v1::Leftover item;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &item).ok()) << line;
    ids.push_back(item.leftover_id());
    EXPECT_EQ(item.text().substr(0, 9), "line one\n");
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a/1", "a/2", "b/1", "c/1"}));
}

TEST(FileOutbox, ADiskThatRefusesEveryWriteFailsTheBatchAsUnavailable) {
  // Every write to /dev/full fails with ENOSPC, as on a full disk.
  FileOutbox outbox("/dev/full");
  auto r = publish(outbox, batch_of("a", 1, 1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::UNAVAILABLE);
}

TEST(FileOutbox, AFileThatCannotBeOpenedStopsTheStartWithItsPath) {
  try {
    FileOutbox outbox("/nonexistent-dir/outbox.jsonl");
    FAIL() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/outbox.jsonl"), std::string::npos);
  }
}

}  // namespace
}  // namespace panelwire::engine
