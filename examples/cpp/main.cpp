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
