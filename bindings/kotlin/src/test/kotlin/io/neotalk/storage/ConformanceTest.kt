package io.neotalk.storage

import java.math.BigDecimal
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.util.Base64
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail
import org.json.JSONArray
import org.json.JSONObject
import org.json.JSONTokener
import org.junit.jupiter.api.Assumptions
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory

/**
 * The Kotlin runner of the shared conformance cases (`tests/conformance/`, see its README):
 * every case of `tests/conformance/cases/` as one dynamic test, run through the binding's
 * public API on a fresh in-memory store. Results are turned into the core's serde JSON
 * (snake_case keys, enums as core spells them, JSON-text fields parsed) and matched by the
 * README's rules, exactly as the Rust reference runner `tests/conformance/rust/conformance.rs` does.
 * Cases whose `not` names `kotlin` are skipped (JUnit "skipped") and counted.
 */
class ConformanceTest {
    /** A case step this runner cannot express through the typed Kotlin API. */
    class Inexpressible(message: String) : Exception(message)

    private var ran = 0
    private var passed = 0
    private var skipped = 0

    @TestFactory
    fun conformance(): List<DynamicTest> {
        val files = caseFiles()
        assertTrue(files.isNotEmpty(), "no case files in ${casesDir()}")
        val tests = mutableListOf<DynamicTest>()
        for (file in files) {
            val doc = JSONObject(Files.readString(file))
            val stem = file.fileName.toString().removeSuffix(".json")
            val cases = doc.getJSONArray("cases")
            for (i in 0 until cases.length()) {
                val case = cases.getJSONObject(i)
                val name = "$stem / ${case.getString("name")}"
                val why = case.optJSONObject("not")?.optString("kotlin", null)
                tests += DynamicTest.dynamicTest(name) {
                    if (why != null) {
                        skipped++
                        Assumptions.abort<Unit>("not in Kotlin: $why")
                    }
                    ran++
                    runCase(case)?.let { fail("$name: $it") }
                    passed++
                }
            }
        }
        tests += DynamicTest.dynamicTest("summary: cases ran") {
            println("conformance (kotlin): $passed passed, ${ran - passed} failed, $skipped skipped")
            assertTrue(ran > 0, "no conformance case ran")
        }
        return tests
    }

    @Test
    fun theMatcherRefusesWhatDiffers() {
        fun ok(want: String, got: String) = assertNull(matches(parse(want), parse(got), ""), "$want vs $got")
        fun bad(want: String, got: String) = assertNotNull(matches(parse(want), parse(got), ""), "$want vs $got")
        ok("""{"a": 1}""", """{"a": 1.0, "b": 2}""")
        bad("""{"a": 1}""", """{"a": 2}""")
        ok("""{"a": null}""", """{}""")
        bad("""[1, 2]""", """[1]""")
        ok("""{"${'$'}len": 2}""", """[7, 8]""")
        bad("""{"${'$'}len": 2}""", """[7]""")
        bad("\"a\"", "\"b\"")
        bad("true", "1")
        bad("""{"a": {"b": [1, {"c": "x"}]}}""", """{"a": {"b": [1, {"c": "y"}]}}""")
        // A whole case whose expectation differs fails too.
        val case = JSONObject(
            """{"name": "x", "steps": [
                {"op": "events.last_sequence", "expect": 1}]}""",
        )
        assertNotNull(runCase(case))
        assertEquals(listOf("NOT_FOUND", "INVALID_INPUT"), listOf(StorageException.NotFound("m"), StorageException.InvalidInput("m")).map(::code))
    }

    // ---- cases and the store a case runs on ----

    private fun casesDir(): Path {
        var dir: Path? = Paths.get(System.getProperty("user.dir")).toAbsolutePath()
        while (dir != null) {
            val candidate = dir.resolve("tests/conformance/cases")
            if (Files.isDirectory(candidate)) return candidate
            dir = dir.parent
        }
        fail("tests/conformance/cases not found above ${System.getProperty("user.dir")}")
    }

    private fun caseFiles(): List<Path> =
        Files.list(casesDir()).use { s -> s.filter { it.toString().endsWith(".json") }.sorted().toList() }

    private class Subject : AutoCloseable {
        var db: StorageManager = StorageManager.inMemory()
        val opened = mutableListOf(db)
        val dirs = mutableListOf<Path>()
        var path = "" // the data directory last opened by `storage.open`
        var replica: Path? = null // the case's directory for `DIR` in replication targets

        /** A replication target, `DIR` replaced by the case's directory. */
        fun target(text: String): String {
            if (!text.contains("DIR")) return text
            val dir = replica ?: Files.createTempDirectory("neotalk-conf-").also { dirs.add(it); replica = it }
            return text.replace("DIR", dir.toString())
        }

        override fun close() {
            opened.forEach { runCatching { it.close() } }
            dirs.forEach { it.toFile().deleteRecursively() }
        }
    }

    /** Runs a case; null when it passes, else the reason. */
    private fun runCase(case: JSONObject): String? {
        Subject().use { subject -> return runSteps(subject, case) }
    }

    private fun runSteps(subject: Subject, case: JSONObject): String? {
        val steps = case.getJSONArray("steps")
        for (i in 0 until steps.length()) {
            val step = steps.getJSONObject(i)
            val op = step.getString("op")
            val args = step.optJSONObject("args") ?: JSONObject()
            val at = "step $i ($op)"
            val result: Result<Any> = try {
                Result.success(run(subject, op, args))
            } catch (e: StorageException) {
                Result.failure(e)
            } catch (e: Inexpressible) {
                return "$at: cannot be expressed in Kotlin: ${e.message}"
            }
            val wantCode = if (step.has("error")) step.getString("error") else null
            val err = result.exceptionOrNull() as StorageException?
            when {
                err != null && wantCode != null && code(err) == wantCode -> {}
                err != null && wantCode != null -> return "$at: expected $wantCode, got ${code(err)}: ${err.message}"
                err == null && wantCode != null -> return "$at: expected $wantCode, got success ${text(result.getOrThrow())}"
                err != null -> return "$at: failed with ${code(err)}: ${err.message}"
                step.has("expect") -> matches(step.get("expect"), result.getOrThrow(), at)?.let { return it }
            }
        }
        return null
    }

    // ---- operations ----

    private fun damagedJson(damaged: List<DamagedEntry>) =
        JSONArray(damaged.map { jsonOf("table" to it.table, "key" to it.key, "what" to it.what, "problem" to it.problem) })

    private fun run(subject: Subject, op: String, args: JSONObject): Any {
        val db = subject.db
        fun device() = str(args, "device")
        fun metric() = str(args, "metric")
        return when (op) {
            "storage.open" -> {
                val path = str(args, "path")
                val target = if (path.isEmpty()) {
                    ""
                } else {
                    val dir = Files.createTempDirectory("neotalk-conf-").also { subject.dirs.add(it) }
                    dir.resolve(path).toString()
                }
                val opened = StorageManager.open(target)
                subject.opened.add(opened)
                subject.db = opened
                subject.path = target
                JSONObject.NULL
            }
            "storage.open_memory" -> {
                val options = obj(args, "options")
                known(options, "options", "rollups", "max_binary_value_bytes")
                // StorageOptions is typed; its free-form rollup configuration crosses as JSON text.
                val opened = StorageManager.inMemoryWith(
                    StorageOptions(
                        rollups = if (options.has("rollups")) jsonText(options.get("rollups")) else null,
                        maxBinaryValueBytes = if (options.has("max_binary_value_bytes")) options.getLong("max_binary_value_bytes") else null,
                    ),
                )
                subject.opened.add(opened)
                subject.db = opened
                JSONObject.NULL
            }
            "storage.close" -> db.closeStorage().let { JSONObject.NULL }
            "storage.flush" -> db.flush().let { JSONObject.NULL }
            "storage.integrity_report" -> db.integrityReport().let { r ->
                jsonOf(
                    "ok" to r.ok, "entries_checked" to r.entriesChecked, "damaged_count" to r.damagedCount,
                    "damaged" to damagedJson(r.damaged),
                    "engine_problem" to r.engineProblem, "engine_checked" to r.engineChecked,
                )
            }
            "storage.salvage" -> {
                val into = if (str(args, "into") == "itself") {
                    subject.path
                } else {
                    Files.createTempDirectory("neotalk-conf-").also { subject.dirs.add(it) }.resolve("salvaged").toString()
                }
                salvage(subject.path, into).let { r ->
                    jsonOf(
                        "entries_copied" to r.entriesCopied, "damaged_count" to r.damagedCount,
                        "damaged" to damagedJson(r.damaged),
                        "read_from_copy" to r.readFromCopy, "config_files_copied" to r.configFilesCopied,
                    )
                }
            }

            "replicate.run_once" -> Replicator(db, subject.target(str(args, "target")), str(args, "gateway_id")).use { r ->
                r.runOnce().let {
                    jsonOf(
                        "points" to it.points, "events" to it.events, "alert_changes" to it.alertChanges,
                        "record_changes" to it.recordChanges, "dropped" to it.dropped, "batches" to it.batches,
                    )
                }
            }
            "replicate.status" -> JSONObject(replicationStatus(db, subject.target(str(args, "target"))))
            "ts.write" -> db.timeseries().write(device(), metric(), dataPoint(obj(args, "point"))).let { JSONObject.NULL }
            "ts.write_batch" -> {
                val points = arr(args, "points").objects().map {
                    known(it, "points[]", "device_id", "metric", "point")
                    TelemetryPoint(str(it, "device_id"), str(it, "metric"), dataPoint(obj(it, "point")))
                }
                db.timeseries().writeBatch(points).let { JSONObject.NULL }
            }
            "ts.query_range" -> JSONArray(db.timeseries().queryRange(device(), metric(), long(args, "start"), optLong(args, "end")).map(::pointJson))
            "ts.query_latest" -> db.timeseries().queryLatest(device(), metric())?.let(::pointJson) ?: JSONObject.NULL
            "ts.delete_range" -> db.timeseries().deleteRange(device(), metric(), long(args, "start"), optLong(args, "end"))
            "ts.aggregation_tier" -> db.timeseries().aggregationTier(device(), metric(), long(args, "start"), optLong(args, "end"), long(args, "bucket_ms")) ?: JSONObject.NULL
            "ts.rebuild_rollups" -> db.timeseries().rebuildRollups()
            "ts.delete_device" -> db.timeseries().deleteDevice(device())
            "ts.delete_metric" -> db.timeseries().deleteMetric(metric())
            "ts.query_aggregated" -> JSONArray(
                db.timeseries().queryAggregated(device(), metric(), long(args, "start"), optLong(args, "end"), long(args, "bucket_ms")).map {
                    jsonOf(
                        "bucket_start" to it.bucketStart, "count" to it.count, "sum" to it.sum, "min" to it.min,
                        "max" to it.max, "avg" to it.avg, "first" to it.first, "last" to it.last,
                    )
                },
            )

            "events.append" -> eventJson(db.events().append(newEvent(obj(args, "event"), "event")))
            "events.append_batch" -> db.events().appendBatch(arr(args, "events").objects().map { newEvent(it, "events[]") })
                .let { jsonOf("first" to it.first, "last" to it.last) }
            "events.get" -> db.events().get(str(args, "event_id"))?.let(::eventJson) ?: JSONObject.NULL
            "events.replay" -> JSONArray(db.events().replay(long(args, "after"), optLong(args, "limit")).map(::eventJson))
            "events.query_range" -> JSONArray(db.events().queryRange(long(args, "start"), optLong(args, "end"), optLong(args, "limit")).map(::eventJson))
            "events.last_sequence" -> db.events().lastSequence()

            "devices.upsert" -> db.devices().upsert(deviceState(obj(args, "state"))).let { JSONObject.NULL }
            "devices.get" -> db.devices().getDevice(str(args, "device_id"))?.let(::deviceJson) ?: JSONObject.NULL
            "devices.list" -> JSONArray(db.devices().listDevices().map(::deviceJson))
            "devices.delete" -> db.devices().delete(str(args, "device_id")).let { JSONObject.NULL }
            "devices.delete_with_telemetry" -> db.devices().delete(str(args, "device_id"), cascade = true)
            "devices.set_online" -> db.devices().setOnline(str(args, "device_id"), args.getBoolean("online")).let { JSONObject.NULL }

            "alerts.create" -> db.alerts().create(alertRecord(obj(args, "alert"))).let { JSONObject.NULL }
            "alerts.get" -> db.alerts().get(str(args, "alert_id"))?.let(::alertJson) ?: JSONObject.NULL
            "alerts.delete" -> db.alerts().delete(str(args, "alert_id"))
            "alerts.acknowledge" -> alertJson(db.alerts().acknowledge(str(args, "alert_id"), str(args, "by"), long(args, "at")))
            "alerts.resolve" -> alertJson(db.alerts().resolve(str(args, "alert_id"), long(args, "at")))
            "alerts.query_range" -> JSONArray(db.alerts().queryRange(long(args, "start"), optLong(args, "end"), optLong(args, "limit")).map(::alertJson))
            "alerts.unresolved" -> JSONArray(db.alerts().unresolved(optLong(args, "limit")).map(::alertJson))

            "decisions.create" -> db.decisions().create(decisionRecordFromJson(jsonText(args.get("decision")))).let { JSONObject.NULL }
            "decisions.get" -> db.decisions().get(str(args, "decision_id"))?.let(::decisionJson) ?: JSONObject.NULL
            "decisions.transition" -> decisionJson(db.decisions().transition(str(args, "decision_id"), enumOf<DecisionStatus>(str(args, "to"), "to")))
            "decisions.approve" -> decisionJson(db.decisions().approve(str(args, "decision_id"), userResponseFromJson(jsonText(args.get("response")))))
            "decisions.record_execution_result" ->
                decisionJson(db.decisions().recordExecutionResult(str(args, "decision_id"), executionResultFromJson(jsonText(args.get("result")))))

            "rules.record" -> db.ruleHistory().record(ruleExecutionRecordFromJson(jsonText(args.get("record")))).let { JSONObject.NULL }
            "rules.get" -> db.ruleHistory().get(str(args, "execution_id"))?.let { parse(ruleExecutionRecordToJson(it)) } ?: JSONObject.NULL
            "rules.query_by_rule" -> JSONArray(db.ruleHistory().queryByRule(str(args, "rule_id"), long(args, "offset"), optLong(args, "limit")).map { parse(ruleExecutionRecordToJson(it)) })

            "workflows.start" -> db.workflowHistory().start(workflowExecutionRecordFromJson(jsonText(args.get("record")))).let { JSONObject.NULL }
            "workflows.get" -> db.workflowHistory().get(str(args, "execution_id"))?.let { parse(workflowExecutionRecordToJson(it)) } ?: JSONObject.NULL

            "sessions.create" -> sessionJson(db.sessions().createSession(str(args, "session_id"), str(args, "title"), long(args, "created_at")))
            "sessions.append_message" -> db.sessions().appendMessage(str(args, "session_id"), sessionMessageFromJson(jsonText(args.get("message"))))
            "sessions.load_messages" -> JSONArray(db.sessions().loadMessages(str(args, "session_id")).map {
                jsonOf("sequence" to it.sequence, "message" to parse(sessionMessageToJson(it.message)))
            })
            "sessions.delete" -> db.sessions().deleteSession(str(args, "session_id"))

            "memory.add" -> db.memory().add(memoryEntryFromJson(jsonText(args.get("entry")))).let { JSONObject.NULL }
            "memory.peek" -> db.memory().peek(str(args, "memory_id"))?.let { parse(memoryEntryToJson(it)) } ?: JSONObject.NULL
            "memory.count" -> db.memory().count()

            "vectors.create_collection" -> {
                val metric = when (val name = str(args, "metric")) {
                    "cosine" -> DistanceMetric.COSINE
                    "euclidean" -> DistanceMetric.EUCLIDEAN
                    "dot_product" -> DistanceMetric.DOT_PRODUCT
                    else -> throw Inexpressible("metric $name is not a DistanceMetric constant (typed enum)")
                }
                val dimension = long(args, "dimension")
                db.vectors().createCollection(str(args, "name"), dimension, metric)
                    .let { jsonOf("name" to it.name, "dimension" to it.dimension, "metric" to coreName(it.metric)) }
            }
            "vectors.upsert" -> {
                val doc = obj(args, "doc")
                known(doc, "doc", "id", "embedding", "metadata")
                val metadata = if (doc.has("metadata")) jsonText(doc.get("metadata")) else "null"
                db.vectors().upsert(str(args, "collection"), str(doc, "id"), floats(doc, "embedding"), metadata).let { JSONObject.NULL }
            }
            "vectors.get" -> db.vectors().get(str(args, "collection"), str(args, "id"))
                ?.let { jsonOf("id" to it.id, "embedding" to JSONArray(it.embedding.map(Float::toDouble)), "metadata" to parse(it.metadata)) }
                ?: JSONObject.NULL
            "vectors.search" -> JSONArray(
                db.vectors().search(str(args, "collection"), floats(args, "query"), long(args, "k"), null).map {
                    jsonOf("id" to it.id, "score" to it.score.toDouble(), "metadata" to parse(it.metadata))
                },
            )
            "vectors.count" -> db.vectors().count(str(args, "collection"))

            "cleanup.run" -> {
                val retention = if (args.isNull("retention")) null else jsonText(args.get("retention"))
                parse(DataCleanupTask(db, retention).run(long(args, "now")))
            }
            else -> fail("unknown op $op: add it to tests/conformance/README.md and every runner")
        }
    }

    // ---- typed input records, built from the case's JSON (omitted fields: the core's serde defaults) ----

    private fun known(o: JSONObject, what: String, vararg fields: String) {
        val unknown = o.keySet() - fields.toSet()
        if (unknown.isNotEmpty()) throw Inexpressible("$what has fields $unknown the typed record cannot carry")
    }

    private fun required(o: JSONObject, what: String, vararg fields: String) {
        val missing = fields.filter { !o.has(it) }
        if (missing.isNotEmpty()) throw Inexpressible("$what omits required fields $missing; the typed record cannot")
    }

    private fun dataPoint(p: JSONObject): DataPoint {
        known(p, "point", "timestamp", "value", "quality", "metadata")
        required(p, "point", "timestamp", "value")
        val value = when (val v = p.get("value")) {
            is Boolean -> MetricValue.Boolean(v)
            is String -> MetricValue.String(v)
            is Int, is Long -> MetricValue.Integer((v as Number).toLong())
            is BigDecimal, is Double, is Float -> MetricValue.Float(v.toDouble())
            is JSONObject -> if (v.has("base64")) MetricValue.Binary(Base64.getDecoder().decode(v.getString("base64"))) else when (val name = v.optString("\$float", "")) {
                "NaN" -> MetricValue.Float(Double.NaN)
                "Infinity" -> MetricValue.Float(Double.POSITIVE_INFINITY)
                "-Infinity" -> MetricValue.Float(Double.NEGATIVE_INFINITY)
                else -> throw Inexpressible("point value $v is not a MetricValue ($name)")
            }
            else -> throw Inexpressible("point value $v (${v.javaClass.simpleName}) is not a MetricValue")
        }
        val quality = opt(p, "quality")?.let { (it as Number).toFloat() }
        val metadata = if (p.has("metadata") && !p.isNull("metadata")) jsonText(p.get("metadata")) else null
        return DataPoint(long(p, "timestamp"), value, quality, metadata)
    }

    private fun newEvent(e: JSONObject, what: String): NewEvent {
        known(e, what, "event_id", "event_type", "event_data", "metadata")
        required(e, what, "event_id", "event_type", "metadata")
        val m = obj(e, "metadata")
        known(m, "$what.metadata", "source", "timestamp", "correlation_id", "causation_id")
        required(m, "$what.metadata", "source", "timestamp")
        val metadata = EventMetadata(str(m, "source"), long(m, "timestamp"), optStr(m, "correlation_id"), optStr(m, "causation_id"))
        val data = if (e.has("event_data")) jsonText(e.get("event_data")) else "null"
        return NewEvent(str(e, "event_id"), str(e, "event_type"), data, metadata)
    }

    private fun deviceState(s: JSONObject): DeviceState {
        known(s, "state", "device_id", "device_type", "name", "online", "last_seen", "config", "adapter")
        required(s, "state", "device_id", "device_type")
        return DeviceState(
            deviceId = str(s, "device_id"),
            deviceType = str(s, "device_type"),
            config = if (s.has("config")) jsonText(s.get("config")) else "null",
            name = optStr(s, "name") ?: "",
            online = if (s.has("online")) s.getBoolean("online") else true,
            lastSeen = optLong(s, "last_seen") ?: 0L,
            adapter = optStr(s, "adapter") ?: "",
        )
    }

    private fun alertRecord(a: JSONObject): AlertRecord {
        known(
            a, "alert", "alert_id", "title", "severity", "message", "source", "created_at", "entity_id", "entity_type",
            "acknowledged", "acknowledged_by", "acknowledged_at", "resolved_at",
        )
        required(a, "alert", "alert_id", "title", "severity", "source", "created_at")
        return AlertRecord(
            alertId = str(a, "alert_id"),
            title = str(a, "title"),
            severity = enumOf<AlertSeverity>(str(a, "severity"), "severity"),
            message = optStr(a, "message") ?: "",
            source = str(a, "source"),
            createdAt = long(a, "created_at"),
            entityId = optStr(a, "entity_id"),
            entityType = optStr(a, "entity_type"),
            acknowledged = if (a.has("acknowledged")) a.getBoolean("acknowledged") else false,
            acknowledgedBy = optStr(a, "acknowledged_by"),
            acknowledgedAt = optLong(a, "acknowledged_at"),
            resolvedAt = optLong(a, "resolved_at"),
        )
    }

    /** A Kotlin enum constant from the core's spelling (`"AutoExecuted"` -> `AUTO_EXECUTED`). */
    private inline fun <reified E : Enum<E>> enumOf(coreSpelling: String, what: String): E {
        val constant = coreSpelling.replace(Regex("(?<=[a-z0-9])(?=[A-Z])"), "_").uppercase()
        return enumValues<E>().firstOrNull { it.name == constant && coreName(it) == coreSpelling }
            ?: throw Inexpressible("$what $coreSpelling is not a ${E::class.simpleName} constant (typed enum)")
    }

    /** The core's spelling of a Kotlin enum constant (`DOT_PRODUCT` -> `"DotProduct"`). */
    private fun coreName(e: Enum<*>): String =
        e.name.split('_').joinToString("") { it.lowercase().replaceFirstChar(Char::uppercase) }

    // ---- results as the core's JSON ----

    private fun metricValue(v: MetricValue): Any = when (v) {
        is MetricValue.Integer -> v.value
        is MetricValue.Float -> v.value
        is MetricValue.Boolean -> v.value
        is MetricValue.String -> v.value
        is MetricValue.Binary -> jsonOf("base64" to Base64.getEncoder().encodeToString(v.value))
    }

    private fun pointJson(p: DataPoint): JSONObject = jsonOf(
        "timestamp" to p.timestamp, "value" to metricValue(p.value), "quality" to p.quality?.toDouble(),
        "metadata" to p.metadata?.let(::parse),
    )

    private fun eventJson(e: EventLogEntry): JSONObject = jsonOf(
        "event_id" to e.eventId,
        "event_type" to e.eventType,
        "event_data" to parse(e.eventData),
        "metadata" to jsonOf(
            "correlation_id" to e.metadata.correlationId, "causation_id" to e.metadata.causationId,
            "source" to e.metadata.source, "timestamp" to e.metadata.timestamp,
        ),
        "sequence" to e.sequence,
    )

    private fun deviceJson(d: DeviceState): JSONObject = jsonOf(
        "device_id" to d.deviceId,
        "device_type" to d.deviceType,
        "name" to d.name,
        "online" to d.online,
        "last_seen" to d.lastSeen,
        "metrics" to JSONObject().also { m ->
            d.metrics.forEach { (k, s) ->
                m.put(
                    k,
                    jsonOf(
                        "value" to metricValue(s.value), "timestamp" to s.timestamp, "quality" to s.quality?.toDouble(),
                        "binary_bytes" to s.binaryBytes,
                    ),
                )
            }
        },
        "config" to parse(d.config),
        "mdl_definition" to d.mdlDefinition?.let { t ->
            jsonOf(
                "type_id" to t.typeId,
                "name" to t.name,
                "metrics" to JSONArray(t.metrics.map { jsonOf("name" to it.name, "data_type" to coreName(it.dataType), "unit" to it.unit) }),
                "commands" to JSONArray(
                    t.commands.map { c ->
                        jsonOf(
                            "name" to c.name,
                            "parameters" to JSONArray(
                                c.parameters.map { jsonOf("name" to it.name, "data_type" to coreName(it.dataType), "required" to it.required) },
                            ),
                        )
                    },
                ),
            )
        },
        "adapter" to d.adapter,
    )

    private fun alertJson(a: AlertRecord): JSONObject = jsonOf(
        "alert_id" to a.alertId, "title" to a.title, "severity" to coreName(a.severity), "message" to a.message,
        "entity_id" to a.entityId, "entity_type" to a.entityType, "created_at" to a.createdAt,
        "acknowledged" to a.acknowledged, "acknowledged_by" to a.acknowledgedBy, "acknowledged_at" to a.acknowledgedAt,
        "resolved_at" to a.resolvedAt, "source" to a.source,
    )

    // ---- JSON helpers ----

    private fun jsonOf(vararg fields: Pair<String, Any?>): JSONObject =
        JSONObject().also { o -> fields.forEach { (k, v) -> o.put(k, v ?: JSONObject.NULL) } }

    private fun parse(text: String): Any = JSONTokener(text).nextValue()

    private fun decisionJson(d: DecisionRecord): Any = parse(decisionRecordToJson(d))

    private fun sessionJson(s: SessionInfo): JSONObject = jsonOf(
        "session_id" to s.sessionId, "title" to s.title, "created_at" to s.createdAt, "updated_at" to s.updatedAt,
        "message_count" to s.messageCount, "last_sequence" to s.lastSequence,
    )

    /** JSON text keeping a number's written form (`1.0` stays a float). */
    private fun jsonText(v: Any?): String = when (v) {
        null, JSONObject.NULL -> "null"
        is JSONObject -> v.keySet().joinToString(",", "{", "}") { JSONObject.quote(it) + ":" + jsonText(v.get(it)) }
        is JSONArray -> (0 until v.length()).joinToString(",", "[", "]") { jsonText(v.get(it)) }
        is String -> JSONObject.quote(v)
        is BigDecimal -> v.toString()
        else -> v.toString()
    }

    private fun text(v: Any): String = jsonText(v)

    private fun JSONArray.objects(): List<JSONObject> = (0 until length()).map { getJSONObject(it) }

    private fun obj(o: JSONObject, name: String): JSONObject =
        o.optJSONObject(name) ?: fail("the case gives no object `$name`")

    private fun arr(o: JSONObject, name: String): JSONArray =
        o.optJSONArray(name) ?: fail("the case gives no array `$name`")

    private fun str(o: JSONObject, name: String): String =
        (o.opt(name) as? String) ?: fail("`$name` is not a string")

    private fun opt(o: JSONObject, name: String): Any? = o.opt(name)?.takeIf { it != JSONObject.NULL }

    private fun optStr(o: JSONObject, name: String): String? = opt(o, name)?.let { it as? String ?: fail("`$name` is not a string") }

    private fun long(o: JSONObject, name: String): Long = when (val v = o.opt(name)) {
        is Int, is Long -> (v as Number).toLong()
        else -> fail("`$name` is not an integer: $v")
    }

    private fun optLong(o: JSONObject, name: String): Long? = opt(o, name)?.let { long(o, name) }

    private fun floats(o: JSONObject, name: String): List<Float> =
        arr(o, name).let { a -> (0 until a.length()).map { (a.get(it) as Number).toFloat() } }

    // ---- matching, by the README's rules ----

    /** Null when [actual] matches [expected]; else where and how they differ. */
    private fun matches(expected: Any?, actual: Any?, at: String): String? {
        val differ = "$at: expected ${jsonText(expected)}, got ${jsonText(actual)}"
        return when {
            expected is JSONObject && expected.length() == 1 && expected.has("\$len") -> {
                val n = expected.getLong("\$len")
                if (actual is JSONArray && actual.length().toLong() == n) null else differ
            }
            expected is JSONObject -> {
                if (actual !is JSONObject) return differ
                expected.keySet().sorted().firstNotNullOfOrNull { key ->
                    matches(expected.get(key), if (actual.has(key)) actual.get(key) else JSONObject.NULL, "$at.$key")
                }
            }
            expected is JSONArray -> {
                if (actual !is JSONArray || actual.length() != expected.length()) return differ
                (0 until expected.length()).firstNotNullOfOrNull { i -> matches(expected.get(i), actual.get(i), "$at[$i]") }
            }
            expected is Number -> if (actual is Number && actual.toDouble() == expected.toDouble()) null else differ
            expected == null || expected == JSONObject.NULL -> if (actual == null || actual == JSONObject.NULL) null else differ
            else -> if (actual !is Number && expected == actual) null else differ
        }
    }

    private fun code(e: StorageException): String = when (e) {
        is StorageException.NotFound -> "NOT_FOUND"
        is StorageException.InvalidInput -> "INVALID_INPUT"
        is StorageException.Conflict -> "CONFLICT"
        is StorageException.Corrupted -> "CORRUPTED"
        is StorageException.VersionMismatch -> "VERSION_MISMATCH"
        is StorageException.Locked -> "LOCKED"
        is StorageException.Io -> "IO"
        is StorageException.Backend -> "BACKEND"
        is StorageException.Closed -> "CLOSED"
        is StorageException.ReadOnly -> "READ_ONLY"
    }
}
