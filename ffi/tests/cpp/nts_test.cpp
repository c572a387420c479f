// GoogleTest suite of the neotalk-storage C API, from C++.
//
// Table-driven error paths (every function with a NULL handle, a closed handle, each string
// argument NULL or invalid UTF-8, each output NULL) and behaviour tests per store.
// Run under valgrind by ffi/test.sh.
#include "neotalk_storage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

namespace {

const char kBadUtf8[] = {'x', static_cast<char>(0xc3), static_cast<char>(0x28), 0};

// Owns a string returned by the library.
struct OwnedString {
  char *p = nullptr;
  OwnedString() = default;
  OwnedString(const OwnedString &) = delete;
  OwnedString &operator=(const OwnedString &) = delete;
  ~OwnedString() { nts_string_free(p); }
  char **out() {
    nts_string_free(p);
    p = nullptr;
    return &p;
  }
  std::string str() const { return p ? std::string(p) : std::string("(null)"); }
};

using StoragePtr = std::unique_ptr<nts_storage, decltype(&nts_storage_free)>;
using PointsPtr = std::unique_ptr<nts_points, decltype(&nts_points_free)>;

StoragePtr open_memory(const char *options = nullptr) {
  nts_storage *db = nullptr;
  EXPECT_EQ(nts_storage_open_in_memory(options, &db), NTS_OK) << nts_last_error_message();
  return StoragePtr(db, &nts_storage_free);
}

std::string message() { return nts_last_error_message(); }

const char *kDevice =
    R"({"device_id":"t1","device_type":"thermo","name":"T1","online":true,"last_seen":0,)"
    R"("metrics":{},"config":null,"mdl_definition":null,"adapter":"modbus"})";
const char *kEvent =
    R"({"event_id":"e1","event_type":"alarm","event_data":{"level":3},)"
    R"("metadata":{"correlation_id":"c","causation_id":null,"source":"rules","timestamp":100}})";

// ------------------------------------------------------------------ the call tables

using DbCall = std::function<nts_status(nts_storage *)>;

// Every function taking a handle, with otherwise valid arguments.
std::vector<std::pair<std::string, DbCall>> every_db_call() {
  static int64_t ts[1] = {1};
  static double vs[1] = {1.0};
  static size_t n;
  static uint64_t u;
  static int64_t t;
  static double v;
  static nts_points *set;
  static char *json;
  auto keep = [](nts_status s) {
    // Free whatever a successful call returned, so the table never leaks.
    nts_string_free(json);
    json = nullptr;
    nts_points_free(set);
    set = nullptr;
    return s;
  };
  return {
      {"flush", [=](nts_storage *db) { return nts_storage_flush(db); }},
      {"ts_write", [=](nts_storage *db) { return nts_ts_write(db, "d", "m", 1, 1.0); }},
      {"ts_write_series", [=](nts_storage *db) { return nts_ts_write_series(db, "d", "m", ts, vs, 1); }},
      {"ts_write_batch_json", [=](nts_storage *db) { return nts_ts_write_batch_json(db, "[]"); }},
      {"ts_query_range", [=](nts_storage *db) { return nts_ts_query_range(db, "d", "m", 0, 9, nullptr, ts, vs, 1, &n); }},
      {"ts_query_range_points", [=](nts_storage *db) { return keep(nts_ts_query_range_points(db, "d", "m", 0, 9, nullptr, &set)); }},
      {"ts_query_latest", [=](nts_storage *db) { return nts_ts_query_latest(db, "d", "m", &t, &v); }},
      {"ts_query_latest_json", [=](nts_storage *db) { return keep(nts_ts_query_latest_json(db, "d", "m", &json)); }},
      {"ts_query_aggregated", [=](nts_storage *db) { return keep(nts_ts_query_aggregated(db, "d", "m", 0, 9, 1, &json)); }},
      {"ts_list_devices", [=](nts_storage *db) { return keep(nts_ts_list_devices(db, &json)); }},
      {"ts_list_metrics", [=](nts_storage *db) { return keep(nts_ts_list_metrics(db, "d", &json)); }},
      {"ts_delete_range", [=](nts_storage *db) { return nts_ts_delete_range(db, "d", "m", 0, 9, &u); }},
      {"devices_upsert", [=](nts_storage *db) { return nts_devices_upsert(db, kDevice); }},
      {"devices_get", [=](nts_storage *db) { return keep(nts_devices_get(db, "t1", &json)); }},
      {"devices_set_online", [=](nts_storage *db) { return nts_devices_set_online(db, "t1", false); }},
      {"devices_list", [=](nts_storage *db) { return keep(nts_devices_list(db, &json)); }},
      {"devices_list_by_type", [=](nts_storage *db) { return keep(nts_devices_list_by_type(db, "thermo", &json)); }},
      {"devices_list_online", [=](nts_storage *db) { return keep(nts_devices_list_online(db, &json)); }},
      {"devices_list_offline", [=](nts_storage *db) { return keep(nts_devices_list_offline(db, &json)); }},
      {"devices_delete", [=](nts_storage *db) { return nts_devices_delete(db, "t1"); }},
      {"events_append", [=](nts_storage *db) { return keep(nts_events_append(db, kEvent, &json)); }},
      {"events_append_batch", [=](nts_storage *db) { return keep(nts_events_append_batch(db, "[]", &json)); }},
      {"events_get", [=](nts_storage *db) { return keep(nts_events_get(db, "e1", &json)); }},
      {"events_query_range", [=](nts_storage *db) { return keep(nts_events_query_range(db, 0, 9, 0, &json)); }},
      {"events_query_by_type", [=](nts_storage *db) { return keep(nts_events_query_by_type(db, "alarm", 0, 999, 0, &json)); }},
      {"events_query_by_correlation", [=](nts_storage *db) { return keep(nts_events_query_by_correlation(db, "c", &json)); }},
      {"events_replay", [=](nts_storage *db) { return keep(nts_events_replay(db, 0, 0, &json)); }},
      {"events_last_sequence", [=](nts_storage *db) { return nts_events_last_sequence(db, &u); }},
  };
}

using StrCall = std::function<nts_status(nts_storage *, const char *)>;

// Every string argument of every function, the others valid.
std::vector<std::pair<std::string, StrCall>> every_string_arg() {
  static int64_t ts[1] = {1};
  static double vs[1] = {1.0};
  static size_t n;
  static uint64_t u;
  static int64_t t;
  static double v;
  static nts_points *set;
  static char *json;
  return {
      {"open.data_dir", [](nts_storage *, const char *s) { nts_storage *db = nullptr; auto r = nts_storage_open(s, nullptr, &db); nts_storage_free(db); return r; }},
      {"open.options_json", [](nts_storage *, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL options mean defaults: tested elsewhere
         nts_storage *db = nullptr; auto r = nts_storage_open("/nonexistent/never", s, &db); nts_storage_free(db); return r; }},
      {"open_in_memory.options_json", [](nts_storage *, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;
         nts_storage *db = nullptr; auto r = nts_storage_open_in_memory(s, &db); nts_storage_free(db); return r; }},
      {"ts_write.device_id", [](nts_storage *db, const char *s) { return nts_ts_write(db, s, "m", 1, 1.0); }},
      {"ts_write.metric", [](nts_storage *db, const char *s) { return nts_ts_write(db, "d", s, 1, 1.0); }},
      {"ts_write_series.device_id", [](nts_storage *db, const char *s) { return nts_ts_write_series(db, s, "m", ts, vs, 1); }},
      {"ts_write_series.metric", [](nts_storage *db, const char *s) { return nts_ts_write_series(db, "d", s, ts, vs, 1); }},
      {"ts_write_batch_json.points_json", [](nts_storage *db, const char *s) { return nts_ts_write_batch_json(db, s); }},
      {"ts_query_range.device_id", [](nts_storage *db, const char *s) { return nts_ts_query_range(db, s, "m", 0, 9, nullptr, ts, vs, 1, &n); }},
      {"ts_query_range.metric", [](nts_storage *db, const char *s) { return nts_ts_query_range(db, "d", s, 0, 9, nullptr, ts, vs, 1, &n); }},
      {"ts_query_range_points.device_id", [](nts_storage *db, const char *s) { return nts_ts_query_range_points(db, s, "m", 0, 9, nullptr, &set); }},
      {"ts_query_range_points.metric", [](nts_storage *db, const char *s) { return nts_ts_query_range_points(db, "d", s, 0, 9, nullptr, &set); }},
      {"ts_query_latest.device_id", [](nts_storage *db, const char *s) { return nts_ts_query_latest(db, s, "m", &t, &v); }},
      {"ts_query_latest.metric", [](nts_storage *db, const char *s) { return nts_ts_query_latest(db, "d", s, &t, &v); }},
      {"ts_query_latest_json.device_id", [](nts_storage *db, const char *s) { return nts_ts_query_latest_json(db, s, "m", &json); }},
      {"ts_query_latest_json.metric", [](nts_storage *db, const char *s) { return nts_ts_query_latest_json(db, "d", s, &json); }},
      {"ts_query_aggregated.device_id", [](nts_storage *db, const char *s) { return nts_ts_query_aggregated(db, s, "m", 0, 9, 1, &json); }},
      {"ts_query_aggregated.metric", [](nts_storage *db, const char *s) { return nts_ts_query_aggregated(db, "d", s, 0, 9, 1, &json); }},
      {"ts_list_metrics.device_id", [](nts_storage *db, const char *s) { return nts_ts_list_metrics(db, s, &json); }},
      {"ts_delete_range.device_id", [](nts_storage *db, const char *s) { return nts_ts_delete_range(db, s, "m", 0, 9, &u); }},
      {"ts_delete_range.metric", [](nts_storage *db, const char *s) { return nts_ts_delete_range(db, "d", s, 0, 9, &u); }},
      {"devices_upsert.device_json", [](nts_storage *db, const char *s) { return nts_devices_upsert(db, s); }},
      {"devices_get.device_id", [](nts_storage *db, const char *s) { return nts_devices_get(db, s, &json); }},
      {"devices_set_online.device_id", [](nts_storage *db, const char *s) { return nts_devices_set_online(db, s, true); }},
      {"devices_delete.device_id", [](nts_storage *db, const char *s) { return nts_devices_delete(db, s); }},
      {"devices_list_by_type.device_type", [](nts_storage *db, const char *s) { return nts_devices_list_by_type(db, s, &json); }},
      {"events_append.event_json", [](nts_storage *db, const char *s) { return nts_events_append(db, s, &json); }},
      {"events_append_batch.events_json", [](nts_storage *db, const char *s) { return nts_events_append_batch(db, s, &json); }},
      {"events_get.event_id", [](nts_storage *db, const char *s) { return nts_events_get(db, s, &json); }},
      {"events_query_by_type.event_type", [](nts_storage *db, const char *s) { return nts_events_query_by_type(db, s, 0, 9, 0, &json); }},
      {"events_query_by_correlation.correlation_id", [](nts_storage *db, const char *s) { return nts_events_query_by_correlation(db, s, &json); }},
  };
}

using Call = std::function<nts_status(nts_storage *)>;

// Every required output pointer, passed as NULL.
std::vector<std::pair<std::string, Call>> every_null_output() {
  static int64_t ts[1];
  static double vs[1];
  static size_t n;
  static int64_t t;
  static double v;
  static nts_point p;
  static bool has;
  return {
      {"open.out", [](nts_storage *) { return nts_storage_open("/tmp", nullptr, nullptr); }},
      {"open_in_memory.out", [](nts_storage *) { return nts_storage_open_in_memory(nullptr, nullptr); }},
      {"ts_query_range.out_count", [](nts_storage *db) { return nts_ts_query_range(db, "d", "m", 0, 9, nullptr, ts, vs, 1, nullptr); }},
      {"ts_query_range.out_timestamps", [](nts_storage *db) { return nts_ts_query_range(db, "d", "m", 0, 9, nullptr, nullptr, vs, 1, &n); }},
      {"ts_query_range.out_values", [](nts_storage *db) { return nts_ts_query_range(db, "d", "m", 0, 9, nullptr, ts, nullptr, 1, &n); }},
      {"ts_query_range_points.out", [](nts_storage *db) { return nts_ts_query_range_points(db, "d", "m", 0, 9, nullptr, nullptr); }},
      {"ts_query_latest.out_timestamp", [](nts_storage *db) { return nts_ts_query_latest(db, "d", "m", nullptr, &v); }},
      {"ts_query_latest.out_value", [](nts_storage *db) { return nts_ts_query_latest(db, "d", "m", &t, nullptr); }},
      {"ts_query_latest_json.out_json", [](nts_storage *db) { return nts_ts_query_latest_json(db, "d", "m", nullptr); }},
      {"ts_query_aggregated.out_json", [](nts_storage *db) { return nts_ts_query_aggregated(db, "d", "m", 0, 9, 1, nullptr); }},
      {"ts_list_devices.out_json", [](nts_storage *db) { return nts_ts_list_devices(db, nullptr); }},
      {"ts_list_metrics.out_json", [](nts_storage *db) { return nts_ts_list_metrics(db, "d", nullptr); }},
      {"devices_get.out_json", [](nts_storage *db) { return nts_devices_get(db, "d", nullptr); }},
      {"devices_list.out_json", [](nts_storage *db) { return nts_devices_list(db, nullptr); }},
      {"devices_list_by_type.out_json", [](nts_storage *db) { return nts_devices_list_by_type(db, "t", nullptr); }},
      {"devices_list_online.out_json", [](nts_storage *db) { return nts_devices_list_online(db, nullptr); }},
      {"devices_list_offline.out_json", [](nts_storage *db) { return nts_devices_list_offline(db, nullptr); }},
      {"events_get.out_json", [](nts_storage *db) { return nts_events_get(db, "e", nullptr); }},
      {"events_query_range.out_json", [](nts_storage *db) { return nts_events_query_range(db, 0, 9, 0, nullptr); }},
      {"events_query_by_type.out_json", [](nts_storage *db) { return nts_events_query_by_type(db, "t", 0, 9, 0, nullptr); }},
      {"events_query_by_correlation.out_json", [](nts_storage *db) { return nts_events_query_by_correlation(db, "c", nullptr); }},
      {"events_replay.out_json", [](nts_storage *db) { return nts_events_replay(db, 0, 0, nullptr); }},
      {"events_last_sequence.out_sequence", [](nts_storage *db) { return nts_events_last_sequence(db, nullptr); }},
      {"points_len.points", [](nts_storage *) { return nts_points_len(nullptr, &n); }},
      {"points_next.points", [](nts_storage *) { return nts_points_next(nullptr, &p, &has); }},
  };
}

// ------------------------------------------------------------------ error paths

TEST(ErrorPaths, NullHandleIsNullPointer) {
  for (auto &c : every_db_call()) {
    EXPECT_EQ(c.second(nullptr), NTS_NULL_POINTER) << c.first;
    EXPECT_EQ(message(), "argument db is NULL") << c.first;
  }
  EXPECT_EQ(nts_storage_close(nullptr), NTS_NULL_POINTER);
}

TEST(ErrorPaths, ClosedHandleIsClosed) {
  StoragePtr db = open_memory();
  ASSERT_EQ(nts_storage_close(db.get()), NTS_OK);
  for (auto &c : every_db_call()) {
    EXPECT_EQ(c.second(db.get()), NTS_CLOSED) << c.first;
    EXPECT_EQ(message(), "storage is closed") << c.first;
  }
  EXPECT_EQ(nts_storage_close(db.get()), NTS_CLOSED);
}

TEST(ErrorPaths, EveryCallSucceedsOnAnOpenHandle) {
  // The tables above are meaningful only if their calls are valid: on a fresh database with
  // the device and event they name, each succeeds or reports a store-level outcome.
  StoragePtr db = open_memory();
  for (auto &c : every_db_call()) {
    nts_status s = c.second(db.get());
    EXPECT_TRUE(s == NTS_OK || s == NTS_NOT_FOUND) << c.first << ": " << nts_status_name(s) << " " << message();
  }
}

TEST(ErrorPaths, NullStringArgumentIsNullPointer) {
  StoragePtr db = open_memory();
  for (auto &c : every_string_arg()) {
    EXPECT_EQ(c.second(db.get(), nullptr), NTS_NULL_POINTER) << c.first;
  }
}

TEST(ErrorPaths, InvalidUtf8IsRefusedNamingTheArgument) {
  StoragePtr db = open_memory();
  for (auto &c : every_string_arg()) {
    EXPECT_EQ(c.second(db.get(), kBadUtf8), NTS_INVALID_UTF8) << c.first;
    std::string arg = c.first.substr(c.first.find('.') + 1);
    EXPECT_NE(message().find(arg), std::string::npos) << c.first << ": " << message();
  }
}

TEST(ErrorPaths, NullOutputIsNullPointer) {
  StoragePtr db = open_memory();
  for (auto &c : every_null_output()) {
    EXPECT_EQ(c.second(db.get()), NTS_NULL_POINTER) << c.first;
    std::string arg = c.first.substr(c.first.find('.') + 1);
    EXPECT_NE(message().find(arg), std::string::npos) << c.first << ": " << message();
  }
}

TEST(ErrorPaths, MalformedJsonIsInvalidInput) {
  StoragePtr db = open_memory();
  OwnedString json;
  for (const char *bad : {"", "{", "nul", "[1,", "\"str\"", "{\"a\":1}x"}) {
    EXPECT_EQ(nts_ts_write_batch_json(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_devices_upsert(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_events_append(db.get(), bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(json.p, nullptr);
    EXPECT_EQ(nts_events_append_batch(db.get(), bad, json.out()), NTS_INVALID_INPUT) << bad;
    nts_storage *other = nullptr;
    EXPECT_EQ(nts_storage_open_in_memory(bad, &other), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(other, nullptr);
  }
}

TEST(ErrorPaths, WrongSizes) {
  StoragePtr db = open_memory();
  int64_t ts[2] = {1, 2};
  double vs[2] = {1, 2};
  size_t n = 0;
  EXPECT_EQ(nts_ts_write_series(db.get(), "d", "m", ts, vs, SIZE_MAX / 2), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_ts_write_series(db.get(), "d", "m", nullptr, nullptr, 2), NTS_NULL_POINTER);
  EXPECT_EQ(nts_ts_query_range(db.get(), "d", "m", 0, 9, nullptr, ts, vs, SIZE_MAX, &n), NTS_INVALID_INPUT);
  ASSERT_EQ(nts_ts_write_series(db.get(), "d", "m", ts, vs, 2), NTS_OK);
  EXPECT_EQ(nts_ts_query_range(db.get(), "d", "m", 0, 9, nullptr, ts, vs, 1, &n), NTS_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, 2u);
  EXPECT_NE(message().find("2 points match"), std::string::npos) << message();
}

// ------------------------------------------------------------------ behaviour

TEST(Storage, OpenWriteCloseReopen) {
  char tmpl[] = "/tmp/nts-cpp-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/data";
  {
    nts_storage *raw = nullptr;
    ASSERT_EQ(nts_storage_open(dir.c_str(), R"({"write_buffer":{"max_points":0}})", &raw), NTS_OK) << message();
    StoragePtr db(raw, &nts_storage_free);
    nts_storage *second = nullptr;
    EXPECT_EQ(nts_storage_open(dir.c_str(), nullptr, &second), NTS_LOCKED);
    EXPECT_EQ(second, nullptr);
    ASSERT_EQ(nts_ts_write(db.get(), "pump", "power", 5, 2.5), NTS_OK);
    ASSERT_EQ(nts_storage_flush(db.get()), NTS_OK);
    ASSERT_EQ(nts_storage_close(db.get()), NTS_OK);
  }
  nts_storage *raw = nullptr;
  ASSERT_EQ(nts_storage_open(dir.c_str(), nullptr, &raw), NTS_OK) << message();
  StoragePtr db(raw, &nts_storage_free);
  int64_t t = 0;
  double v = 0;
  ASSERT_EQ(nts_ts_query_latest(db.get(), "pump", "power", &t, &v), NTS_OK);
  EXPECT_EQ(t, 5);
  EXPECT_EQ(v, 2.5);
  db.reset();
  std::string cmd = std::string("rm -rf ") + tmpl;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

TEST(Storage, OpenRefusesADirectoryThatIsAFile) {
  char file[] = "/tmp/nts-cpp-file-XXXXXX";
  int fd = mkstemp(file);
  ASSERT_GE(fd, 0);
  nts_storage *db = nullptr;
  EXPECT_EQ(nts_storage_open(file, nullptr, &db), NTS_IO);
  EXPECT_NE(message().find(file), std::string::npos) << message();
  EXPECT_EQ(db, nullptr);
  EXPECT_EQ(nts_storage_open("", nullptr, &db), NTS_INVALID_INPUT);
  close(fd);
  unlink(file);
}

TEST(Storage, StatusNames) {
  EXPECT_STREQ(nts_status_name(NTS_BUFFER_TOO_SMALL), "BUFFER_TOO_SMALL");
  EXPECT_STREQ(nts_status_name(NTS_VERSION_MISMATCH), "VERSION_MISMATCH");
  EXPECT_STREQ(nts_status_name(1000), "UNKNOWN");
}

TEST(TimeSeries, BatchRangeAndLatest) {
  StoragePtr db = open_memory();
  std::vector<int64_t> ts;
  std::vector<double> vs;
  for (int i = 0; i < 100; i++) {
    ts.push_back(i * 1000);
    vs.push_back(i * 0.5);
  }
  ASSERT_EQ(nts_ts_write_series(db.get(), "m1", "load", ts.data(), vs.data(), ts.size()), NTS_OK);

  size_t n = 0;
  ASSERT_EQ(nts_ts_query_range(db.get(), "m1", "load", 0, 100000, nullptr, nullptr, nullptr, 0, &n), NTS_BUFFER_TOO_SMALL);
  ASSERT_EQ(n, 100u);
  std::vector<int64_t> got_ts(n);
  std::vector<double> got_vs(n);
  ASSERT_EQ(nts_ts_query_range(db.get(), "m1", "load", 0, 100000, nullptr, got_ts.data(), got_vs.data(), n, &n), NTS_OK);
  EXPECT_EQ(got_ts, ts);
  EXPECT_EQ(got_vs, vs);

  nts_range_options last3 = {3, true};
  ASSERT_EQ(nts_ts_query_range(db.get(), "m1", "load", 0, 100000, &last3, got_ts.data(), got_vs.data(), 3, &n), NTS_OK);
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(got_ts[0], 99000);
  EXPECT_EQ(got_ts[2], 97000);

  int64_t t = 0;
  double v = 0;
  ASSERT_EQ(nts_ts_query_latest(db.get(), "m1", "load", &t, &v), NTS_OK);
  EXPECT_EQ(t, 99000);
  EXPECT_EQ(v, 49.5);
  EXPECT_EQ(nts_ts_query_latest(db.get(), "m1", "other", &t, &v), NTS_NOT_FOUND);

  OwnedString json;
  ASSERT_EQ(nts_ts_query_latest_json(db.get(), "m1", "load", json.out()), NTS_OK);
  EXPECT_EQ(json.str(), R"({"timestamp":99000,"value":49.5,"quality":null,"metadata":null})");
  ASSERT_EQ(nts_ts_query_aggregated(db.get(), "m1", "load", 0, 100000, 50000, json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"({"bucket_start":50000,"count":50)"), std::string::npos) << json.str();
  EXPECT_EQ(nts_ts_query_aggregated(db.get(), "m1", "load", 0, 10, -1, json.out()), NTS_INVALID_INPUT);

  ASSERT_EQ(nts_ts_list_devices(db.get(), json.out()), NTS_OK);
  EXPECT_EQ(json.str(), R"(["m1"])");
  ASSERT_EQ(nts_ts_list_metrics(db.get(), "m1", json.out()), NTS_OK);
  EXPECT_EQ(json.str(), R"(["load"])");
  EXPECT_EQ(nts_ts_list_metrics(db.get(), "m2", json.out()), NTS_NOT_FOUND);

  uint64_t removed = 0;
  ASSERT_EQ(nts_ts_delete_range(db.get(), "m1", "load", 0, 50000, &removed), NTS_OK);
  EXPECT_EQ(removed, 50u);
  ASSERT_EQ(nts_ts_query_range(db.get(), "m1", "load", 0, 100000, nullptr, nullptr, nullptr, 0, &n), NTS_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, 50u);
  EXPECT_EQ(nts_ts_delete_range(db.get(), "m1", "load", 9, 0, &removed), NTS_INVALID_INPUT);
}

TEST(TimeSeries, WriteRefusesBadValuesAndKeepsBatchesAtomic) {
  StoragePtr db = open_memory();
  EXPECT_EQ(nts_ts_write(db.get(), "d", "m", 0, std::nan("")), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_ts_write(db.get(), "d", "", 0, 1.0), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_ts_write(db.get(), std::string(257, 'x').c_str(), "m", 0, 1.0), NTS_INVALID_INPUT);
  EXPECT_NE(message().find("256"), std::string::npos) << message();
  EXPECT_EQ(nts_ts_write_batch_json(db.get(),
                                    R"([{"device_id":"d","metric":"m","point":{"timestamp":1,"value":1}},)"
                                    R"({"device_id":"d","metric":"","point":{"timestamp":2,"value":2}}])"),
            NTS_INVALID_INPUT);
  size_t n = 7;
  ASSERT_EQ(nts_ts_query_range(db.get(), "d", "m", 0, 9, nullptr, nullptr, nullptr, 0, &n), NTS_OK);
  EXPECT_EQ(n, 0u);
}

TEST(TimeSeries, PointsIteratorReadsEveryKind) {
  StoragePtr db = open_memory();
  ASSERT_EQ(nts_ts_write_batch_json(db.get(),
                                    R"([{"device_id":"d","metric":"m","point":{"timestamp":1,"value":1.25}},)"
                                    R"({"device_id":"d","metric":"m","point":{"timestamp":2,"value":-7}},)"
                                    R"({"device_id":"d","metric":"m","point":{"timestamp":3,"value":false,"quality":1.0}},)"
                                    R"({"device_id":"d","metric":"m","point":{"timestamp":4,"value":"开","metadata":[1]}}])"),
            NTS_OK)
      << message();
  nts_points *raw = nullptr;
  ASSERT_EQ(nts_ts_query_range_points(db.get(), "d", "m", 0, 10, nullptr, &raw), NTS_OK);
  PointsPtr set(raw, &nts_points_free);
  size_t len = 0;
  ASSERT_EQ(nts_points_len(set.get(), &len), NTS_OK);
  ASSERT_EQ(len, 4u);
  std::vector<nts_point> pts;
  nts_point p;
  bool has = false;
  while (nts_points_next(set.get(), &p, &has) == NTS_OK && has) pts.push_back(p);
  ASSERT_EQ(pts.size(), 4u);
  EXPECT_EQ(pts[0].kind, NTS_VALUE_FLOAT);
  EXPECT_EQ(pts[0].float_value, 1.25);
  EXPECT_EQ(pts[1].kind, NTS_VALUE_INTEGER);
  EXPECT_EQ(pts[1].int_value, -7);
  EXPECT_EQ(pts[1].float_value, -7.0);
  EXPECT_EQ(pts[2].kind, NTS_VALUE_BOOLEAN);
  EXPECT_FALSE(pts[2].bool_value);
  EXPECT_TRUE(pts[2].has_quality);
  EXPECT_EQ(pts[2].quality, 1.0f);
  EXPECT_EQ(pts[3].kind, NTS_VALUE_STRING);
  EXPECT_EQ(std::string(pts[3].string_value, pts[3].string_len), "开");
  EXPECT_STREQ(pts[3].metadata_json, "[1]");
  EXPECT_EQ(pts[0].metadata_json, nullptr);
  // Numeric reads refuse the string point but accept the rest.
  int64_t ts[4];
  double vs[4];
  size_t n = 0;
  EXPECT_EQ(nts_ts_query_range(db.get(), "d", "m", 0, 4, nullptr, ts, vs, 4, &n), NTS_OK);
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(nts_ts_query_range(db.get(), "d", "m", 0, 10, nullptr, ts, vs, 4, &n), NTS_INVALID_INPUT);
  int64_t t;
  double v;
  EXPECT_EQ(nts_ts_query_latest(db.get(), "d", "m", &t, &v), NTS_INVALID_INPUT);
  EXPECT_NE(message().find("nts_ts_query_latest_json"), std::string::npos) << message();
  EXPECT_EQ(nts_points_next(set.get(), nullptr, &has), NTS_NULL_POINTER);
  EXPECT_EQ(nts_points_next(set.get(), &p, nullptr), NTS_NULL_POINTER);
  EXPECT_EQ(nts_points_len(set.get(), nullptr), NTS_NULL_POINTER);
}

TEST(Devices, Lifecycle) {
  StoragePtr db = open_memory();
  OwnedString json;
  ASSERT_EQ(nts_devices_upsert(db.get(), kDevice), NTS_OK) << message();
  ASSERT_EQ(nts_ts_write_batch_json(db.get(), R"([{"device_id":"t1","metric":"temp","point":{"timestamp":700,"value":19.5}}])"), NTS_OK);
  ASSERT_EQ(nts_devices_get(db.get(), "t1", json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("last_seen":700)"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find(R"("temp":{"value":19.5,"timestamp":700,"quality":null})"), std::string::npos) << json.str();
  EXPECT_EQ(nts_devices_get(db.get(), "t2", json.out()), NTS_NOT_FOUND);
  EXPECT_EQ(json.p, nullptr);

  ASSERT_EQ(nts_devices_set_online(db.get(), "t1", false), NTS_OK);
  ASSERT_EQ(nts_devices_list_online(db.get(), json.out()), NTS_OK);
  EXPECT_EQ(json.str(), "[]");
  ASSERT_EQ(nts_devices_list_offline(db.get(), json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("device_id":"t1")"), std::string::npos);
  ASSERT_EQ(nts_devices_list_by_type(db.get(), "thermo", json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("online":false)"), std::string::npos);
  ASSERT_EQ(nts_devices_list(db.get(), json.out()), NTS_OK);
  EXPECT_EQ(json.str().front(), '[');
  EXPECT_EQ(nts_devices_set_online(db.get(), "t2", true), NTS_NOT_FOUND);
  EXPECT_EQ(nts_devices_list_by_type(db.get(), "", json.out()), NTS_INVALID_INPUT);

  EXPECT_EQ(nts_devices_upsert(db.get(), R"({"device_id":"t3"})"), NTS_INVALID_INPUT);
  EXPECT_NE(message().find("device_json"), std::string::npos) << message();
  EXPECT_EQ(nts_devices_upsert(db.get(), R"({"device_id":"t3","device_type":"x","name":"n","online":"yes","last_seen":0,"metrics":{},"config":null,"adapter":""})"),
            NTS_INVALID_INPUT);

  ASSERT_EQ(nts_devices_delete(db.get(), "t1"), NTS_OK);
  EXPECT_EQ(nts_devices_delete(db.get(), "t1"), NTS_NOT_FOUND);
  ASSERT_EQ(nts_devices_list(db.get(), json.out()), NTS_OK);
  EXPECT_EQ(json.str(), "[]");
}

TEST(Events, AppendQueryReplay) {
  StoragePtr db = open_memory();
  OwnedString json;
  ASSERT_EQ(nts_events_append(db.get(), kEvent, json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find(R"("sequence":1)"), std::string::npos) << json.str();
  EXPECT_EQ(nts_events_append(db.get(), kEvent, json.out()), NTS_CONFLICT);
  ASSERT_EQ(nts_events_append_batch(db.get(),
                                    R"([{"event_id":"e2","event_type":"alarm","event_data":null,"metadata":{"correlation_id":"c","causation_id":"e1","source":"rules","timestamp":200}},)"
                                    R"({"event_id":"e3","event_type":"info","event_data":"x","metadata":{"source":"ui","timestamp":300}}])",
                                    json.out()),
            NTS_OK);
  EXPECT_NE(json.str().find(R"("sequence":3)"), std::string::npos) << json.str();
  // A duplicate inside a batch stores nothing.
  EXPECT_EQ(nts_events_append_batch(db.get(),
                                    R"([{"event_id":"e4","event_type":"a","event_data":1,"metadata":{"source":"s","timestamp":1}},)"
                                    R"({"event_id":"e4","event_type":"a","event_data":1,"metadata":{"source":"s","timestamp":1}}])",
                                    json.out()),
            NTS_CONFLICT);
  uint64_t seq = 0;
  ASSERT_EQ(nts_events_last_sequence(db.get(), &seq), NTS_OK);
  EXPECT_EQ(seq, 3u);

  ASSERT_EQ(nts_events_get(db.get(), "e2", json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("causation_id":"e1")"), std::string::npos);
  EXPECT_EQ(nts_events_get(db.get(), "e4", json.out()), NTS_NOT_FOUND);
  ASSERT_EQ(nts_events_query_range(db.get(), 150, 301, 0, json.out()), NTS_OK);
  EXPECT_EQ(json.str().find(R"("event_id":"e1")"), std::string::npos);
  EXPECT_NE(json.str().find(R"("event_id":"e3")"), std::string::npos);
  ASSERT_EQ(nts_events_query_by_type(db.get(), "alarm", 0, 1000, 0, json.out()), NTS_OK);
  EXPECT_EQ(json.str().find(R"("e3")"), std::string::npos);
  EXPECT_NE(json.str().find(R"("e2")"), std::string::npos);
  ASSERT_EQ(nts_events_query_by_correlation(db.get(), "c", json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("e1")"), std::string::npos);
  EXPECT_NE(json.str().find(R"("e2")"), std::string::npos);
  ASSERT_EQ(nts_events_replay(db.get(), 1, 1, json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("e2")"), std::string::npos);
  EXPECT_EQ(json.str().find(R"("e3")"), std::string::npos);
  EXPECT_EQ(nts_events_query_range(db.get(), 10, 1, 0, json.out()), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_events_query_by_type(db.get(), "alarm", 10, 1, 0, json.out()), NTS_INVALID_INPUT);
}

TEST(Threads, ConcurrentWritersOnOneHandle) {
  StoragePtr db = open_memory();
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; i++) {
    threads.emplace_back([&, i] {
      std::string dev = "dev-" + std::to_string(i);
      std::vector<int64_t> ts(50);
      std::vector<double> vs(50);
      for (int j = 0; j < 50; j++) {
        ts[j] = j;
        vs[j] = j;
      }
      bool good = nts_ts_write_series(db.get(), dev.c_str(), "x", ts.data(), vs.data(), ts.size()) == NTS_OK;
      for (int j = 50; j < 100; j++) good = good && nts_ts_write(db.get(), dev.c_str(), "x", j, j) == NTS_OK;
      ok[i] = good ? 1 : 0;
    });
  }
  for (auto &t : threads) t.join();
  ASSERT_EQ(nts_storage_flush(db.get()), NTS_OK);
  for (int i = 0; i < 4; i++) {
    EXPECT_EQ(ok[i], 1);
    size_t n = 0;
    std::string dev = "dev-" + std::to_string(i);
    EXPECT_EQ(nts_ts_query_range(db.get(), dev.c_str(), "x", 0, 1000, nullptr, nullptr, nullptr, 0, &n), NTS_BUFFER_TOO_SMALL);
    EXPECT_EQ(n, 100u);
  }
}

}  // namespace
