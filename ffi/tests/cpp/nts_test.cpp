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

const char *kRule =
    R"({"execution_id":"x1","rule_id":"r1","rule_name":"R","triggered_at":1,"trigger_value":null,)"
    R"("condition_met":true,"actions":[],"result":"Success","duration_ms":1})";
const char *kWorkflow =
    R"({"execution_id":"w1","workflow_id":"f","workflow_name":"F","trigger_type":"manual","trigger_data":null,)"
    R"("started_at":1,"finished_at":null,"status":"Running","steps":[],"inputs":null,"outputs":null,"error":null})";
const char *kStep =
    R"({"step_id":"s1","step_name":"S","step_type":"t","started_at":1,"finished_at":2,"status":"Completed",)"
    R"("input":null,"output":null,"error":null})";
const char *kAlert =
    R"({"alert_id":"a1","title":"T","severity":"Warning","message":"m","entity_id":"e","entity_type":"device",)"
    R"("created_at":1,"acknowledged":false,"acknowledged_by":null,"acknowledged_at":null,"resolved_at":null,"source":"s"})";
const char *kDecision1 =
    R"({"decision_id":"d1","title":"T","description":"D","reasoning":"R","proposed_actions":[],"confidence":0.5,)"
    R"("created_at":1,"status":"Proposed","user_response":null,"execution_result":null,"review_id":null})";
const char *kDecision2 =
    R"({"decision_id":"d2","title":"T","description":"D","reasoning":"R","proposed_actions":[],"confidence":0.5,)"
    R"("created_at":1,"status":"Proposed","user_response":null,"execution_result":null,"review_id":null})";
const char *kResponse = R"({"user_id":"u","response":"ok","responded_at":2,"comments":null})";
const char *kMessage =
    R"({"role":"user","content":"hi","tool_calls":null,"tool_call_id":null,"thinking":null,"timestamp":2})";
const char *kMemory =
    R"({"memory_id":"m1","memory_type":"Other","content":"pump note","embedding":[1.0,0.0],)"
    R"("metadata":{"keywords":[],"importance":0.5,"entities":[],"expires_at":null},"created_at":1,)"
    R"("last_accessed":null,"access_count":0})";
const float kVec[2] = {1.0f, 0.0f};

// A backup directory for the call tables (an in-memory database has no data directory).
struct BackupDir {
  std::string path;
  std::string config;
  BackupDir() {
    char tmpl[] = "/tmp/nts-cpp-backups-XXXXXX";
    path = mkdtemp(tmpl) ? tmpl : "/tmp";
    config = R"({"backup_dir":")" + path + R"("})";
  }
  ~BackupDir() {
    if (path != "/tmp") std::system(("rm -rf " + path).c_str());
  }
};
const char *backup_config() {
  static BackupDir dir;
  return dir.config.c_str();
}

// A valid snapshot (one alert), exported once from a separate database.
const std::vector<uint8_t> &snapshot() {
  static std::vector<uint8_t> bytes = [] {
    std::vector<uint8_t> out;
    nts_storage *db = nullptr;
    uint8_t *data = nullptr;
    size_t len = 0;
    if (nts_storage_open_in_memory(nullptr, &db) == NTS_OK && nts_alerts_create(db, kAlert) == NTS_OK &&
        nts_storage_export_snapshot(db, &data, &len) == NTS_OK) {
      out.assign(data, data + len);
    }
    nts_bytes_free(data, len);
    nts_storage_free(db);
    return out;
  }();
  return bytes;
}

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
  static nts_sequence_range range;
  static bool b;
  static uint8_t *bytes;
  static size_t blen;
  auto keep = [](nts_status s) {
    // Free whatever a successful call returned, so the table never leaks.
    nts_string_free(json);
    json = nullptr;
    nts_points_free(set);
    set = nullptr;
    nts_bytes_free(bytes, blen);
    bytes = nullptr;
    blen = 0;
    return s;
  };
  return {
      {"flush", [=](nts_storage *db) { return nts_storage_flush(db); }},
      {"ts_write", [=](nts_storage *db) { return nts_ts_write(db, "d", "m", 1, 1.0); }},
      {"ts_write_series", [=](nts_storage *db) { return nts_ts_write_series(db, "d", "m", ts, vs, 1); }},
      {"ts_write_series_int64", [=](nts_storage *db) { return nts_ts_write_series_int64(db, "d", "i", ts, ts, 1); }},
      {"ts_query_range_int64", [=](nts_storage *db) { return nts_ts_query_range_int64(db, "d", "i", 0, 9, nullptr, ts, &t, 1, &n); }},
      {"ts_write_batch_json", [=](nts_storage *db) { return nts_ts_write_batch_json(db, "[]"); }},
      {"ts_query_range", [=](nts_storage *db) { return nts_ts_query_range(db, "d", "m", 0, 9, nullptr, ts, vs, 1, &n); }},
      {"ts_query_range_points", [=](nts_storage *db) { return keep(nts_ts_query_range_points(db, "d", "m", 0, 9, nullptr, &set)); }},
      {"ts_query_latest", [=](nts_storage *db) { return nts_ts_query_latest(db, "d", "m", &t, &v); }},
      {"events_append_structs", [=](nts_storage *db) { return nts_events_append_structs(db, nullptr, 0, nullptr); }},
      {"events_replay_structs", [=](nts_storage *db) {
         nts_event_list *list = nullptr;
         const nts_event_entry *entries = nullptr;
         auto s = nts_events_replay_structs(db, 0, NTS_NO_LIMIT, &list, &entries, &n);
         nts_event_list_free(list);
         return s;
       }},
      {"ts_query_range_alloc", [=](nts_storage *db) {
         int64_t *ats = nullptr;
         double *avs = nullptr;
         auto s = nts_ts_query_range_alloc(db, "d", "m", 0, 9, nullptr, &ats, &avs, &n);
         nts_series_free(ats, avs, n);
         return s;
       }},
      {"ts_query_aggregated_buckets", [=](nts_storage *db) {
         nts_bucket *buckets = nullptr;
         auto s = nts_ts_query_aggregated_buckets(db, "d", "m", 0, 9, 1, &buckets, &n);
         nts_buckets_free(buckets, n);
         return s;
       }},
      {"ts_query_latest_batch", [=](nts_storage *db) {
         static const char *devices[1] = {"d"};
         static const char *metrics[1] = {"m"};
         bool found[1];
         return nts_ts_query_latest_batch(db, devices, metrics, 1, &t, &v, found);
       }},
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
      {"events_append_batch", [=](nts_storage *db) { return nts_events_append_batch(db, "[]", &range); }},
      {"events_get", [=](nts_storage *db) { return keep(nts_events_get(db, "e1", &json)); }},
      {"events_query_range", [=](nts_storage *db) { return keep(nts_events_query_range(db, 0, 9, NTS_NO_LIMIT, &json)); }},
      {"events_query_by_type", [=](nts_storage *db) { return keep(nts_events_query_by_type(db, "alarm", 0, 999, NTS_NO_LIMIT, &json)); }},
      {"events_query_by_correlation", [=](nts_storage *db) { return keep(nts_events_query_by_correlation(db, "c", &json)); }},
      {"events_replay", [=](nts_storage *db) { return keep(nts_events_replay(db, 0, NTS_NO_LIMIT, &json)); }},
      {"events_last_sequence", [=](nts_storage *db) { return nts_events_last_sequence(db, &u); }},
      {"rules_record", [=](nts_storage *db) { return nts_rules_record(db, kRule); }},
      {"rules_record_batch", [=](nts_storage *db) { return nts_rules_record_batch(db, "[]"); }},
      {"rules_get", [=](nts_storage *db) { return keep(nts_rules_get(db, "x1", &json)); }},
      {"rules_query_by_rule", [=](nts_storage *db) { return keep(nts_rules_query_by_rule(db, "r1", 0, NTS_NO_LIMIT, &json)); }},
      {"rules_query_rule_range", [=](nts_storage *db) { return keep(nts_rules_query_rule_range(db, "r1", 0, 9, NTS_NO_LIMIT, &json)); }},
      {"rules_query_range", [=](nts_storage *db) { return keep(nts_rules_query_range(db, 0, 9, NTS_NO_LIMIT, &json)); }},
      {"rules_query_failed", [=](nts_storage *db) { return keep(nts_rules_query_failed(db, 0, 9, NTS_NO_LIMIT, &json)); }},
      {"rules_rule_statistics", [=](nts_storage *db) { return keep(nts_rules_rule_statistics(db, "r1", 0, 9, &json)); }},
      {"rules_statistics", [=](nts_storage *db) { return keep(nts_rules_statistics(db, 0, 9, &json)); }},
      {"rules_cleanup", [=](nts_storage *db) { return nts_rules_cleanup(db, 0, &u); }},
      {"workflows_start", [=](nts_storage *db) { return nts_workflows_start(db, kWorkflow); }},
      {"workflows_update", [=](nts_storage *db) { return keep(nts_workflows_update(db, kWorkflow, &json)); }},
      {"workflows_record_step", [=](nts_storage *db) { return keep(nts_workflows_record_step(db, "w1", kStep, &json)); }},
      {"workflows_running", [=](nts_storage *db) { return keep(nts_workflows_running(db, &json)); }},
      {"workflows_finish", [=](nts_storage *db) { return keep(nts_workflows_finish(db, "w1", "Completed", 5, "{}", nullptr, &json)); }},
      {"workflows_get", [=](nts_storage *db) { return keep(nts_workflows_get(db, "w1", &json)); }},
      {"workflows_query_by_workflow", [=](nts_storage *db) { return keep(nts_workflows_query_by_workflow(db, "f", 0, NTS_NO_LIMIT, &json)); }},
      {"workflows_query_range", [=](nts_storage *db) { return keep(nts_workflows_query_range(db, 0, 9, NTS_NO_LIMIT, &json)); }},
      {"workflows_query_by_status", [=](nts_storage *db) { return keep(nts_workflows_query_by_status(db, "Completed", 0, 9, NTS_NO_LIMIT, &json)); }},
      {"workflows_cleanup", [=](nts_storage *db) { return nts_workflows_cleanup(db, 0, &u); }},
      {"alerts_create", [=](nts_storage *db) { return nts_alerts_create(db, kAlert); }},
      {"alerts_get", [=](nts_storage *db) { return keep(nts_alerts_get(db, "a1", &json)); }},
      {"alerts_acknowledge", [=](nts_storage *db) { return keep(nts_alerts_acknowledge(db, "a1", "op", 2, &json)); }},
      {"alerts_resolve", [=](nts_storage *db) { return keep(nts_alerts_resolve(db, "a1", 3, &json)); }},
      {"alerts_query_range", [=](nts_storage *db) { return keep(nts_alerts_query_range(db, 0, 9, NTS_NO_LIMIT, &json)); }},
      {"alerts_query_by_severity", [=](nts_storage *db) { return keep(nts_alerts_query_by_severity(db, "Warning", 0, 9, NTS_NO_LIMIT, &json)); }},
      {"alerts_query_by_entity", [=](nts_storage *db) { return keep(nts_alerts_query_by_entity(db, "e", 0, 9, NTS_NO_LIMIT, &json)); }},
      {"alerts_query_by_source", [=](nts_storage *db) { return keep(nts_alerts_query_by_source(db, "s", 0, 9, NTS_NO_LIMIT, &json)); }},
      {"alerts_unacknowledged", [=](nts_storage *db) { return keep(nts_alerts_unacknowledged(db, NTS_NO_LIMIT, &json)); }},
      {"alerts_unresolved", [=](nts_storage *db) { return keep(nts_alerts_unresolved(db, NTS_NO_LIMIT, &json)); }},
      {"alerts_count_by_severity", [=](nts_storage *db) { return keep(nts_alerts_count_by_severity(db, &json)); }},
      {"alerts_count_unresolved_by_severity", [=](nts_storage *db) { return keep(nts_alerts_count_unresolved_by_severity(db, &json)); }},
      {"alerts_cleanup", [=](nts_storage *db) { return nts_alerts_cleanup(db, 0, &u); }},
      {"decisions_create", [=](nts_storage *db) { return nts_decisions_create(db, kDecision1); }},
      {"decisions_create_second", [=](nts_storage *db) { return nts_decisions_create(db, kDecision2); }},
      {"decisions_get", [=](nts_storage *db) { return keep(nts_decisions_get(db, "d1", &json)); }},
      {"decisions_approve", [=](nts_storage *db) { return keep(nts_decisions_approve(db, "d1", kResponse, &json)); }},
      {"decisions_record_execution_result", [=](nts_storage *db) { return keep(nts_decisions_record_execution_result(db, "d1", "\"Success\"", &json)); }},
      {"decisions_reject", [=](nts_storage *db) { return keep(nts_decisions_reject(db, "d2", kResponse, &json)); }},
      {"decisions_transition", [=](nts_storage *db) { return keep(nts_decisions_transition(db, "d404", "Expired", &json)); }},
      {"decisions_query_range", [=](nts_storage *db) { return keep(nts_decisions_query_range(db, 0, 9, NTS_NO_LIMIT, &json)); }},
      {"decisions_query_by_status", [=](nts_storage *db) { return keep(nts_decisions_query_by_status(db, "Approved", 0, 9, NTS_NO_LIMIT, &json)); }},
      {"decisions_expire_proposals", [=](nts_storage *db) { return nts_decisions_expire_proposals(db, 9, 1, &u); }},
      {"decisions_cleanup", [=](nts_storage *db) { return nts_decisions_cleanup(db, 0, &u); }},
      {"sessions_create", [=](nts_storage *db) { return keep(nts_sessions_create(db, "s1", "t", 1, &json)); }},
      {"sessions_get", [=](nts_storage *db) { return keep(nts_sessions_get(db, "s1", &json)); }},
      {"sessions_list", [=](nts_storage *db) { return keep(nts_sessions_list(db, NTS_NO_LIMIT, &json)); }},
      {"sessions_append_message", [=](nts_storage *db) { return nts_sessions_append_message(db, "s1", kMessage, &u); }},
      {"sessions_append_messages", [=](nts_storage *db) { return keep(nts_sessions_append_messages(db, "s1", "[]", &json)); }},
      {"sessions_load_messages", [=](nts_storage *db) { return keep(nts_sessions_load_messages(db, "s1", &json)); }},
      {"sessions_last_messages", [=](nts_storage *db) { return keep(nts_sessions_last_messages(db, "s1", 1, &json)); }},
      {"sessions_messages_range", [=](nts_storage *db) { return keep(nts_sessions_messages_range(db, "s1", 0, 9, &json)); }},
      {"sessions_context_window", [=](nts_storage *db) { return keep(nts_sessions_context_window(db, "s1", 100, &json)); }},
      {"sessions_set_summary", [=](nts_storage *db) { return keep(nts_sessions_set_summary(db, "s1", "sum", 3, &json)); }},
      {"sessions_get_summary", [=](nts_storage *db) { return keep(nts_sessions_get_summary(db, "s1", &json)); }},
      {"sessions_recent_summaries", [=](nts_storage *db) { return keep(nts_sessions_recent_summaries(db, 3, &json)); }},
      {"sessions_delete", [=](nts_storage *db) { return nts_sessions_delete(db, "s1", &b); }},
      {"sessions_cleanup", [=](nts_storage *db) { return nts_sessions_cleanup(db, 0, &u); }},
      {"memory_add", [=](nts_storage *db) { return nts_memory_add(db, kMemory); }},
      {"memory_add_many", [=](nts_storage *db) { return nts_memory_add_many(db, "[]"); }},
      {"memory_update", [=](nts_storage *db) { return nts_memory_update(db, kMemory); }},
      {"memory_get", [=](nts_storage *db) { return keep(nts_memory_get(db, "m1", 5, &json)); }},
      {"memory_peek", [=](nts_storage *db) { return keep(nts_memory_peek(db, "m1", &json)); }},
      {"memory_count", [=](nts_storage *db) { return nts_memory_count(db, &u); }},
      {"memory_by_type", [=](nts_storage *db) { return keep(nts_memory_by_type(db, "Other", NTS_NO_LIMIT, &json)); }},
      {"memory_by_importance", [=](nts_storage *db) { return keep(nts_memory_by_importance(db, 3, &json)); }},
      {"memory_search_keywords", [=](nts_storage *db) { return keep(nts_memory_search_keywords(db, "pump", NTS_NO_LIMIT, &json)); }},
      {"memory_search_semantic", [=](nts_storage *db) { return keep(nts_memory_search_semantic(db, kVec, 2, NTS_NO_LIMIT, &json)); }},
      {"memory_search_hybrid", [=](nts_storage *db) { return keep(nts_memory_search_hybrid(db, "pump", kVec, 2, NTS_NO_LIMIT, &json)); }},
      {"memory_purge_expired", [=](nts_storage *db) { return nts_memory_purge_expired(db, 9, &u); }},
      {"memory_delete", [=](nts_storage *db) { return nts_memory_delete(db, "m1", &b); }},
      {"vectors_create_collection", [=](nts_storage *db) { return keep(nts_vectors_create_collection(db, "c", 2, "Euclidean", &json)); }},
      {"vectors_collection", [=](nts_storage *db) { return keep(nts_vectors_collection(db, "c", &json)); }},
      {"vectors_list_collections", [=](nts_storage *db) { return keep(nts_vectors_list_collections(db, &json)); }},
      {"vectors_upsert", [=](nts_storage *db) { return nts_vectors_upsert(db, "c", "v1", kVec, 2, "{\"k\":1}"); }},
      {"vectors_upsert_many", [=](nts_storage *db) { return nts_vectors_upsert_many(db, "c", "[]"); }},
      {"vectors_get", [=](nts_storage *db) { return keep(nts_vectors_get(db, "c", "v1", &json)); }},
      {"vectors_count", [=](nts_storage *db) { return nts_vectors_count(db, "c", &u); }},
      {"vectors_search", [=](nts_storage *db) { return keep(nts_vectors_search(db, "c", kVec, 2, 3, nullptr, &json)); }},
      {"vectors_delete", [=](nts_storage *db) { return nts_vectors_delete(db, "c", "v1", &b); }},
      {"vectors_drop_collection", [=](nts_storage *db) { return nts_vectors_drop_collection(db, "c"); }},
      {"query_device_data", [=](nts_storage *db) { return keep(nts_query_device_data(db, "d", "m", 0, 9, &json)); }},
      {"query_rule_history", [=](nts_storage *db) { return keep(nts_query_rule_history(db, "r1", 0, 9, &json)); }},
      {"query_search_memory", [=](nts_storage *db) { return keep(nts_query_search_memory(db, "pump", "Other", NTS_NO_LIMIT, &json)); }},
      {"query_alerts", [=](nts_storage *db) { return keep(nts_query_alerts(db, "Warning", 0, 9, &json)); }},
      {"storage_stats", [=](nts_storage *db) { return keep(nts_storage_stats(db, &json)); }},
      {"storage_compact", [=](nts_storage *db) { return keep(nts_storage_compact(db, &json)); }},
      {"storage_check_integrity", [=](nts_storage *db) { return nts_storage_check_integrity(db, &b); }},
      {"storage_export_snapshot", [=](nts_storage *db) { return keep(nts_storage_export_snapshot(db, &bytes, &blen)); }},
      {"storage_cleanup", [=](nts_storage *db) { return keep(nts_storage_cleanup(db, nullptr, 1, &json)); }},
      {"backup_create", [=](nts_storage *db) { return keep(nts_backup_create(db, backup_config(), nullptr, &json)); }},
      {"backup_list", [=](nts_storage *db) { return keep(nts_backup_list(db, backup_config(), &json)); }},
      {"backup_verify", [=](nts_storage *db) { return keep(nts_backup_verify(db, backup_config(), "no-such-backup", &json)); }},
      {"backup_restore", [=](nts_storage *db) { return keep(nts_backup_restore(db, backup_config(), "no-such-backup", &json)); }},
      {"backup_run_enabled", [=](nts_storage *db) { return keep(nts_backup_run_enabled(db, backup_config(), &json)); }},
      {"backup_prune", [=](nts_storage *db) { return keep(nts_backup_prune(db, backup_config(), &json)); }},
      {"backup_newest", [=](nts_storage *db) { return keep(nts_backup_newest(db, backup_config(), &json)); }},
      {"storage_import_snapshot", [=](nts_storage *db) { return keep(nts_storage_import_snapshot(db, snapshot().data(), snapshot().size(), &json)); }},
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
  static nts_sequence_range range;
  static bool b;
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
      {"ts_write_series_int64.device_id", [](nts_storage *db, const char *s) { return nts_ts_write_series_int64(db, s, "m", ts, ts, 1); }},
      {"ts_query_range_int64.metric", [](nts_storage *db, const char *s) { return nts_ts_query_range_int64(db, "d", s, 0, 9, nullptr, ts, &t, 1, &n); }},
      {"ts_write_batch_json.points_json", [](nts_storage *db, const char *s) { return nts_ts_write_batch_json(db, s); }},
      {"ts_query_range.device_id", [](nts_storage *db, const char *s) { return nts_ts_query_range(db, s, "m", 0, 9, nullptr, ts, vs, 1, &n); }},
      {"events_append_structs.event_id", [](nts_storage *db, const char *s) {
         nts_event e = {s, "t", nullptr, 0, nullptr, nullptr, "src", 1};
         return nts_events_append_structs(db, &e, 1, nullptr);
       }},
      {"events_append_structs.event_type", [](nts_storage *db, const char *s) {
         nts_event e = {"e", s, nullptr, 0, nullptr, nullptr, "src", 1};
         return nts_events_append_structs(db, &e, 1, nullptr);
       }},
      {"events_append_structs.source", [](nts_storage *db, const char *s) {
         nts_event e = {"e", "t", nullptr, 0, nullptr, nullptr, s, 1};
         return nts_events_append_structs(db, &e, 1, nullptr);
       }},
      {"ts_query_range_alloc.device_id", [](nts_storage *db, const char *s) {
         int64_t *ats = nullptr;
         double *avs = nullptr;
         auto r = nts_ts_query_range_alloc(db, s, "m", 0, 9, nullptr, &ats, &avs, &n);
         nts_series_free(ats, avs, n);
         return r;
       }},
      {"ts_query_range_alloc.metric", [](nts_storage *db, const char *s) {
         int64_t *ats = nullptr;
         double *avs = nullptr;
         auto r = nts_ts_query_range_alloc(db, "d", s, 0, 9, nullptr, &ats, &avs, &n);
         nts_series_free(ats, avs, n);
         return r;
       }},
      {"ts_query_aggregated_buckets.device_id", [](nts_storage *db, const char *s) {
         nts_bucket *buckets = nullptr;
         auto r = nts_ts_query_aggregated_buckets(db, s, "m", 0, 9, 1, &buckets, &n);
         nts_buckets_free(buckets, n);
         return r;
       }},
      {"ts_query_aggregated_buckets.metric", [](nts_storage *db, const char *s) {
         nts_bucket *buckets = nullptr;
         auto r = nts_ts_query_aggregated_buckets(db, "d", s, 0, 9, 1, &buckets, &n);
         nts_buckets_free(buckets, n);
         return r;
       }},
      {"ts_query_latest_batch.device_ids", [](nts_storage *db, const char *s) {
         const char *devices[2] = {"d", s};
         const char *metrics[2] = {"m", "m"};
         bool found[2];
         int64_t lt[2];
         double lv[2];
         return nts_ts_query_latest_batch(db, devices, metrics, 2, lt, lv, found);
       }},
      {"ts_query_latest_batch.metrics", [](nts_storage *db, const char *s) {
         const char *devices[2] = {"d", "d"};
         const char *metrics[2] = {"m", s};
         bool found[2];
         int64_t lt[2];
         double lv[2];
         return nts_ts_query_latest_batch(db, devices, metrics, 2, lt, lv, found);
       }},
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
      {"events_append_batch.events_json", [](nts_storage *db, const char *s) { return nts_events_append_batch(db, s, &range); }},
      {"events_get.event_id", [](nts_storage *db, const char *s) { return nts_events_get(db, s, &json); }},
      {"events_query_by_type.event_type", [](nts_storage *db, const char *s) { return nts_events_query_by_type(db, s, 0, 9, NTS_NO_LIMIT, &json); }},
      {"events_query_by_correlation.correlation_id", [](nts_storage *db, const char *s) { return nts_events_query_by_correlation(db, s, &json); }},
      {"rules_record.record_json", [](nts_storage *db, const char *s) { return nts_rules_record(db, s); }},
      {"rules_record_batch.records_json", [](nts_storage *db, const char *s) { return nts_rules_record_batch(db, s); }},
      {"rules_get.execution_id", [](nts_storage *db, const char *s) { return nts_rules_get(db, s, &json); }},
      {"rules_query_by_rule.rule_id", [](nts_storage *db, const char *s) { return nts_rules_query_by_rule(db, s, 0, NTS_NO_LIMIT, &json); }},
      {"rules_query_rule_range.rule_id", [](nts_storage *db, const char *s) { return nts_rules_query_rule_range(db, s, 0, 9, NTS_NO_LIMIT, &json); }},
      {"rules_rule_statistics.rule_id", [](nts_storage *db, const char *s) { return nts_rules_rule_statistics(db, s, 0, 9, &json); }},
      {"workflows_start.record_json", [](nts_storage *db, const char *s) { return nts_workflows_start(db, s); }},
      {"workflows_update.record_json", [](nts_storage *db, const char *s) { return nts_workflows_update(db, s, &json); }},
      {"workflows_record_step.execution_id", [](nts_storage *db, const char *s) { return nts_workflows_record_step(db, s, kStep, &json); }},
      {"workflows_record_step.step_json", [](nts_storage *db, const char *s) { return nts_workflows_record_step(db, "w1", s, &json); }},
      {"workflows_finish.execution_id", [](nts_storage *db, const char *s) { return nts_workflows_finish(db, s, "Completed", 1, nullptr, nullptr, &json); }},
      {"workflows_finish.status", [](nts_storage *db, const char *s) { return nts_workflows_finish(db, "w1", s, 1, nullptr, nullptr, &json); }},
      {"workflows_finish.outputs_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL outputs mean none: tested in C
         return nts_workflows_finish(db, "w1", "Completed", 1, s, nullptr, &json); }},
      {"workflows_finish.error", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL error means none
         return nts_workflows_finish(db, "w1", "Completed", 1, nullptr, s, &json); }},
      {"workflows_get.execution_id", [](nts_storage *db, const char *s) { return nts_workflows_get(db, s, &json); }},
      {"workflows_query_by_workflow.workflow_id", [](nts_storage *db, const char *s) { return nts_workflows_query_by_workflow(db, s, 0, NTS_NO_LIMIT, &json); }},
      {"workflows_query_by_status.status", [](nts_storage *db, const char *s) { return nts_workflows_query_by_status(db, s, 0, 9, NTS_NO_LIMIT, &json); }},
      {"alerts_create.alert_json", [](nts_storage *db, const char *s) { return nts_alerts_create(db, s); }},
      {"alerts_get.alert_id", [](nts_storage *db, const char *s) { return nts_alerts_get(db, s, &json); }},
      {"alerts_acknowledge.alert_id", [](nts_storage *db, const char *s) { return nts_alerts_acknowledge(db, s, "op", 1, &json); }},
      {"alerts_acknowledge.by", [](nts_storage *db, const char *s) { return nts_alerts_acknowledge(db, "a1", s, 1, &json); }},
      {"alerts_resolve.alert_id", [](nts_storage *db, const char *s) { return nts_alerts_resolve(db, s, 1, &json); }},
      {"alerts_query_by_severity.severity", [](nts_storage *db, const char *s) { return nts_alerts_query_by_severity(db, s, 0, 9, NTS_NO_LIMIT, &json); }},
      {"alerts_query_by_entity.entity_id", [](nts_storage *db, const char *s) { return nts_alerts_query_by_entity(db, s, 0, 9, NTS_NO_LIMIT, &json); }},
      {"alerts_query_by_source.source", [](nts_storage *db, const char *s) { return nts_alerts_query_by_source(db, s, 0, 9, NTS_NO_LIMIT, &json); }},
      {"decisions_create.decision_json", [](nts_storage *db, const char *s) { return nts_decisions_create(db, s); }},
      {"decisions_get.decision_id", [](nts_storage *db, const char *s) { return nts_decisions_get(db, s, &json); }},
      {"decisions_transition.decision_id", [](nts_storage *db, const char *s) { return nts_decisions_transition(db, s, "Expired", &json); }},
      {"decisions_transition.to", [](nts_storage *db, const char *s) { return nts_decisions_transition(db, "d1", s, &json); }},
      {"decisions_approve.decision_id", [](nts_storage *db, const char *s) { return nts_decisions_approve(db, s, kResponse, &json); }},
      {"decisions_approve.response_json", [](nts_storage *db, const char *s) { return nts_decisions_approve(db, "d1", s, &json); }},
      {"decisions_reject.decision_id", [](nts_storage *db, const char *s) { return nts_decisions_reject(db, s, kResponse, &json); }},
      {"decisions_reject.response_json", [](nts_storage *db, const char *s) { return nts_decisions_reject(db, "d1", s, &json); }},
      {"decisions_record_execution_result.decision_id", [](nts_storage *db, const char *s) { return nts_decisions_record_execution_result(db, s, "\"Success\"", &json); }},
      {"decisions_record_execution_result.result_json", [](nts_storage *db, const char *s) { return nts_decisions_record_execution_result(db, "d1", s, &json); }},
      {"decisions_query_by_status.status", [](nts_storage *db, const char *s) { return nts_decisions_query_by_status(db, s, 0, 9, NTS_NO_LIMIT, &json); }},
      {"sessions_create.session_id", [](nts_storage *db, const char *s) { return nts_sessions_create(db, s, "t", 1, &json); }},
      {"sessions_create.title", [](nts_storage *db, const char *s) { return nts_sessions_create(db, "s1", s, 1, &json); }},
      {"sessions_get.session_id", [](nts_storage *db, const char *s) { return nts_sessions_get(db, s, &json); }},
      {"sessions_append_message.session_id", [](nts_storage *db, const char *s) { return nts_sessions_append_message(db, s, kMessage, &u); }},
      {"sessions_append_message.message_json", [](nts_storage *db, const char *s) { return nts_sessions_append_message(db, "s1", s, &u); }},
      {"sessions_append_messages.session_id", [](nts_storage *db, const char *s) { return nts_sessions_append_messages(db, s, "[]", &json); }},
      {"sessions_append_messages.messages_json", [](nts_storage *db, const char *s) { return nts_sessions_append_messages(db, "s1", s, &json); }},
      {"sessions_load_messages.session_id", [](nts_storage *db, const char *s) { return nts_sessions_load_messages(db, s, &json); }},
      {"sessions_last_messages.session_id", [](nts_storage *db, const char *s) { return nts_sessions_last_messages(db, s, 1, &json); }},
      {"sessions_messages_range.session_id", [](nts_storage *db, const char *s) { return nts_sessions_messages_range(db, s, 0, 9, &json); }},
      {"sessions_context_window.session_id", [](nts_storage *db, const char *s) { return nts_sessions_context_window(db, s, 9, &json); }},
      {"sessions_set_summary.session_id", [](nts_storage *db, const char *s) { return nts_sessions_set_summary(db, s, "x", 1, &json); }},
      {"sessions_set_summary.summary", [](nts_storage *db, const char *s) { return nts_sessions_set_summary(db, "s1", s, 1, &json); }},
      {"sessions_get_summary.session_id", [](nts_storage *db, const char *s) { return nts_sessions_get_summary(db, s, &json); }},
      {"sessions_delete.session_id", [](nts_storage *db, const char *s) { return nts_sessions_delete(db, s, &b); }},
      {"memory_add.entry_json", [](nts_storage *db, const char *s) { return nts_memory_add(db, s); }},
      {"memory_add_many.entries_json", [](nts_storage *db, const char *s) { return nts_memory_add_many(db, s); }},
      {"memory_update.entry_json", [](nts_storage *db, const char *s) { return nts_memory_update(db, s); }},
      {"memory_delete.memory_id", [](nts_storage *db, const char *s) { return nts_memory_delete(db, s, &b); }},
      {"memory_get.memory_id", [](nts_storage *db, const char *s) { return nts_memory_get(db, s, 1, &json); }},
      {"memory_peek.memory_id", [](nts_storage *db, const char *s) { return nts_memory_peek(db, s, &json); }},
      {"memory_by_type.memory_type", [](nts_storage *db, const char *s) { return nts_memory_by_type(db, s, NTS_NO_LIMIT, &json); }},
      {"memory_search_keywords.query", [](nts_storage *db, const char *s) { return nts_memory_search_keywords(db, s, NTS_NO_LIMIT, &json); }},
      {"memory_search_hybrid.query", [](nts_storage *db, const char *s) { return nts_memory_search_hybrid(db, s, kVec, 2, NTS_NO_LIMIT, &json); }},
      {"vectors_create_collection.name", [](nts_storage *db, const char *s) { return nts_vectors_create_collection(db, s, 2, "Cosine", &json); }},
      {"vectors_create_collection.metric", [](nts_storage *db, const char *s) { return nts_vectors_create_collection(db, "c", 2, s, &json); }},
      {"vectors_collection.name", [](nts_storage *db, const char *s) { return nts_vectors_collection(db, s, &json); }},
      {"vectors_drop_collection.name", [](nts_storage *db, const char *s) { return nts_vectors_drop_collection(db, s); }},
      {"vectors_upsert.collection", [](nts_storage *db, const char *s) { return nts_vectors_upsert(db, s, "v", kVec, 2, nullptr); }},
      {"vectors_upsert.id", [](nts_storage *db, const char *s) { return nts_vectors_upsert(db, "c", s, kVec, 2, nullptr); }},
      {"vectors_upsert.metadata_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL metadata means null
         return nts_vectors_upsert(db, "c", "v", kVec, 2, s); }},
      {"vectors_upsert_many.collection", [](nts_storage *db, const char *s) { return nts_vectors_upsert_many(db, s, "[]"); }},
      {"vectors_upsert_many.documents_json", [](nts_storage *db, const char *s) { return nts_vectors_upsert_many(db, "c", s); }},
      {"vectors_delete.collection", [](nts_storage *db, const char *s) { return nts_vectors_delete(db, s, "v", &b); }},
      {"vectors_delete.id", [](nts_storage *db, const char *s) { return nts_vectors_delete(db, "c", s, &b); }},
      {"vectors_get.collection", [](nts_storage *db, const char *s) { return nts_vectors_get(db, s, "v", &json); }},
      {"vectors_get.id", [](nts_storage *db, const char *s) { return nts_vectors_get(db, "c", s, &json); }},
      {"vectors_count.collection", [](nts_storage *db, const char *s) { return nts_vectors_count(db, s, &u); }},
      {"vectors_search.collection", [](nts_storage *db, const char *s) { return nts_vectors_search(db, s, kVec, 2, 1, nullptr, &json); }},
      {"vectors_search.filter_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL filter means none
         return nts_vectors_search(db, "c", kVec, 2, 1, s, &json); }},
      {"query_device_data.device_id", [](nts_storage *db, const char *s) { return nts_query_device_data(db, s, "m", 0, 9, &json); }},
      {"query_device_data.metric", [](nts_storage *db, const char *s) { return nts_query_device_data(db, "d", s, 0, 9, &json); }},
      {"query_rule_history.rule_id", [](nts_storage *db, const char *s) { return nts_query_rule_history(db, s, 0, 9, &json); }},
      {"query_search_memory.query", [](nts_storage *db, const char *s) { return nts_query_search_memory(db, s, nullptr, NTS_NO_LIMIT, &json); }},
      {"query_search_memory.memory_type", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL type means any
         return nts_query_search_memory(db, "q", s, NTS_NO_LIMIT, &json); }},
      {"query_alerts.severity", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL severity means any
         return nts_query_alerts(db, s, 0, 9, &json); }},
      {"storage_cleanup.retention_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL retention means defaults
         return nts_storage_cleanup(db, s, 1, &json); }},
      {"backup_create.config_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL config means defaults
         return nts_backup_create(db, s, nullptr, &json); }},
      {"backup_create.kind_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;  // NULL kind means full
         return nts_backup_create(db, backup_config(), s, &json); }},
      {"backup_list.config_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;
         return nts_backup_list(db, s, &json); }},
      {"backup_run_enabled.config_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;
         return nts_backup_run_enabled(db, s, &json); }},
      {"backup_prune.config_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;
         return nts_backup_prune(db, s, &json); }},
      {"backup_newest.config_json", [](nts_storage *db, const char *s) {
         if (s == nullptr) return NTS_NULL_POINTER;
         return nts_backup_newest(db, s, &json); }},
      {"backup_verify.id", [](nts_storage *db, const char *s) { return nts_backup_verify(db, backup_config(), s, &json); }},
      {"backup_restore.id", [](nts_storage *db, const char *s) { return nts_backup_restore(db, backup_config(), s, &json); }},
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
      {"events_replay_structs.out_list", [](nts_storage *db) {
         const nts_event_entry *entries = nullptr;
         return nts_events_replay_structs(db, 0, NTS_NO_LIMIT, nullptr, &entries, &n);
       }},
      {"events_replay_structs.out_entries", [](nts_storage *db) {
         nts_event_list *list = nullptr;
         return nts_events_replay_structs(db, 0, NTS_NO_LIMIT, &list, nullptr, &n);
       }},
      {"events_replay_structs.out_count", [](nts_storage *db) {
         nts_event_list *list = nullptr;
         const nts_event_entry *entries = nullptr;
         return nts_events_replay_structs(db, 0, NTS_NO_LIMIT, &list, &entries, nullptr);
       }},
      {"ts_query_range_alloc.out_timestamps", [](nts_storage *db) {
         double *avs = nullptr;
         return nts_ts_query_range_alloc(db, "d", "m", 0, 9, nullptr, nullptr, &avs, &n);
       }},
      {"ts_query_range_alloc.out_values", [](nts_storage *db) {
         int64_t *ats = nullptr;
         return nts_ts_query_range_alloc(db, "d", "m", 0, 9, nullptr, &ats, nullptr, &n);
       }},
      {"ts_query_range_alloc.out_count", [](nts_storage *db) {
         int64_t *ats = nullptr;
         double *avs = nullptr;
         return nts_ts_query_range_alloc(db, "d", "m", 0, 9, nullptr, &ats, &avs, nullptr);
       }},
      {"ts_query_aggregated_buckets.out_buckets", [](nts_storage *db) { return nts_ts_query_aggregated_buckets(db, "d", "m", 0, 9, 1, nullptr, &n); }},
      {"ts_query_aggregated_buckets.out_count", [](nts_storage *db) {
         nts_bucket *buckets = nullptr;
         return nts_ts_query_aggregated_buckets(db, "d", "m", 0, 9, 1, &buckets, nullptr);
       }},
      {"ts_query_latest_batch.out_timestamps", [](nts_storage *db) {
         static const char *one[1] = {"d"};
         bool found[1];
         return nts_ts_query_latest_batch(db, one, one, 1, nullptr, &v, found);
       }},
      {"ts_query_latest_batch.out_values", [](nts_storage *db) {
         static const char *one[1] = {"d"};
         bool found[1];
         return nts_ts_query_latest_batch(db, one, one, 1, &t, nullptr, found);
       }},
      {"ts_query_latest_batch.out_found", [](nts_storage *db) {
         static const char *one[1] = {"d"};
         return nts_ts_query_latest_batch(db, one, one, 1, &t, &v, nullptr);
       }},
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
      {"events_query_range.out_json", [](nts_storage *db) { return nts_events_query_range(db, 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"events_query_by_type.out_json", [](nts_storage *db) { return nts_events_query_by_type(db, "t", 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"events_query_by_correlation.out_json", [](nts_storage *db) { return nts_events_query_by_correlation(db, "c", nullptr); }},
      {"events_replay.out_json", [](nts_storage *db) { return nts_events_replay(db, 0, NTS_NO_LIMIT, nullptr); }},
      {"events_last_sequence.out_sequence", [](nts_storage *db) { return nts_events_last_sequence(db, nullptr); }},
      {"rules_get.out_json", [](nts_storage *db) { return nts_rules_get(db, "x", nullptr); }},
      {"rules_query_by_rule.out_json", [](nts_storage *db) { return nts_rules_query_by_rule(db, "r", 0, NTS_NO_LIMIT, nullptr); }},
      {"rules_query_rule_range.out_json", [](nts_storage *db) { return nts_rules_query_rule_range(db, "r", 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"rules_query_range.out_json", [](nts_storage *db) { return nts_rules_query_range(db, 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"rules_query_failed.out_json", [](nts_storage *db) { return nts_rules_query_failed(db, 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"rules_rule_statistics.out_json", [](nts_storage *db) { return nts_rules_rule_statistics(db, "r", 0, 9, nullptr); }},
      {"rules_statistics.out_json", [](nts_storage *db) { return nts_rules_statistics(db, 0, 9, nullptr); }},
      {"rules_cleanup.out_removed", [](nts_storage *db) { return nts_rules_cleanup(db, 0, nullptr); }},
      {"workflows_update.out_json", [](nts_storage *db) { return nts_workflows_update(db, kWorkflow, nullptr); }},
      {"workflows_record_step.out_json", [](nts_storage *db) { return nts_workflows_record_step(db, "w1", kStep, nullptr); }},
      {"workflows_finish.out_json", [](nts_storage *db) { return nts_workflows_finish(db, "w1", "Completed", 1, nullptr, nullptr, nullptr); }},
      {"workflows_get.out_json", [](nts_storage *db) { return nts_workflows_get(db, "w1", nullptr); }},
      {"workflows_query_by_workflow.out_json", [](nts_storage *db) { return nts_workflows_query_by_workflow(db, "f", 0, NTS_NO_LIMIT, nullptr); }},
      {"workflows_query_range.out_json", [](nts_storage *db) { return nts_workflows_query_range(db, 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"workflows_query_by_status.out_json", [](nts_storage *db) { return nts_workflows_query_by_status(db, "Failed", 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"workflows_running.out_json", [](nts_storage *db) { return nts_workflows_running(db, nullptr); }},
      {"workflows_cleanup.out_removed", [](nts_storage *db) { return nts_workflows_cleanup(db, 0, nullptr); }},
      {"alerts_get.out_json", [](nts_storage *db) { return nts_alerts_get(db, "a", nullptr); }},
      {"alerts_query_range.out_json", [](nts_storage *db) { return nts_alerts_query_range(db, 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"alerts_query_by_severity.out_json", [](nts_storage *db) { return nts_alerts_query_by_severity(db, "Info", 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"alerts_query_by_entity.out_json", [](nts_storage *db) { return nts_alerts_query_by_entity(db, "e", 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"alerts_query_by_source.out_json", [](nts_storage *db) { return nts_alerts_query_by_source(db, "s", 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"alerts_unacknowledged.out_json", [](nts_storage *db) { return nts_alerts_unacknowledged(db, NTS_NO_LIMIT, nullptr); }},
      {"alerts_unresolved.out_json", [](nts_storage *db) { return nts_alerts_unresolved(db, NTS_NO_LIMIT, nullptr); }},
      {"alerts_count_by_severity.out_json", [](nts_storage *db) { return nts_alerts_count_by_severity(db, nullptr); }},
      {"alerts_count_unresolved_by_severity.out_json", [](nts_storage *db) { return nts_alerts_count_unresolved_by_severity(db, nullptr); }},
      {"alerts_cleanup.out_removed", [](nts_storage *db) { return nts_alerts_cleanup(db, 0, nullptr); }},
      {"decisions_get.out_json", [](nts_storage *db) { return nts_decisions_get(db, "d", nullptr); }},
      {"decisions_transition.out_json", [](nts_storage *db) { return nts_decisions_transition(db, "d", "Expired", nullptr); }},
      {"decisions_approve.out_json", [](nts_storage *db) { return nts_decisions_approve(db, "d", kResponse, nullptr); }},
      {"decisions_reject.out_json", [](nts_storage *db) { return nts_decisions_reject(db, "d", kResponse, nullptr); }},
      {"decisions_record_execution_result.out_json", [](nts_storage *db) { return nts_decisions_record_execution_result(db, "d", "\"Success\"", nullptr); }},
      {"decisions_query_range.out_json", [](nts_storage *db) { return nts_decisions_query_range(db, 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"decisions_query_by_status.out_json", [](nts_storage *db) { return nts_decisions_query_by_status(db, "Expired", 0, 9, NTS_NO_LIMIT, nullptr); }},
      {"decisions_expire_proposals.out_expired", [](nts_storage *db) { return nts_decisions_expire_proposals(db, 9, 1, nullptr); }},
      {"decisions_cleanup.out_removed", [](nts_storage *db) { return nts_decisions_cleanup(db, 0, nullptr); }},
      {"sessions_get.out_json", [](nts_storage *db) { return nts_sessions_get(db, "s", nullptr); }},
      {"sessions_list.out_json", [](nts_storage *db) { return nts_sessions_list(db, NTS_NO_LIMIT, nullptr); }},
      {"sessions_append_message.out_sequence", [](nts_storage *db) { return nts_sessions_append_message(db, "s", kMessage, nullptr); }},
      {"sessions_append_messages.out_json", [](nts_storage *db) { return nts_sessions_append_messages(db, "s", "[]", nullptr); }},
      {"sessions_load_messages.out_json", [](nts_storage *db) { return nts_sessions_load_messages(db, "s", nullptr); }},
      {"sessions_last_messages.out_json", [](nts_storage *db) { return nts_sessions_last_messages(db, "s", 1, nullptr); }},
      {"sessions_messages_range.out_json", [](nts_storage *db) { return nts_sessions_messages_range(db, "s", 0, 9, nullptr); }},
      {"sessions_context_window.out_json", [](nts_storage *db) { return nts_sessions_context_window(db, "s", 9, nullptr); }},
      {"sessions_get_summary.out_json", [](nts_storage *db) { return nts_sessions_get_summary(db, "s", nullptr); }},
      {"sessions_recent_summaries.out_json", [](nts_storage *db) { return nts_sessions_recent_summaries(db, 1, nullptr); }},
      {"sessions_delete.out_deleted", [](nts_storage *db) { return nts_sessions_delete(db, "s", nullptr); }},
      {"sessions_cleanup.out_removed", [](nts_storage *db) { return nts_sessions_cleanup(db, 0, nullptr); }},
      {"memory_delete.out_deleted", [](nts_storage *db) { return nts_memory_delete(db, "m", nullptr); }},
      {"memory_get.out_json", [](nts_storage *db) { return nts_memory_get(db, "m", 1, nullptr); }},
      {"memory_peek.out_json", [](nts_storage *db) { return nts_memory_peek(db, "m", nullptr); }},
      {"memory_count.out_count", [](nts_storage *db) { return nts_memory_count(db, nullptr); }},
      {"memory_by_type.out_json", [](nts_storage *db) { return nts_memory_by_type(db, "Other", NTS_NO_LIMIT, nullptr); }},
      {"memory_by_importance.out_json", [](nts_storage *db) { return nts_memory_by_importance(db, 1, nullptr); }},
      {"memory_search_keywords.out_json", [](nts_storage *db) { return nts_memory_search_keywords(db, "q", NTS_NO_LIMIT, nullptr); }},
      {"memory_search_semantic.out_json", [](nts_storage *db) { return nts_memory_search_semantic(db, kVec, 2, NTS_NO_LIMIT, nullptr); }},
      {"memory_search_hybrid.out_json", [](nts_storage *db) { return nts_memory_search_hybrid(db, "q", kVec, 2, NTS_NO_LIMIT, nullptr); }},
      {"memory_purge_expired.out_removed", [](nts_storage *db) { return nts_memory_purge_expired(db, 0, nullptr); }},
      {"vectors_collection.out_json", [](nts_storage *db) { return nts_vectors_collection(db, "c", nullptr); }},
      {"vectors_list_collections.out_json", [](nts_storage *db) { return nts_vectors_list_collections(db, nullptr); }},
      {"vectors_delete.out_deleted", [](nts_storage *db) { return nts_vectors_delete(db, "c", "v", nullptr); }},
      {"vectors_get.out_json", [](nts_storage *db) { return nts_vectors_get(db, "c", "v", nullptr); }},
      {"vectors_count.out_count", [](nts_storage *db) { return nts_vectors_count(db, "c", nullptr); }},
      {"vectors_search.out_json", [](nts_storage *db) { return nts_vectors_search(db, "c", kVec, 2, 1, nullptr, nullptr); }},
      {"query_device_data.out_json", [](nts_storage *db) { return nts_query_device_data(db, "d", "m", 0, 9, nullptr); }},
      {"query_rule_history.out_json", [](nts_storage *db) { return nts_query_rule_history(db, "r", 0, 9, nullptr); }},
      {"query_search_memory.out_json", [](nts_storage *db) { return nts_query_search_memory(db, "q", nullptr, NTS_NO_LIMIT, nullptr); }},
      {"query_alerts.out_json", [](nts_storage *db) { return nts_query_alerts(db, nullptr, 0, 9, nullptr); }},
      {"storage_stats.out_json", [](nts_storage *db) { return nts_storage_stats(db, nullptr); }},
      {"storage_check_integrity.out_ok", [](nts_storage *db) { return nts_storage_check_integrity(db, nullptr); }},
      {"storage_export_snapshot.out_data", [](nts_storage *db) { return nts_storage_export_snapshot(db, nullptr, &n); }},
      {"storage_export_snapshot.out_len", [](nts_storage *db) { static uint8_t *d; return nts_storage_export_snapshot(db, &d, nullptr); }},
      {"storage_cleanup.out_json", [](nts_storage *db) { return nts_storage_cleanup(db, nullptr, 1, nullptr); }},
      {"backup_create.out_json", [](nts_storage *db) { return nts_backup_create(db, backup_config(), nullptr, nullptr); }},
      {"backup_list.out_json", [](nts_storage *db) { return nts_backup_list(db, backup_config(), nullptr); }},
      {"backup_verify.out_json", [](nts_storage *db) { return nts_backup_verify(db, backup_config(), "x", nullptr); }},
      {"backup_run_enabled.out_json", [](nts_storage *db) { return nts_backup_run_enabled(db, backup_config(), nullptr); }},
      {"backup_prune.out_json", [](nts_storage *db) { return nts_backup_prune(db, backup_config(), nullptr); }},
      {"backup_newest.out_json", [](nts_storage *db) { return nts_backup_newest(db, backup_config(), nullptr); }},
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
  EXPECT_EQ(nts_storage_close(db.get()), NTS_OK) << "closing twice is harmless";
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
    nts_sequence_range range{};
    EXPECT_EQ(nts_events_append_batch(db.get(), bad, &range), NTS_INVALID_INPUT) << bad;
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
  // Double reads take float points only: nothing is converted.
  int64_t ts[4];
  double vs[4];
  size_t n = 0;
  EXPECT_EQ(nts_ts_query_range(db.get(), "d", "m", 0, 2, nullptr, ts, vs, 4, &n), NTS_OK);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(nts_ts_query_range(db.get(), "d", "m", 0, 4, nullptr, ts, vs, 4, &n), NTS_INVALID_INPUT);
  EXPECT_NE(message().find("integer"), std::string::npos) << message();
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
  nts_sequence_range range{};
  ASSERT_EQ(nts_events_append(db.get(), kEvent, json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find(R"("sequence":1)"), std::string::npos) << json.str();
  EXPECT_EQ(nts_events_append(db.get(), kEvent, json.out()), NTS_CONFLICT);
  ASSERT_EQ(nts_events_append_batch(db.get(),
                                    R"([{"event_id":"e2","event_type":"alarm","event_data":null,"metadata":{"correlation_id":"c","causation_id":"e1","source":"rules","timestamp":200}},)"
                                    R"({"event_id":"e3","event_type":"info","event_data":"x","metadata":{"source":"ui","timestamp":300}}])",
                                    &range),
            NTS_OK);
  EXPECT_EQ(range.first, 2u);
  EXPECT_EQ(range.last, 3u);
  // A duplicate inside a batch stores nothing.
  EXPECT_EQ(nts_events_append_batch(db.get(),
                                    R"([{"event_id":"e4","event_type":"a","event_data":1,"metadata":{"source":"s","timestamp":1}},)"
                                    R"({"event_id":"e4","event_type":"a","event_data":1,"metadata":{"source":"s","timestamp":1}}])",
                                    &range),
            NTS_CONFLICT);
  uint64_t seq = 0;
  ASSERT_EQ(nts_events_last_sequence(db.get(), &seq), NTS_OK);
  EXPECT_EQ(seq, 3u);

  ASSERT_EQ(nts_events_get(db.get(), "e2", json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("causation_id":"e1")"), std::string::npos);
  EXPECT_EQ(nts_events_get(db.get(), "e4", json.out()), NTS_NOT_FOUND);
  ASSERT_EQ(nts_events_query_range(db.get(), 150, 301, NTS_NO_LIMIT, json.out()), NTS_OK);
  EXPECT_EQ(json.str().find(R"("event_id":"e1")"), std::string::npos);
  EXPECT_NE(json.str().find(R"("event_id":"e3")"), std::string::npos);
  ASSERT_EQ(nts_events_query_by_type(db.get(), "alarm", 0, 1000, NTS_NO_LIMIT, json.out()), NTS_OK);
  EXPECT_EQ(json.str().find(R"("e3")"), std::string::npos);
  EXPECT_NE(json.str().find(R"("e2")"), std::string::npos);
  ASSERT_EQ(nts_events_query_by_correlation(db.get(), "c", json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("e1")"), std::string::npos);
  EXPECT_NE(json.str().find(R"("e2")"), std::string::npos);
  ASSERT_EQ(nts_events_replay(db.get(), 1, 1, json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("e2")"), std::string::npos);
  EXPECT_EQ(json.str().find(R"("e3")"), std::string::npos);
  EXPECT_EQ(nts_events_query_range(db.get(), 10, 1, NTS_NO_LIMIT, json.out()), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_events_query_by_type(db.get(), "alarm", 10, 1, NTS_NO_LIMIT, json.out()), NTS_INVALID_INPUT);
}


TEST(ErrorPaths, MalformedJsonIsInvalidInputForEveryRecord) {
  StoragePtr db = open_memory();
  OwnedString json;
  uint64_t u = 0;
  ASSERT_EQ(nts_workflows_start(db.get(), kWorkflow), NTS_OK);
  ASSERT_EQ(nts_decisions_create(db.get(), kDecision1), NTS_OK);
  ASSERT_EQ(nts_sessions_create(db.get(), "s1", "t", 1, nullptr), NTS_OK);
  ASSERT_EQ(nts_vectors_create_collection(db.get(), "c", 2, "Cosine", nullptr), NTS_OK);
  for (const char *bad : {"", "{", "nul", "[1,", "{\"a\":1}x"}) {
    EXPECT_EQ(nts_rules_record(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_rules_record_batch(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_workflows_start(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_workflows_update(db.get(), bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(json.p, nullptr);
    EXPECT_EQ(nts_workflows_record_step(db.get(), "w1", bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_workflows_finish(db.get(), "w1", "Completed", 2, bad, nullptr, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_alerts_create(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_decisions_create(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_decisions_approve(db.get(), "d1", bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_decisions_reject(db.get(), "d1", bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_decisions_record_execution_result(db.get(), "d1", bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_sessions_append_message(db.get(), "s1", bad, &u), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_sessions_append_messages(db.get(), "s1", bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_memory_add(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_memory_add_many(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_memory_update(db.get(), bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_vectors_upsert(db.get(), "c", "v", kVec, 2, bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_vectors_upsert_many(db.get(), "c", bad), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_vectors_search(db.get(), "c", kVec, 2, 1, bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_storage_cleanup(db.get(), bad, 1, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_backup_create(db.get(), bad, nullptr, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_backup_create(db.get(), backup_config(), bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_backup_list(db.get(), bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(json.p, nullptr);
  }
  // Enum names are parsed by core, ignoring case and underscores; anything else is refused.
  for (const char *bad : {"", "Done", "\"Completed\"", "complete d"}) {
    EXPECT_EQ(nts_workflows_query_by_status(db.get(), bad, 0, 9, NTS_NO_LIMIT, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_decisions_transition(db.get(), "d1", bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_memory_by_type(db.get(), bad, NTS_NO_LIMIT, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_vectors_create_collection(db.get(), "z", 2, bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(nts_alerts_query_by_severity(db.get(), bad, 0, 9, NTS_NO_LIMIT, json.out()), NTS_INVALID_INPUT) << bad;
  }
  EXPECT_EQ(nts_alerts_query_by_severity(db.get(), "wArNiNg", 0, 9, NTS_NO_LIMIT, json.out()), NTS_OK) << message();
  EXPECT_EQ(nts_workflows_query_by_status(db.get(), "completed", 0, 9, NTS_NO_LIMIT, json.out()), NTS_OK) << message();
  EXPECT_EQ(nts_memory_by_type(db.get(), "device_knowledge", NTS_NO_LIMIT, json.out()), NTS_OK) << message();
}

TEST(ErrorPaths, VectorSizes) {
  StoragePtr db = open_memory();
  OwnedString json;
  std::vector<float> v3 = {1, 2, 3};
  ASSERT_EQ(nts_vectors_create_collection(db.get(), "c", 3, "Cosine", nullptr), NTS_OK);
  EXPECT_EQ(nts_vectors_upsert(db.get(), "c", "v", v3.data(), 2, nullptr), NTS_INVALID_INPUT);
  EXPECT_NE(message().find("dimension 3"), std::string::npos) << message();
  EXPECT_EQ(nts_vectors_upsert(db.get(), "c", "v", v3.data(), 0, nullptr), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_vectors_upsert(db.get(), "c", "v", v3.data(), SIZE_MAX, nullptr), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_vectors_upsert(db.get(), "c", "v", nullptr, 3, nullptr), NTS_NULL_POINTER);
  EXPECT_EQ(nts_vectors_search(db.get(), "c", v3.data(), 4, 1, nullptr, json.out()), NTS_INVALID_INPUT);
  EXPECT_EQ(json.p, nullptr);
  EXPECT_EQ(nts_vectors_search(db.get(), "c", v3.data(), SIZE_MAX / 2, 1, nullptr, json.out()), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_memory_search_semantic(db.get(), v3.data(), SIZE_MAX, 1, json.out()), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_memory_search_hybrid(db.get(), "q", nullptr, 3, 1, json.out()), NTS_NULL_POINTER);
  EXPECT_EQ(nts_storage_import_snapshot(db.get(), nullptr, 5, nullptr), NTS_NULL_POINTER);
  EXPECT_EQ(nts_storage_import_snapshot(db.get(), snapshot().data(), SIZE_MAX, nullptr), NTS_INVALID_INPUT);
  uint64_t n = 9;
  ASSERT_EQ(nts_vectors_count(db.get(), "c", &n), NTS_OK);
  EXPECT_EQ(n, 0u);
}

TEST(Vectors, TypedUpsertAndSearch) {
  StoragePtr db = open_memory();
  OwnedString json;
  ASSERT_EQ(nts_vectors_create_collection(db.get(), "rooms", 3, "Euclidean", json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find(R"("metric":"Euclidean")"), std::string::npos) << json.str();
  std::vector<std::vector<float>> vs = {{0, 0, 0}, {1, 0, 0}, {5, 5, 5}};
  for (size_t i = 0; i < vs.size(); i++) {
    std::string id = "v" + std::to_string(i);
    std::string meta = R"({"floor":)" + std::to_string(i % 2) + "}";
    ASSERT_EQ(nts_vectors_upsert(db.get(), "rooms", id.c_str(), vs[i].data(), vs[i].size(), meta.c_str()), NTS_OK) << message();
  }
  std::vector<float> q = {0.9f, 0, 0};
  ASSERT_EQ(nts_vectors_search(db.get(), "rooms", q.data(), q.size(), 2, nullptr, json.out()), NTS_OK) << message();
  std::string r = json.str();
  ASSERT_NE(r.find(R"("id":"v1")"), std::string::npos) << r;
  ASSERT_NE(r.find(R"("id":"v0")"), std::string::npos) << r;
  EXPECT_LT(r.find(R"("id":"v1")"), r.find(R"("id":"v0")")) << r;  // nearest first
  EXPECT_EQ(r.find(R"("id":"v2")"), std::string::npos) << r;
  ASSERT_EQ(nts_vectors_search(db.get(), "rooms", q.data(), q.size(), 5, R"({"field":"floor","value":0})", json.out()), NTS_OK);
  EXPECT_EQ(json.str().find(R"("id":"v1")"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find(R"("id":"v2")"), std::string::npos) << json.str();
  ASSERT_EQ(nts_vectors_get(db.get(), "rooms", "v2", json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("embedding":[5.0,5.0,5.0])"), std::string::npos) << json.str();
}

TEST(Maintenance, SnapshotRoundTripAndDamage) {
  StoragePtr a = open_memory();
  StoragePtr b = open_memory();
  OwnedString json;
  ASSERT_EQ(nts_alerts_create(a.get(), kAlert), NTS_OK);
  ASSERT_EQ(nts_memory_add(a.get(), kMemory), NTS_OK);
  uint8_t *data = nullptr;
  size_t len = 0;
  ASSERT_EQ(nts_storage_export_snapshot(a.get(), &data, &len), NTS_OK) << message();
  std::unique_ptr<uint8_t, std::function<void(uint8_t *)>> owned(data, [len](uint8_t *p) { nts_bytes_free(p, len); });
  std::vector<uint8_t> damaged(data, data + len);
  damaged[len / 2] ^= 0xff;
  EXPECT_NE(nts_storage_import_snapshot(b.get(), damaged.data(), damaged.size(), json.out()), NTS_OK);
  EXPECT_EQ(json.p, nullptr);
  EXPECT_EQ(nts_alerts_get(b.get(), "a1", json.out()), NTS_NOT_FOUND);
  ASSERT_EQ(nts_storage_import_snapshot(b.get(), data, len, json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find("\"tables\""), std::string::npos) << json.str();
  ASSERT_EQ(nts_alerts_get(b.get(), "a1", json.out()), NTS_OK);
  uint64_t n = 0;
  ASSERT_EQ(nts_memory_count(b.get(), &n), NTS_OK);
  EXPECT_EQ(n, 1u);
  ASSERT_EQ(nts_storage_stats(b.get(), json.out()), NTS_OK);
  EXPECT_NE(json.str().find("\"table_stats\""), std::string::npos) << json.str();
}

TEST(Backups, HostileIdsAreInvalidInput) {
  StoragePtr db = open_memory();
  OwnedString json;
  char empty_dir[] = "/tmp/nts-cpp-empty-XXXXXX";
  ASSERT_NE(mkdtemp(empty_dir), nullptr);
  std::string empty = R"({"backup_dir":")" + std::string(empty_dir) + R"("})";
  EXPECT_EQ(nts_backup_newest(db.get(), empty.c_str(), json.out()), NTS_NOT_FOUND);
  EXPECT_EQ(nts_backup_prune(db.get(), empty.c_str(), json.out()), NTS_OK) << message();
  EXPECT_EQ(json.str(), "[]");
  EXPECT_EQ(nts_backup_newest(db.get(), nullptr, json.out()), NTS_INVALID_INPUT);  // relative dir, in memory
  rmdir(empty_dir);
  for (const char *bad : {"../x", "/etc/passwd", "..", ".", "a/b", "a\\b", "C:x", "x y", ".hidden", ""}) {
    EXPECT_EQ(nts_backup_verify(db.get(), backup_config(), bad, json.out()), NTS_INVALID_INPUT) << bad;
    EXPECT_EQ(json.p, nullptr);
    EXPECT_EQ(nts_backup_restore(db.get(), backup_config(), bad, json.out()), NTS_INVALID_INPUT) << bad;
  }
  std::string long_id(200, 'a');
  EXPECT_EQ(nts_backup_verify(db.get(), backup_config(), long_id.c_str(), json.out()), NTS_INVALID_INPUT);
}

TEST(Backups, CreateVerifyRestore) {
  StoragePtr db = open_memory();
  OwnedString json;
  char tmpl[] = "/tmp/nts-cpp-bk-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string config = R"({"backup_dir":")" + std::string(tmpl) + R"(","retain_count":2})";
  ASSERT_EQ(nts_alerts_create(db.get(), kAlert), NTS_OK);
  ASSERT_EQ(nts_backup_create(db.get(), config.c_str(), nullptr, json.out()), NTS_OK) << message();
  std::string info = json.str();
  size_t at = info.find(R"("id":")");
  ASSERT_NE(at, std::string::npos) << info;
  std::string id = info.substr(at + 6, info.find('"', at + 6) - at - 6);
  ASSERT_EQ(nts_backup_verify(db.get(), config.c_str(), id.c_str(), json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find(R"("ok":true)"), std::string::npos) << json.str();
  ASSERT_EQ(nts_alerts_acknowledge(db.get(), "a1", "op", 5, nullptr), NTS_OK);
  ASSERT_EQ(nts_backup_restore(db.get(), config.c_str(), id.c_str(), nullptr), NTS_OK) << message();
  ASSERT_EQ(nts_alerts_get(db.get(), "a1", json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("acknowledged":false)"), std::string::npos) << json.str();
  // A damaged file verifies as not ok and does not restore.
  std::string path = std::string(tmpl) + "/" + id + ".ntsnap";
  FILE *f = std::fopen(path.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  std::fseek(f, -3, SEEK_END);
  std::fputc(0x42 ^ std::fgetc(f), f);
  std::fclose(f);
  ASSERT_EQ(nts_backup_verify(db.get(), config.c_str(), id.c_str(), json.out()), NTS_OK);
  EXPECT_NE(json.str().find(R"("ok":false)"), std::string::npos) << json.str();
  EXPECT_NE(nts_backup_restore(db.get(), config.c_str(), id.c_str(), json.out()), NTS_OK);
  ASSERT_EQ(nts_backup_list(db.get(), config.c_str(), json.out()), NTS_OK);
  EXPECT_NE(json.str().find(id), std::string::npos) << json.str();
  // One more full backup (the enabled default), then an incremental on it with a larger
  // retain_count; pruning to 2 removes only the oldest (damaged but readable header) one.
  ASSERT_EQ(nts_backup_run_enabled(db.get(), config.c_str(), json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find("-full"), std::string::npos) << json.str();
  std::string keep_all = R"({"backup_dir":")" + std::string(tmpl) + R"(","retain_count":7})";
  ASSERT_EQ(nts_backup_create(db.get(), keep_all.c_str(), R"({"type":"incremental"})", json.out()), NTS_OK) << message();
  ASSERT_EQ(nts_backup_newest(db.get(), config.c_str(), json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find("-incremental"), std::string::npos) << json.str();
  ASSERT_EQ(nts_backup_prune(db.get(), config.c_str(), json.out()), NTS_OK) << message();
  EXPECT_EQ(json.str(), "[\"" + id + "\"]");
  ASSERT_EQ(nts_backup_list(db.get(), config.c_str(), json.out()), NTS_OK);
  EXPECT_EQ(json.str().find(id), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("-incremental"), std::string::npos) << json.str();
  ASSERT_EQ(std::system((std::string("rm -rf ") + tmpl).c_str()), 0);
}

TEST(Cleanup, RetentionJsonAndReport) {
  StoragePtr db = open_memory();
  OwnedString json;
  ASSERT_EQ(nts_alerts_create(db.get(), kAlert), NTS_OK);
  ASSERT_EQ(nts_storage_cleanup(db.get(), nullptr, 86400000LL, json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find(R"("alerts":0)"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find(R"("failed":{})"), std::string::npos) << json.str();
  ASSERT_EQ(nts_storage_cleanup(db.get(), R"({"alerts":{"days":1}})", 2 * 86400000LL, json.out()), NTS_OK) << message();
  EXPECT_NE(json.str().find(R"("alerts":1)"), std::string::npos) << json.str();
  EXPECT_EQ(nts_storage_cleanup(db.get(), R"({"alerts":{"days":0}})", 1, json.out()), NTS_INVALID_INPUT);
  EXPECT_EQ(nts_storage_cleanup(db.get(), R"({"nope":1})", 1, json.out()), NTS_INVALID_INPUT);
  EXPECT_EQ(json.p, nullptr);
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
