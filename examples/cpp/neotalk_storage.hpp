// A small RAII wrapper over the neotalk-storage C API (C++17).
//
// Handles and strings are owned by unique_ptr / std::string, failures become
// neotalk::Error exceptions carrying the nts_status and the library's message.
#pragma once

#include <neotalk_storage.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace neotalk {

// A failed call: its status code and message.
class Error : public std::runtime_error {
 public:
  Error(nts_status status, const std::string &what)
      : std::runtime_error(std::string(nts_status_name(status)) + ": " + what), status_(status) {}
  nts_status status() const noexcept { return status_; }

 private:
  nts_status status_;
};

inline void check(nts_status s) {
  if (s != NTS_OK) throw Error(s, nts_last_error_message());
}

// Takes ownership of a library string and returns it as std::string.
inline std::string take(char *s) {
  std::unique_ptr<char, decltype(&nts_string_free)> owned(s, &nts_string_free);
  return owned ? std::string(owned.get()) : std::string();
}

// A range-query result set, read point by point.
class Points {
 public:
  explicit Points(nts_points *set) : set_(set, &nts_points_free) {}
  std::size_t size() const {
    std::size_t n = 0;
    check(nts_points_len(set_.get(), &n));
    return n;
  }
  // The next point, or nothing at the end. String and metadata pointers in it live as long as *this.
  std::optional<nts_point> next() {
    nts_point p;
    bool has = false;
    check(nts_points_next(set_.get(), &p, &has));
    if (!has) return std::nullopt;
    return p;
  }

 private:
  std::unique_ptr<nts_points, decltype(&nts_points_free)> set_;
};

// An open database; closed and freed when it goes out of scope.
class Storage {
 public:
  static Storage open(const std::string &dir, const char *options_json = nullptr) {
    nts_storage *db = nullptr;
    check(nts_storage_open(dir.c_str(), options_json, &db));
    return Storage(db);
  }
  static Storage in_memory(const char *options_json = nullptr) {
    nts_storage *db = nullptr;
    check(nts_storage_open_in_memory(options_json, &db));
    return Storage(db);
  }

  void flush() { check(nts_storage_flush(db_.get())); }
  // Closes now and reports errors (the destructor closes silently).
  void close() { check(nts_storage_close(db_.get())); }

  // --- telemetry
  void write(const std::string &device, const std::string &metric, std::int64_t ts, double value) {
    check(nts_ts_write(db_.get(), device.c_str(), metric.c_str(), ts, value));
  }
  void write_series(const std::string &device, const std::string &metric, const std::vector<std::int64_t> &ts,
                    const std::vector<double> &values) {
    if (ts.size() != values.size()) throw std::invalid_argument("timestamps and values differ in length");
    check(nts_ts_write_series(db_.get(), device.c_str(), metric.c_str(), ts.data(), values.data(), ts.size()));
  }
  void write_batch_json(const std::string &points_json) { check(nts_ts_write_batch_json(db_.get(), points_json.c_str())); }

  std::optional<std::pair<std::int64_t, double>> latest(const std::string &device, const std::string &metric) {
    std::int64_t ts = 0;
    double v = 0;
    nts_status s = nts_ts_query_latest(db_.get(), device.c_str(), metric.c_str(), &ts, &v);
    if (s == NTS_NOT_FOUND) return std::nullopt;
    check(s);
    return std::make_pair(ts, v);
  }

  // Numeric points of [start, end): asks for the size, then reads into vectors of that size.
  std::vector<std::pair<std::int64_t, double>> range(const std::string &device, const std::string &metric,
                                                     std::int64_t start, std::int64_t end) {
    std::vector<std::int64_t> ts;
    std::vector<double> vs;
    std::size_t n = 0;
    nts_status s;
    while ((s = nts_ts_query_range(db_.get(), device.c_str(), metric.c_str(), start, end, nullptr, ts.data(),
                                   vs.data(), ts.size(), &n)) == NTS_BUFFER_TOO_SMALL) {
      ts.resize(n);  // points may arrive between the calls: retry with the new size
      vs.resize(n);
    }
    check(s);
    std::vector<std::pair<std::int64_t, double>> out;
    for (std::size_t i = 0; i < n; i++) out.emplace_back(ts[i], vs[i]);
    return out;
  }

  Points points(const std::string &device, const std::string &metric, std::int64_t start, std::int64_t end,
                const nts_range_options *opts = nullptr) {
    nts_points *set = nullptr;
    check(nts_ts_query_range_points(db_.get(), device.c_str(), metric.c_str(), start, end, opts, &set));
    return Points(set);
  }

  std::string aggregated_json(const std::string &device, const std::string &metric, std::int64_t start,
                              std::int64_t end, std::int64_t bucket_ms) {
    char *json = nullptr;
    check(nts_ts_query_aggregated(db_.get(), device.c_str(), metric.c_str(), start, end, bucket_ms, &json));
    return take(json);
  }

  // --- devices
  void upsert_device(const std::string &device_json) { check(nts_devices_upsert(db_.get(), device_json.c_str())); }
  std::optional<std::string> device_json(const std::string &id) {
    char *json = nullptr;
    nts_status s = nts_devices_get(db_.get(), id.c_str(), &json);
    if (s == NTS_NOT_FOUND) return std::nullopt;
    check(s);
    return take(json);
  }
  void set_online(const std::string &id, bool online) { check(nts_devices_set_online(db_.get(), id.c_str(), online)); }
  std::string offline_devices_json() {
    char *json = nullptr;
    check(nts_devices_list_offline(db_.get(), &json));
    return take(json);
  }

  // --- events
  std::string append_event(const std::string &event_json) {
    char *json = nullptr;
    check(nts_events_append(db_.get(), event_json.c_str(), &json));
    return take(json);
  }
  std::string replay_json(std::uint64_t after_sequence, std::size_t limit = NTS_NO_LIMIT) {
    char *json = nullptr;
    check(nts_events_replay(db_.get(), after_sequence, limit, &json));
    return take(json);
  }

  // --- alerts
  void create_alert(const std::string &alert_json) { check(nts_alerts_create(db_.get(), alert_json.c_str())); }
  std::string acknowledge_alert(const std::string &id, const std::string &by, std::int64_t at) {
    char *json = nullptr;
    check(nts_alerts_acknowledge(db_.get(), id.c_str(), by.c_str(), at, &json));
    return take(json);
  }
  std::string unresolved_alerts_json(std::size_t limit = NTS_NO_LIMIT) {
    char *json = nullptr;
    check(nts_alerts_unresolved(db_.get(), limit, &json));
    return take(json);
  }

  // --- vectors (metric: "Cosine", "Euclidean" or "DotProduct")
  void create_collection(const std::string &name, std::uint32_t dimension, const std::string &metric) {
    check(nts_vectors_create_collection(db_.get(), name.c_str(), dimension, metric.c_str(), nullptr));
  }
  void upsert_vector(const std::string &collection, const std::string &id, const std::vector<float> &v,
                     const std::string &metadata_json = "null") {
    check(nts_vectors_upsert(db_.get(), collection.c_str(), id.c_str(), v.data(), v.size(), metadata_json.c_str()));
  }
  std::string search_json(const std::string &collection, const std::vector<float> &query, std::size_t k) {
    char *json = nullptr;
    check(nts_vectors_search(db_.get(), collection.c_str(), query.data(), query.size(), k, nullptr, &json));
    return take(json);
  }

  // --- maintenance
  std::string stats_json() {
    char *json = nullptr;
    check(nts_storage_stats(db_.get(), &json));
    return take(json);
  }
  std::vector<std::uint8_t> export_snapshot() {
    std::uint8_t *data = nullptr;
    std::size_t len = 0;
    check(nts_storage_export_snapshot(db_.get(), &data, &len));
    std::vector<std::uint8_t> out(data, data + len);
    nts_bytes_free(data, len);
    return out;
  }
  void import_snapshot(const std::vector<std::uint8_t> &bytes) {
    check(nts_storage_import_snapshot(db_.get(), bytes.data(), bytes.size(), nullptr));
  }
  // Retention cleanup of every store as of now_ms; retention_json nullptr = defaults.
  std::string cleanup_json(std::int64_t now_ms, const char *retention_json = nullptr) {
    char *json = nullptr;
    check(nts_storage_cleanup(db_.get(), retention_json, now_ms, &json));
    return take(json);
  }

  nts_storage *raw() const noexcept { return db_.get(); }

 private:
  explicit Storage(nts_storage *db) : db_(db, &nts_storage_free) {}
  std::unique_ptr<nts_storage, decltype(&nts_storage_free)> db_;
};

}  // namespace neotalk
