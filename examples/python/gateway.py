#!/usr/bin/env python3
"""An edge-gateway ingest loop on neotalk-storage, without a broker.

Simulated MQTT messages (topic ``sensors/<device>/<metric>``, JSON payload) arrive in ticks of
one second. The gateway:

- stores every reading as telemetry (one ``write_batch`` per tick: one transaction per tick,
  however many devices report);
- runs a threshold rule per reading (temperature above ``--threshold`` while it was below):
  appends a ``rule.triggered`` event correlated with the reading's device, raises a
  ``critical`` alert for the device through the AlertStore (resolved when the temperature
  is back under the threshold) and records the rule execution with its actions in the
  RuleHistoryStore;
- marks a device offline when it has been silent for ``--offline-after`` ticks, logs a
  ``device.offline`` event and raises a ``warning`` alert (resolved, with a
  ``device.online`` event, when it reports again);
- at the end prints per-device aggregates, the event log, the alerts and the rule's
  statistics, and exits non-zero if the injected overheat or outage was missed.

Run: ``python gateway.py [--data DIR] [--ticks N]`` (a temporary directory by default).
"""

import argparse
import json
import random
import sys
import tempfile

from neotalk_storage import (
    AlertRecord,
    DeviceState,
    EventMetadata,
    ExecutionResult,
    NewEvent,
    RuleActionRecord,
    RuleExecutionRecord,
    StorageError,
    StorageManager,
)

DEVICES = {"thermo-1": "thermometer", "thermo-2": "thermometer", "pump-7": "pump"}
START_MS = 1_700_000_000_000
TICK_MS = 1_000


def simulated_broker(ticks, rng):
    """Yields (tick, [(topic, payload bytes)]) like an MQTT subscription would deliver."""
    for tick in range(ticks):
        messages = []
        for device in DEVICES:
            if device == "thermo-2" and 40 <= tick < 60:
                continue  # an outage: thermo-2 goes silent for 20 s
            now = START_MS + tick * TICK_MS
            if DEVICES[device] == "thermometer":
                temp = 22.0 + rng.gauss(0, 0.5)
                if device == "thermo-1" and 70 <= tick < 75:
                    temp = 35.0 + tick - 70  # an overheat
                messages.append((f"sensors/{device}/temperature", json.dumps({"ts": now, "value": round(temp, 2)}).encode()))
                messages.append((f"sensors/{device}/humidity", json.dumps({"ts": now, "value": rng.randint(35, 45)}).encode()))
            else:
                messages.append((f"sensors/{device}/power", json.dumps({"ts": now, "value": round(1.5 + rng.random(), 3), "q": 0.98}).encode()))
                messages.append((f"sensors/{device}/state", json.dumps({"ts": now, "value": "running"}).encode()))
        yield tick, messages


class Gateway:
    def __init__(self, db, threshold, offline_after):
        self.db = db
        self.threshold = threshold
        self.offline_after = offline_after
        self.last_heard = {}
        self.above = set()
        self.event_seq = 0
        self.open_alerts = {}  # (device, kind) -> alert id, until resolved

    def register_devices(self):
        for device_id, device_type in DEVICES.items():
            self.db.devices().upsert(DeviceState(device_id=device_id, device_type=device_type, config={"adapter": "mqtt"}, adapter="mqtt"))

    def event(self, event_type, ts, data, correlation_id=None):
        self.event_seq += 1
        meta = EventMetadata(source="gateway", timestamp=ts, correlation_id=correlation_id)
        return NewEvent(event_id=f"gw-{self.event_seq}", event_type=event_type, event_data=data, metadata=meta)

    def raise_alert(self, device, kind, severity, title, message, ts):
        alert_id = f"{kind}-{device}-{ts}"
        self.db.alerts().create(AlertRecord(alert_id=alert_id, title=title, severity=severity, message=message,
                                            source="gateway", created_at=ts, entity_id=device, entity_type="device"))
        self.open_alerts[(device, kind)] = alert_id
        return alert_id

    def resolve_alert(self, device, kind, ts):
        alert_id = self.open_alerts.pop((device, kind), None)
        if alert_id is not None:
            self.db.alerts().resolve(alert_id, ts)

    def record_overheat(self, device, value, ts, alert_id, event):
        """The rule's execution record: what triggered it and the actions it took."""
        self.db.rule_history().record(RuleExecutionRecord(
            execution_id=f"overheat-{device}-{ts}",
            rule_id="overheat",
            rule_name=f"temperature above {self.threshold}",
            triggered_at=ts,
            trigger_value=value,
            actions=[
                RuleActionRecord(action_type="raise_alert", action_data={"alert_id": alert_id}, success=True),
                RuleActionRecord(action_type="log_event", action_data={"event_id": event.event_id}, success=True),
            ],
            result=ExecutionResult.SUCCESS(),
        ))

    def handle_tick(self, tick, messages):
        now = START_MS + tick * TICK_MS
        batch, events = [], []
        for topic, payload in messages:
            _, device, metric = topic.split("/")
            body = json.loads(payload)
            batch.append((device, metric, body["ts"], body["value"]))
            if device not in self.last_heard or now - self.last_heard[device] > self.offline_after * TICK_MS:
                if device in self.last_heard:
                    self.db.devices().set_online(device, True)
                    events.append(self.event("device.online", now, {"device": device}, correlation_id=device))
                    self.resolve_alert(device, "offline", now)
            self.last_heard[device] = now
            if metric == "temperature":
                key = (device, metric)
                if body["value"] > self.threshold and key not in self.above:
                    self.above.add(key)
                    event = self.event("rule.triggered", body["ts"], {"rule": "overheat", "device": device, "value": body["value"], "threshold": self.threshold}, correlation_id=device)
                    events.append(event)
                    alert_id = self.raise_alert(device, "overheat", "critical", "overheat", f"{metric} {body['value']} above {self.threshold}", body["ts"])
                    self.record_overheat(device, body["value"], body["ts"], alert_id, event)
                elif body["value"] <= self.threshold:
                    if key in self.above:
                        self.resolve_alert(device, "overheat", body["ts"])
                    self.above.discard(key)
        self.db.timeseries().write_batch(batch)
        for device, heard in self.last_heard.items():
            if now - heard == self.offline_after * TICK_MS:
                self.db.devices().set_online(device, False)
                events.append(self.event("device.offline", now, {"device": device, "silent_ms": now - heard}, correlation_id=device))
                self.raise_alert(device, "offline", "warning", "device offline", f"silent for {now - heard} ms", now)
        if events:
            self.db.events().append_batch(events)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data directory (default: a temporary one)")
    parser.add_argument("--ticks", type=int, default=120)
    parser.add_argument("--threshold", type=float, default=30.0)
    parser.add_argument("--offline-after", type=int, default=5, help="ticks of silence before a device is offline")
    args = parser.parse_args()
    data = args.data or tempfile.mkdtemp(prefix="neotalk-gateway-")

    with StorageManager.open(data) as db:
        gw = Gateway(db, args.threshold, args.offline_after)
        gw.register_devices()
        for tick, messages in simulated_broker(args.ticks, random.Random(7)):
            gw.handle_tick(tick, messages)

    # Reopen: everything above is on disk.
    with StorageManager.open(data) as db:
        end = START_MS + args.ticks * TICK_MS
        print(f"data directory: {data}")
        for device in db.timeseries().list_devices_with_data():
            for metric in db.timeseries().list_metrics(device):
                n = len(db.timeseries().query_range(device, metric, START_MS, end))
                try:
                    buckets = db.timeseries().query_aggregated(device, metric, START_MS, end, 60_000)
                    summary = ", ".join(f"min {b.min:.2f} avg {b.avg:.2f} max {b.max:.2f}" for b in buckets if b.avg is not None)
                except StorageError as e:
                    summary = f"({e})"
                print(f"  {device}/{metric}: {n} points {summary}")
        events = db.events().replay(0, 1_000)
        for e in events:
            print(f"  event #{e.sequence} {e.event_type} {json.dumps(e.event_data)}")
        online = sorted(d.device_id for d in db.devices().list_online())
        print(f"  online now: {online}")
        alerts = db.alerts().query_range(START_MS, end)
        for a in alerts:
            state = "resolved" if a.resolved_at is not None else "open"
            print(f"  alert {a.alert_id} {a.severity.name.lower()} {a.entity_id}: {a.message} ({state})")
        stats = db.rule_history().rule_statistics("overheat", START_MS, end)
        print(f"  rule overheat: {stats.triggers} triggers, {stats.success} succeeded")
        executions = db.rule_history().query_by_rule("overheat", 0, 10)

        kinds = [e.event_type for e in events]
        overheats = db.events().query_by_type("rule.triggered", START_MS, end)
        ok = (
            len(overheats) == 1
            and overheats[0].event_data["device"] == "thermo-1"
            and kinds.count("device.offline") == 1
            and kinds.count("device.online") == 1
            and db.events().query_by_correlation("thermo-2")[0].event_type == "device.offline"
            and online == sorted(DEVICES)
            and [(a.entity_id, a.severity.name) for a in alerts] == [("thermo-2", "WARNING"), ("thermo-1", "CRITICAL")]
            and all(a.resolved_at is not None for a in alerts)
            and db.alerts().count_unresolved_by_severity().critical == 0
            and len(executions) == 1
            and executions[0].trigger_value == overheats[0].event_data["value"]
            and executions[0].actions[0].action_data["alert_id"] == alerts[1].alert_id
        )
    print("gateway example: OK" if ok else "gateway example: FAILED (expected one overheat and one outage)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
