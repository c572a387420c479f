// neotalk-storage from C++ through the RAII wrapper in neotalk_storage.hpp.
//
// Build against an installed library (ffi/install.sh PREFIX):
//   cmake -S . -B build -DCMAKE_PREFIX_PATH=PREFIX && cmake --build build && build/example [DATA_DIR]
#include "neotalk_storage.hpp"

#include <iostream>

int main(int argc, char **argv) {
  try {
    auto db = argc > 1 ? neotalk::Storage::open(argv[1]) : neotalk::Storage::in_memory();

    db.upsert_device(R"({"device_id":"pump-7","device_type":"pump","name":"Pump 7","online":true,)"
                     R"("last_seen":0,"metrics":{},"config":{"max_rpm":3000},"mdl_definition":null,"adapter":"modbus"})");
    db.write_series("pump-7", "power", {0, 1000, 2000, 3000}, {1.5, 1.7, 1.6, 1.9});
    db.write_batch_json(R"([{"device_id":"pump-7","metric":"state","point":{"timestamp":3000,"value":"running"}}])");
    db.write("pump-7", "power", 4000, 2.1);
    db.flush();

    if (auto latest = db.latest("pump-7", "power")) {
      std::cout << "latest power: " << latest->second << " kW at " << latest->first << "\n";
    }
    for (const auto &[ts, kw] : db.range("pump-7", "power", 0, 3000)) {
      std::cout << "  " << ts << ": " << kw << "\n";
    }
    auto states = db.points("pump-7", "state", 0, 10000);
    while (auto p = states.next()) {
      std::cout << "state at " << p->timestamp << ": " << std::string(p->string_value, p->string_len) << "\n";
    }
    std::cout << "per 2 s: " << db.aggregated_json("pump-7", "power", 0, 5000, 2000) << "\n";

    db.set_online("pump-7", false);
    std::cout << "offline: " << db.offline_devices_json() << "\n";
    std::cout << "logged: "
              << db.append_event(R"({"event_id":"pump-7-off","event_type":"device.offline","event_data":null,)"
                                 R"("metadata":{"source":"example","timestamp":5000}})")
              << "\n";

    db.create_alert(R"({"alert_id":"pump-7-hot","title":"Overheat","severity":"Critical","message":"95 C",)"
                    R"("entity_id":"pump-7","entity_type":"device","created_at":5000,"acknowledged":false,)"
                    R"("acknowledged_by":null,"acknowledged_at":null,"resolved_at":null,"source":"rules"})");
    std::cout << "acknowledged: " << db.acknowledge_alert("pump-7-hot", "operator", 5100) << "\n";

    // Vectors cross as float arrays; results as JSON.
    db.create_collection("manuals", 3, "Cosine");
    db.upsert_vector("manuals", "overheat", {0.9f, 0.1f, 0.0f}, R"({"page":12})");
    db.upsert_vector("manuals", "wiring", {0.0f, 0.2f, 0.9f}, R"({"page":40})");
    std::cout << "nearest: " << db.search_json("manuals", {1.0f, 0.0f, 0.0f}, 1) << "\n";

    // A snapshot is a library-owned byte buffer, copied here into a std::vector.
    auto snapshot = db.export_snapshot();
    auto copy = neotalk::Storage::in_memory();
    copy.import_snapshot(snapshot);
    std::cout << "snapshot: " << snapshot.size() << " bytes; copy has " << copy.unresolved_alerts_json() << "\n";
    std::cout << "cleanup: " << db.cleanup_json(5000) << "\n";

    // Failures are exceptions with the status and the library's message.
    try {
      db.write("pump-7", "", 0, 1.0);
    } catch (const neotalk::Error &e) {
      std::cout << "as expected: " << e.what() << "\n";
    }
    db.close();
    return 0;
  } catch (const std::exception &e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
