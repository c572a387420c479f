package io.neotalk.storage

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.charset.CharacterCodingException
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * Hostile input through the Kotlin binding (issue #9): empty, huge and invalid strings, NaN,
 * wrong vector dimensions, wrong enum names, deeply nested and huge JSON, truncated and
 * forged snapshots, backup ids that try to leave the backup directory, and calls on a closed
 * manager. Each is a typed exception with a message naming the problem; the JVM carries on,
 * and every store reads back exactly as before the hostile calls.
 */
class HostileInputTest : StorageTestBase() {
    private fun alert(id: String, at: Long) =
        AlertRecord(alertId = id, title = "hot", severity = AlertSeverity.WARNING, message = "m", source = "rules", createdAt = at)

    private fun decision(id: String, status: String = "Proposed") =
        """{"decision_id":"$id","title":"t","description":"d","reasoning":"r","proposed_actions":[],"confidence":0.5,""" +
            """"created_at":100,"status":"$status","user_response":null,"execution_result":null,"review_id":null}"""

    private fun memoryEntry(id: String, type: String = "DeviceKnowledge", content: String = "pump runs hot") =
        """{"memory_id":"$id","memory_type":"$type","content":"$content","embedding":null,""" +
            """"metadata":{"keywords":[],"importance":0.5,"entities":[],"expires_at":null},"created_at":1,"last_accessed":null,"access_count":0}"""

    private fun workflow(id: String, status: String = "Running") =
        """{"execution_id":"$id","workflow_id":"wf","workflow_name":"n","trigger_type":"manual","trigger_data":null,""" +
            """"started_at":100,"finished_at":null,"status":"$status","steps":[],"inputs":null,"outputs":null,"error":null}"""

    /** One record in every store the hostile calls aim at. */
    private fun seed(db: StorageManager) {
        db.timeseries().write("d1", "temp", DataPoint(1_000L, MetricValue.Float(21.5)))
        db.timeseries().flush()
        db.devices().upsert(DeviceState(deviceId = "dev", deviceType = "pump", config = """{"a":1}"""))
        db.events().append(NewEvent("e1", "t", """{"x":1}""", EventMetadata("s", 1_000L)))
        db.alerts().create(alert("a1", 1_000))
        db.decisions().create(decisionRecordFromJson(decision("dec1")))
        db.memory().add(memoryEntryFromJson(memoryEntry("m1")))
        db.workflowHistory().start(workflowExecutionRecordFromJson(workflow("w1")))
        db.sessions().createSession("s1", "title", 1_000)
        db.sessions().appendMessage("s1", SessionMessage(role = "user", content = "hi", timestamp = 1_000))
        db.vectors().createCollection("c", 3L, DistanceMetric.EUCLIDEAN)
        db.vectors().upsert("c", "v1", listOf(1f, 2f, 3f), """{"k":"v"}""")
    }

    /** Everything [seed] stored, read back through the binding, as one comparable value. */
    private fun contents(db: StorageManager): List<Any?> = listOf(
        db.timeseries().queryRange("d1", "temp", 0, 10_000),
        db.timeseries().listDevicesWithData(),
        db.devices().listDevices(),
        db.events().queryRange(0, Long.MAX_VALUE, null),
        db.events().lastSequence(),
        db.alerts().queryRange(0, Long.MAX_VALUE, null),
        db.decisions().queryRange(0, Long.MAX_VALUE, null),
        db.memory().peek("m1"),
        db.memory().count(),
        db.workflowHistory().queryRange(0, Long.MAX_VALUE, null),
        db.sessions().loadMessages("s1"),
        db.sessions().listSessions(null).size,
        db.vectors().listCollections(),
        db.vectors().get("c", "v1"),
        db.vectors().count("c"),
    )

    /** Runs [hostile] on a seeded database and checks the data is unchanged afterwards. */
    private fun unchangedAfter(hostile: (StorageManager) -> Unit) = onBoth { db ->
        seed(db)
        val before = contents(db)
        hostile(db)
        assertEquals(before, contents(db), "stored data changed after hostile input")
        assertTrue(db.checkIntegrity())
    }

    /** `block` throws [T] whose message contains every one of [words]. */
    private inline fun <reified T : Throwable> refused(vararg words: String, noinline block: () -> Unit) {
        val e = assertFailsWith<T>(block = block)
        val message = e.message ?: ""
        for (w in words) assertTrue(message.contains(w), "message '$message' does not mention '$w'")
    }

    @Test
    fun emptyHugeAndInvalidStrings() = unchangedAfter { db ->
        val ts = db.timeseries()
        refused<StorageException.InvalidInput>("device_id") { ts.write("", "temp", DataPoint(2_000L, MetricValue.Float(1.0))) }
        refused<StorageException.InvalidInput>("metric") { ts.queryRange("d1", "", 0, 10) }
        refused<StorageException.InvalidInput>("257 bytes") { ts.write("x".repeat(257), "temp", DataPoint(2_000L, MetricValue.Float(1.0))) }
        refused<StorageException.InvalidInput>("alert_id") { db.alerts().create(alert("", 2_000)) }
        refused<StorageException.InvalidInput>("event_id") { db.events().append(NewEvent("", "t", "1", EventMetadata("s", 2_000L))) }
        refused<StorageException.InvalidInput>("session_id") { db.sessions().createSession("", "t", 1) }
        refused<StorageException.InvalidInput>("collection") { db.vectors().upsert("", "v", listOf(1f, 2f, 3f), "null") }
        // A 10 MB id and a 2 MB string value: refused by size, nothing allocated beyond the input.
        refused<StorageException.InvalidInput>("device_id") { ts.write("d".repeat(10_000_000), "temp", DataPoint(2_000L, MetricValue.Float(1.0))) }
        refused<StorageException.InvalidInput>("value") { ts.write("d1", "temp", DataPoint(2_000L, MetricValue.String("s".repeat(2_000_000)))) }
        // A lone UTF-16 surrogate cannot be encoded as UTF-8: the generated code refuses it
        // before the call (java.nio.charset.MalformedInputException).
        assertFailsWith<CharacterCodingException> { db.alerts().get("bad\uD800") }
        assertFailsWith<CharacterCodingException> { ts.write("d\uDC00", "temp", DataPoint(2_000L, MetricValue.Float(1.0))) }
    }

    @Test
    fun notANumberAndInfinity() = unchangedAfter { db ->
        val ts = db.timeseries()
        refused<StorageException.InvalidInput>("not a finite number") { ts.write("d1", "temp", DataPoint(2_000L, MetricValue.Float(Double.NaN))) }
        refused<StorageException.InvalidInput>("value") { ts.writeSeries("d1", "temp", listOf(DataPoint(2_000L, MetricValue.Float(Double.POSITIVE_INFINITY)))) }
        refused<StorageException.InvalidInput>("quality") { ts.write("d1", "temp", DataPoint(2_000L, MetricValue.Float(1.0), Float.NaN)) }
        val nanPacked = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(Double.NaN).array()
        val oneTs = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(2_000L).array()
        refused<StorageException.InvalidInput>("value") { ts.writePacked("d1", "temp", oneTs, nanPacked) }
        refused<StorageException.InvalidInput>("embedding") { db.vectors().upsert("c", "v2", listOf(Float.NaN, 0f, 0f), "null") }
        refused<StorageException.InvalidInput>() { db.vectors().search("c", listOf(1f, Float.POSITIVE_INFINITY, 0f), 1L, null) }
        refused<StorageException.InvalidInput>() { db.memory().searchSemantic(packFloats(Float.NaN, 1f), 1L) }
        // JSON has no NaN: a record carrying one is malformed text.
        refused<StorageException.InvalidInput>("expected value") { decisionRecordFromJson(decision("dec2").replace("0.5", "NaN")) }
        val nanConfidence = decisionRecordFromJson(decision("dec2")).copy(confidence = Double.NaN)
        refused<StorageException.InvalidInput>("confidence") { db.decisions().create(nanConfidence) }
    }

    @Test
    fun negativeCountsAreRefused() = unchangedAfter { db ->
        refused<StorageException.InvalidInput>("limit: -1 is negative") { db.events().replay(0L, -1L) }
        refused<StorageException.InvalidInput>("after_sequence: -5 is negative") { db.events().replay(-5L, null) }
        refused<StorageException.InvalidInput>("k: -1 is negative") { db.vectors().search("c", listOf(1f, 0f, 0f), -1L, null) }
        refused<StorageException.InvalidInput>("dimension: -3 is negative") { db.vectors().createCollection("neg", -3L, DistanceMetric.COSINE) }
        refused<StorageException.InvalidInput>("oversampling") {
            db.vectors().createCollectionWith("neg", 3L, DistanceMetric.COSINE, Quantization.Int8(-1L))
        }
    }

    @Test
    fun wrongVectorDimensions() = unchangedAfter { db ->
        val vs = db.vectors()
        refused<StorageException.InvalidInput>("dimension") { vs.upsert("c", "v2", listOf(1f, 2f), "null") }
        refused<StorageException.InvalidInput>("dimension") { vs.upsert("c", "v1", listOf(1f, 2f, 3f, 4f), "null") }
        refused<StorageException.InvalidInput>() { vs.upsert("c", "v2", emptyList(), "null") }
        refused<StorageException.InvalidInput>("dimension") { vs.search("c", listOf(1f), 1L, null) }
        refused<StorageException.InvalidInput>() { vs.searchPacked("c", ByteArray(5), 1L, null) }
        refused<StorageException.InvalidInput>() { vs.upsertPacked("c", listOf("x", "y"), packFloats(1f, 2f, 3f, 4f), null) }
        refused<StorageException.InvalidInput>() { vs.createCollection("zero", 0L, DistanceMetric.COSINE) }
        refused<StorageException.NotFound>("ghost") { vs.upsert("ghost", "v", listOf(1f, 2f, 3f), "null") }
    }

    @Test
    fun wrongEnumNames() = unchangedAfter { db ->
        refused<StorageException.InvalidInput>("Pending") { decisionRecordFromJson(decision("dec2", "Pending")) }
        refused<StorageException.InvalidInput>("Gossip") { memoryEntryFromJson(memoryEntry("m2", "Gossip")) }
        refused<StorageException.InvalidInput>("Paused") { workflowExecutionRecordFromJson(workflow("w2", "Paused")) }
        refused<StorageException.InvalidInput>("Maybe") {
            ruleExecutionRecordFromJson(
                """{"execution_id":"x","rule_id":"r","rule_name":"n","triggered_at":1,"trigger_value":null,""" +
                    """"condition_met":true,"actions":[],"result":"Maybe","duration_ms":0}""",
            )
        }
        val backupDir = tempDir().toString()
        refused<StorageException.InvalidInput>("differential") { BackupManager(db, """{"backup_dir":"$backupDir"}""").backup("""{"type":"differential"}""") }
    }

    @Test
    fun deeplyNestedAndHugeJson() = unchangedAfter { db ->
        val deep = "[".repeat(100_000) + "]".repeat(100_000)
        refused<StorageException.InvalidInput>("event_data") { db.events().append(NewEvent("e2", "t", deep, EventMetadata("s", 2_000L))) }
        refused<StorageException.InvalidInput>("config") { db.devices().upsert(DeviceState(deviceId = "dev2", deviceType = "t", config = deep)) }
        refused<StorageException.InvalidInput>() { decisionRecordFromJson(deep) }
        refused<StorageException.InvalidInput>() { db.vectors().upsert("c", "v2", listOf(1f, 2f, 3f), deep) }
        // Nesting just past the limit, in an otherwise valid record.
        val nested65 = "{\"a\":".repeat(65) + "1" + "}".repeat(65)
        refused<StorageException.InvalidInput>("64 levels") { db.events().append(NewEvent("e2", "t", nested65, EventMetadata("s", 2_000L))) }
        // 1.2 MB of JSON (over the 1 MiB record limit), valid in itself.
        val huge = "[" + List(600_000) { "1" }.joinToString(",") + "]"
        refused<StorageException.InvalidInput>("bytes") { db.events().append(NewEvent("e2", "t", huge, EventMetadata("s", 2_000L))) }
        refused<StorageException.InvalidInput>() { db.workflowHistory().finish("w1", ExecutionStatus.COMPLETED, 2_000, huge, null) }
        refused<StorageException.InvalidInput>("malformed JSON") { db.events().append(NewEvent("e2", "t", "{\"a\":", EventMetadata("s", 2_000L))) }
        refused<StorageException.InvalidInput>() { sessionMessageFromJson("") }
    }

    @Test
    fun truncatedAndForgedSnapshots() = unchangedAfter { db ->
        val good = db.exportSnapshot()
        val cuts = listOf(0, 1, 8, 12, 16, 17, 40, good.size / 2, good.size - 9, good.size - 1)
        for (n in cuts) {
            assertFailsWith<StorageException.Corrupted>("cut at $n") { db.importSnapshot(good.copyOf(n)) }
        }
        // Every single-byte change is detected (checksums over the header, manifest and body).
        for (i in listOf(16, 20, good.size / 3, good.size / 2, good.size - 20, good.size - 1)) {
            val forged = good.copyOf().also { it[i] = (it[i].toInt() xor 0x5a).toByte() }
            assertFailsWith<StorageException.Corrupted>("byte $i changed") { db.importSnapshot(forged) }
        }
        refused<StorageException.Corrupted>("magic") { db.importSnapshot("NOTASNAP".toByteArray() + good.copyOfRange(8, good.size)) }
        val otherVersion = good.copyOf().also { it[8] = 99 }
        refused<StorageException.VersionMismatch>("99") { db.importSnapshot(otherVersion) }
        refused<StorageException.Corrupted>() { db.importSnapshot(good + ByteArray(100)) }
        refused<StorageException.Corrupted>() { db.importSnapshot(ByteArray(1_000_000) { (it * 31).toByte() }) }
        // A header that claims a 4 GiB manifest is refused without reading or allocating it.
        val claim = good.copyOf(64).also { ByteBuffer.wrap(it).order(ByteOrder.LITTLE_ENDIAN).putInt(12, -1) }
        refused<StorageException.Corrupted>() { db.importSnapshot(claim) }
    }

    @Test
    fun backupIdsThatLeaveTheDirectory() {
        val dir = tempDir()
        StorageManager.open(dir.resolve("data").toString()).use { db ->
            seed(db)
            val backups = BackupManager(db, null)
            backups.backup("""{"type":"full"}""")
            val before = contents(db)
            val restore = RestoreManager(db, backups.dir())
            val outside = dir.resolve("outside.snap").toFile().also { it.writeBytes(db.exportSnapshot()) }
            val hostile = listOf(
                "..", "../outside", "../../outside.snap", "/etc/passwd", outside.absolutePath, "a/../b", "..\\x",
                "x/", "./x", "", " ", "x".repeat(10_000), "id\u0000.snap",
            )
            for (id in hostile) {
                refused<StorageException.InvalidInput>() { restore.verify(id) }
                refused<StorageException.InvalidInput>() { restore.restore(id) }
            }
            assertEquals(before, contents(db))
            assertTrue(outside.exists())
            assertEquals(1, restore.listBackups().size)
        }
    }

    @Test
    fun callsOnAClosedManager() {
        val dir = tempDir().toString()
        StorageManager.open(dir).use { db ->
            seed(db)
            val ts = db.timeseries() // a store taken before the close fails too
            val snapshot = db.exportSnapshot()
            val backups = BackupManager(db, null)
            db.closeStorage()
            val calls: List<() -> Unit> = listOf(
                { ts.write("d1", "temp", DataPoint(3_000L, MetricValue.Float(1.0))) },
                { db.timeseries().queryRange("d1", "temp", 0, 10) },
                { db.devices().upsert(DeviceState(deviceId = "x", deviceType = "t", config = "{}")) },
                { db.events().append(NewEvent("e9", "t", "1", EventMetadata("s", 1L))) },
                { db.alerts().create(alert("a9", 1)) },
                { db.decisions().create(decisionRecordFromJson(decision("dec9"))) },
                { db.memory().add(memoryEntryFromJson(memoryEntry("m9"))) },
                { db.workflowHistory().start(workflowExecutionRecordFromJson(workflow("w9"))) },
                { db.sessions().appendMessage("s1", SessionMessage(role = "user", content = "x", timestamp = 1)) },
                { db.vectors().upsert("c", "v9", listOf(1f, 2f, 3f), "null") },
                { db.exportSnapshot() },
                { db.importSnapshot(snapshot) },
                { db.stats() },
                { db.compact() },
                { db.flush() },
                { backups.backup("""{"type":"full"}""") },
            )
            for ((i, call) in calls.withIndex()) {
                val e = runCatching { call() }.exceptionOrNull()
                assertTrue(e is StorageException.Closed && e.message!!.contains("closed"), "call $i: $e")
            }
            // The cleanup task reports per store instead of throwing: every store failed as closed.
            val report = runCatching { DataCleanupTask(db, null).run(1) }
            assertTrue(report.exceptionOrNull() is StorageException.Closed || report.getOrThrow().contains("storage is closed"), "$report")
            assertTrue(report.isFailure || !report.getOrThrow().contains("\"removed\":{\""), "$report")
            db.closeStorage() // closing twice is harmless
        }
        // Nothing written after the close: the data reopens as it was.
        StorageManager.open(dir).use { db ->
            assertEquals(null, db.alerts().get("a9"))
            assertEquals(1L, db.events().lastSequence())
            assertEquals(1, db.timeseries().queryRange("d1", "temp", 0, 10_000).size)
            assertEquals(1L, db.vectors().count("c"))
        }
    }
}
