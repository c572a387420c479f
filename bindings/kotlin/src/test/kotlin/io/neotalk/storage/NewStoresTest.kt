package io.neotalk.storage

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The stores added to the bindings for issue #6: history, alerts, decisions, sessions,
 * memory, vectors, and the manager's maintenance calls, cleanup and backup/restore.
 * Records are typed data classes; free-form JSON fields inside them are JSON text.
 */
class NewStoresTest : StorageTestBase() {
    private fun ruleExec(id: String, rule: String, at: Long, result: ExecutionResult = ExecutionResult.Success) = RuleExecutionRecord(
        executionId = id, ruleId = rule, ruleName = "n", triggeredAt = at, triggerValue = 31.5,
        actions = listOf(RuleActionRecord(actionType = "notify", actionData = """{"to":"ops"}""", success = true)),
        result = result, durationMs = 5L,
    )

    private fun alert(id: String, severity: AlertSeverity, at: Long, entity: String = "thermo-1") =
        AlertRecord(alertId = id, title = "too hot", severity = severity, message = "31.5 C", source = "rules", createdAt = at, entityId = entity, entityType = "device")

    @Test
    fun ruleHistory() = onBoth { db ->
        val rules = db.ruleHistory()
        rules.record(ruleExec("x1", "overheat", 1_000))
        rules.recordBatch(listOf(ruleExec("x2", "overheat", 2_000, ExecutionResult.Failed("relay")), ruleExec("x3", "leak", 3_000)))
        assertEquals(ruleExec("x1", "overheat", 1_000), rules.get("x1"))
        assertNull(rules.get("none"))
        assertEquals(listOf("x2", "x1"), rules.queryByRule("overheat", 0L, 10L).map { it.executionId })
        assertEquals(1, rules.queryRuleRange("overheat", 0, 1_500, null).size)
        assertEquals(3, rules.queryRange(0, 10_000, null).size)
        assertEquals(ExecutionResult.Failed("relay"), rules.queryFailed(0, 10_000, null).single().result)
        val stats = rules.ruleStatistics("overheat", 0, 10_000)
        assertEquals(2L, stats.triggers)
        assertEquals(1L, stats.failed)
        assertEquals(2, rules.statistics(0, 10_000).size)
        assertFailsWith<StorageException.Conflict> { rules.record(ruleExec("x1", "overheat", 1_000)) }
        assertFailsWith<StorageException.InvalidInput> { rules.record(ruleExec("x9", "", 1)) }
        assertFailsWith<StorageException.InvalidInput> {
            rules.record(ruleExec("x9", "r", 1).copy(actions = listOf(RuleActionRecord(actionType = "a", actionData = "{not json", success = true))))
        }
        assertFailsWith<StorageException.InvalidInput> { ruleExecutionRecordFromJson("{not json") }
        assertEquals(2L, rules.cleanup(2_500))
    }

    @Test
    fun workflowHistory() = onBoth { db ->
        val wf = db.workflowHistory()
        val run = WorkflowExecutionRecord(
            executionId = "w1", workflowId = "cool", workflowName = "cool down", triggerType = "event",
            startedAt = 1_000, status = ExecutionStatus.RUNNING, inputs = "{}",
        )
        wf.start(run)
        assertEquals(run, wf.get("w1"))
        assertEquals(1, wf.running().size)
        assertEquals("renamed", wf.update(wf.get("w1")!!.copy(workflowName = "renamed")).workflowName)
        val step = StepExecutionRecord(stepId = "s1", stepName = "fan", stepType = "command", startedAt = 1_100, status = ExecutionStatus.RUNNING)
        assertEquals(listOf(step), wf.recordStep("w1", step).steps)
        val done = wf.finish("w1", ExecutionStatus.COMPLETED, 1_500, """{"ok":true}""", null)
        assertEquals(ExecutionStatus.COMPLETED, done.status)
        assertEquals("""{"ok":true}""", done.outputs)
        assertEquals(0, wf.running().size)
        assertEquals(1, wf.queryByStatus(ExecutionStatus.COMPLETED, 0, 10_000, null).size)
        assertEquals(1, wf.queryByWorkflow("cool", 0L, 10L).size)
        assertEquals(1, wf.queryRange(0, 10_000, 5L).size)
        assertFailsWith<StorageException.Conflict> { wf.update(wf.get("w1")!!) } // a finished run is final
        assertFailsWith<StorageException.InvalidInput> { wf.finish("w1", ExecutionStatus.RUNNING, 2_000, null, null) }
        assertFailsWith<StorageException.NotFound> { wf.finish("ghost", ExecutionStatus.FAILED, 2_000, null, "x") }
        assertFailsWith<StorageException.Conflict> { wf.start(run) }
        assertEquals(1L, wf.cleanup(2_000))
    }

    @Test
    fun alerts() = onBoth { db ->
        val alerts = db.alerts()
        alerts.create(alert("a1", AlertSeverity.WARNING, 1_000))
        alerts.create(alert("a2", AlertSeverity.CRITICAL, 2_000, "pump-1"))
        assertEquals(AlertSeverity.WARNING, alerts.get("a1")!!.severity)
        assertEquals(listOf("a2"), alerts.queryBySeverity(AlertSeverity.CRITICAL, 0, 10_000, null).map { it.alertId })
        assertEquals(listOf("a2"), alerts.queryByEntity("pump-1", 0, 10_000, null).map { it.alertId })
        assertEquals(2, alerts.queryBySource("rules", 0, 10_000, null).size)
        assertEquals("op", alerts.acknowledge("a1", "op", 1_500).acknowledgedBy)
        assertEquals(2_500L, alerts.resolve("a2", 2_500).resolvedAt)
        assertEquals(listOf("a2"), alerts.unacknowledged(null).map { it.alertId })
        assertEquals(listOf("a1"), alerts.unresolved(null).map { it.alertId })
        assertEquals(SeverityCounts(0L, 1L, 0L, 1L), alerts.countBySeverity())
        assertEquals(SeverityCounts(0L, 1L, 0L, 0L), alerts.countUnresolvedBySeverity())
        assertEquals(2, alerts.queryRange(0, 10_000, null).size)
        assertFailsWith<StorageException.Conflict> { alerts.create(alert("a1", AlertSeverity.INFO, 1)) }
        assertFailsWith<StorageException.NotFound> { alerts.resolve("ghost", 1) }
        assertFailsWith<StorageException.InvalidInput> { alerts.create(alert("", AlertSeverity.INFO, 1)) }
        assertEquals(1L, alerts.cleanup(1_500))
    }

    @Test
    fun decisions() = onBoth { db ->
        val decisions = db.decisions()
        fun decision(id: String, at: Long) = DecisionRecord(
            decisionId = id, title = "t", description = "d", reasoning = "r", confidence = 0.8, createdAt = at,
            status = DecisionStatus.PROPOSED,
            proposedActions = listOf(ProposedAction(actionType = "set", parameters = """{"rpm":100}""")),
        )
        decisions.create(decision("d1", 1_000))
        decisions.create(decision("d2", 2_000))
        decisions.create(decision("d3", 3_000))
        assertEquals(decision("d1", 1_000), decisions.get("d1"))
        assertEquals(0.8, decisions.get("d1")!!.confidence)
        val response = UserResponse(userId = "u1", response = "yes", respondedAt = 1_100)
        assertEquals(DecisionStatus.APPROVED, decisions.approve("d1", response).status)
        val partial = ExecutionResult.PartialSuccess(failedActions = listOf("set"))
        assertEquals(partial, decisions.recordExecutionResult("d1", partial).executionResult)
        assertEquals(response, decisions.get("d1")!!.userResponse)
        assertEquals(DecisionStatus.REJECTED, decisions.reject("d2", response).status)
        assertEquals(DecisionStatus.AUTO_EXECUTED, decisions.transition("d3", DecisionStatus.AUTO_EXECUTED).status)
        assertEquals(listOf("d2"), decisions.queryByStatus(DecisionStatus.REJECTED, 0, 10_000, null).map { it.decisionId })
        assertEquals(3, decisions.queryRange(0, 10_000, null).size)
        decisions.create(decision("d4", 4_000))
        assertEquals(1L, decisions.expireProposals(100_000, 10_000))
        assertFailsWith<StorageException.Conflict> { decisions.transition("d2", DecisionStatus.APPROVED) }
        assertFailsWith<StorageException.InvalidInput> { decisions.create(decision("d5", 1).copy(confidence = 1.5)) }
        assertFailsWith<StorageException.InvalidInput> {
            decisions.create(decision("d5", 1).copy(proposedActions = listOf(ProposedAction(actionType = "set", parameters = "{rpm"))))
        }
        assertEquals(2L, decisions.cleanup(2_500))
    }

    @Test
    fun recordsFromAndToTheCoreJson() {
        // The core's JSON form (the C API's, and what an LLM writes): defaults fill omitted fields.
        val d = decisionRecordFromJson("""{"decision_id":"j1","title":"t","confidence":0.5,"created_at":1}""")
        assertEquals(DecisionStatus.PROPOSED, d.status)
        assertEquals(emptyList(), d.proposedActions)
        assertEquals(d, decisionRecordFromJson(decisionRecordToJson(d)))
        assertEquals("\"Success\"", executionResultToJson(ExecutionResult.Success))
        assertEquals(ExecutionResult.Failed("boom"), executionResultFromJson("""{"Failed":{"error":"boom"}}"""))
        assertFailsWith<StorageException.InvalidInput> { userResponseFromJson("""{"user_id":"u"}""") }
        assertFailsWith<StorageException.InvalidInput> { decisionRecordFromJson("""{"decision_id":"j1","title":"t","confidence":0.5,"created_at":1,"colour":1}""") }
    }

    @Test
    fun sessions() = onBoth { db ->
        val sessions = db.sessions()
        assertEquals(0L, sessions.createSession("s1", "kitchen", 1_000).messageCount)
        val first = SessionMessage(role = "user", content = "fan on", timestamp = 2_000)
        assertEquals(1L, sessions.appendMessage("s1", first))
        assertEquals(listOf(2L, 3L), sessions.appendMessages("s1", listOf(
            SessionMessage(role = "assistant", content = "", timestamp = 2_100, toolCalls = listOf("""{"id":"c1"}""")),
            SessionMessage(role = "tool", content = "on", timestamp = 2_200, toolCallId = "c1"))))
        val loaded = sessions.loadMessages("s1")
        assertEquals(SequencedMessage(1L, first), loaded[0])
        assertEquals(listOf("""{"id":"c1"}"""), loaded[1].message.toolCalls)
        assertEquals(1, sessions.lastMessages("s1", 1L).size)
        assertEquals(2, sessions.messagesRange("s1", 1L, 3L).size)
        assertEquals(3, sessions.contextWindow("s1", 1_000L).size)
        assertEquals(3L, sessions.getSession("s1")!!.messageCount)
        assertEquals(1, sessions.listSessions(null).size)
        assertEquals("fan turned on", sessions.setSummary("s1", "fan turned on", 3_000).summary)
        assertEquals(3_000L, sessions.getSummary("s1")!!.updatedAt)
        assertEquals(1, sessions.recentSummaries(5L).size)
        assertFailsWith<StorageException.NotFound> { sessions.appendMessage("ghost", first) }
        assertFailsWith<StorageException.InvalidInput> { sessions.appendMessage("s1", first.copy(role = "robot")) }
        assertFailsWith<StorageException.InvalidInput> { sessionMessageFromJson("""{"role":"user"}""") }
        assertTrue(sessions.deleteSession("s1"))
        assertFalse(sessions.deleteSession("s1"))
        sessions.createSession("s2", "old", 1)
        assertEquals(1L, sessions.cleanup(1_000))
    }

    @Test
    fun memory() = onBoth { db ->
        val mem = db.memory()
        fun entry(id: String, type: MemoryType, content: String, embedding: List<Float>?) = MemoryEntry(
            memoryId = id, memoryType = type, content = content, embedding = embedding, metadata = MemoryMetadata(), createdAt = 1,
        )
        mem.add(entry("m1", MemoryType.DEVICE_KNOWLEDGE, "kitchen thermostat runs hot", listOf(1f, 0f)))
        mem.addMany(listOf(entry("m2", MemoryType.USER_PREFERENCE, "likes the kitchen cool", listOf(0f, 1f))))
        assertEquals(2L, mem.count())
        assertEquals(1L, mem.get("m1", 9_000)!!.accessCount)
        assertEquals(9_000L, mem.peek("m1")!!.lastAccessed)
        assertEquals(0.5, mem.peek("m1")!!.metadata.importance)
        assertEquals(1, mem.byType(MemoryType.USER_PREFERENCE, 10L).size)
        assertEquals(2, mem.byImportance(5L).size)
        assertEquals(2, mem.searchKeywords("kitchen", 10L).size)
        assertEquals("m2", mem.searchSemantic(packFloats(0.1f, 0.9f), 1L).single().entry.memoryId)
        assertEquals("m1", mem.searchHybrid("thermostat", packFloats(1f, 0f), 1L).single().entry.memoryId)
        mem.update(entry("m2", MemoryType.USER_PREFERENCE, "likes 22 degrees", listOf(0f, 1f)))
        assertEquals("likes 22 degrees", mem.peek("m2")!!.content)
        assertFailsWith<StorageException.InvalidInput> { mem.searchSemantic(ByteArray(3), 1L) }
        assertFailsWith<StorageException.InvalidInput> { memoryEntryFromJson("""{"memory_id":"m3","memory_type":"Gossip","content":"x","created_at":1}""") }
        assertFailsWith<StorageException.InvalidInput> { mem.add(entry("m3", MemoryType.OTHER, "x", listOf(Float.NaN, 1f))) }
        assertFailsWith<StorageException.InvalidInput> { mem.searchSemantic(packFloats(Float.NaN, 1f), 1L) }
        assertEquals(0L, mem.purgeExpired(10_000))
        assertTrue(mem.delete("m2"))
    }

    @Test
    fun vectors() = onBoth { db ->
        val vs = db.vectors()
        assertEquals(CollectionInfo("docs", 3L, DistanceMetric.COSINE), vs.createCollection("docs", 3L, DistanceMetric.COSINE))
        vs.upsert("docs", "a", listOf(1f, 0f, 0f), """{"room":"kitchen"}""")
        vs.upsertPacked("docs", listOf("b", "c"), packFloats(0f, 1f, 0f, 0.9f, 0.1f, 0f), listOf("""{"room":"garage"}""", """{"room":"garage"}"""))
        assertEquals(3L, vs.count("docs"))
        assertEquals(listOf(0f, 1f, 0f), vs.get("docs", "b")!!.embedding)
        assertEquals(listOf("a", "c"), vs.search("docs", listOf(1f, 0f, 0f), 2L, null).map { it.id })
        assertEquals(listOf("c", "b"), vs.searchPacked("docs", packFloats(1f, 0f, 0f), 2L, VectorFilter("room", "\"garage\"")).map { it.id })
        assertEquals(listOf("docs"), vs.listCollections().map { it.name })
        assertEquals(DistanceMetric.COSINE, vs.collection("docs")!!.metric)
        assertFailsWith<StorageException.InvalidInput> { vs.upsert("docs", "x", listOf(1f, 0f), "null") }
        assertFailsWith<StorageException.InvalidInput> { vs.upsert("docs", "x", listOf(Float.NaN, 0f, 0f), "null") }
        assertFailsWith<StorageException.InvalidInput> { vs.upsertPacked("docs", listOf("x", "y"), packFloats(1f, 0f, 0f, 1f), null) }
        assertFailsWith<StorageException.InvalidInput> { vs.searchPacked("docs", ByteArray(5), 1L, null) }
        assertEquals(3L, vs.count("docs"))
        assertTrue(vs.delete("docs", "a"))
        vs.dropCollection("docs")
        assertFailsWith<StorageException.NotFound> { vs.count("docs") }
    }

    @Test
    fun openReadOnlyReadsAndRefusesWrites() {
        val dir = tempDir().toString()
        StorageManager.open(dir).use { it.alerts().create(alert("a1", AlertSeverity.ERROR, 1_000)) }
        StorageManager.openReadOnly(dir).use { db ->
            assertEquals(listOf("a1"), db.alerts().queryRange(0, 10_000, null).map { it.alertId })
            assertFailsWith<StorageException.ReadOnly> { db.alerts().create(alert("a2", AlertSeverity.ERROR, 2_000)) }
            val report = db.integrityReport()
            assertTrue(report.ok && !report.engineChecked)
        }
        assertFailsWith<StorageException.InvalidInput> { StorageManager.openReadOnly("$dir/missing") }
    }

    @Test
    fun salvageCopiesADatabaseAndRefusesBadDirectories() {
        val dir = tempDir().toString()
        val saved = "${tempDir()}/saved"
        StorageManager.open(dir).use { db ->
            db.alerts().create(alert("a1", AlertSeverity.ERROR, 1_000))
            assertFailsWith<StorageException.Locked> { salvage(dir, saved) }
        }
        val report = salvage(dir, saved)
        assertTrue(report.damagedCount == 0L && report.damaged.isEmpty() && !report.readFromCopy)
        assertTrue(report.entriesCopied > 0L)
        StorageManager.open(saved).use { db ->
            assertEquals(listOf("a1"), db.alerts().queryRange(0, 10_000, null).map { it.alertId })
        }
        val again = assertFailsWith<StorageException.InvalidInput> { salvage(dir, saved) }
        assertTrue(again.message!!.contains("already holds a database"), again.message)
    }

    @Test
    fun snapshotsStatsCompactIntegrity() = onBoth { db ->
        db.alerts().create(alert("a1", AlertSeverity.ERROR, 1_000))
        val snapshot = db.exportSnapshot()
        db.alerts().create(alert("a2", AlertSeverity.ERROR, 2_000))
        val damaged = snapshot.copyOf().also { it[it.size / 2] = (it[it.size / 2].toInt() xor 0xff).toByte() }
        assertFailsWith<StorageException> { db.importSnapshot(damaged) }
        assertEquals(2, db.alerts().queryRange(0, 10_000, null).size)
        assertTrue(db.importSnapshot(snapshot).isNotEmpty())
        assertEquals(listOf("a1"), db.alerts().queryRange(0, 10_000, null).map { it.alertId })
        assertTrue(db.stats().startsWith("{"))
        assertTrue(db.checkIntegrity())
        val integrity = db.integrityReport()
        assertTrue(integrity.ok && integrity.damaged.isEmpty() && integrity.engineProblem == null)
        assertTrue(integrity.entriesChecked > 0L)
        val report = db.compact()
        assertTrue(report.afterBytes <= report.beforeBytes || db.backendKind() == "memory")
        val day = 86_400_000L
        val task = DataCleanupTask(db, """{"alerts":{"keep":"36h"},"sessions":{"days":1}}""")
        assertTrue(task.config().contains("\"keep\":\"36h\""))
        assertTrue(task.run(10 * day).contains("\"alerts\":1"))
        assertFailsWith<StorageException.InvalidInput> { DataCleanupTask(db, """{"alarms":{}}""") }
    }

    @Test
    fun backupAndRestore() {
        StorageManager.open(tempDir().toString()).use { db ->
            db.alerts().create(alert("a1", AlertSeverity.ERROR, 1_000))
            val backups = BackupManager(db, null)
            val info = backups.backup("""{"type":"full"}""")
            val id = Regex("\"id\":\"([^\"]+)\"").find(info)!!.groupValues[1]
            db.alerts().create(alert("a2", AlertSeverity.ERROR, 2_000))
            val restore = RestoreManager(db, backups.dir())
            assertEquals(1, restore.listBackups().size)
            assertTrue(restore.newest()!!.contains(id))
            assertTrue(restore.verify(id).contains("\"ok\":true"))
            assertTrue(restore.restore(id).contains(id))
            assertEquals(listOf("a1"), db.alerts().queryRange(0, 10_000, null).map { it.alertId })
            assertTrue(backups.config().contains("\"retain_count\":7"))
            assertEquals(1, backups.runEnabled().size)
            assertEquals(0, backups.prune().size)
            for (hostile in listOf("../x", "/etc/passwd", "a/b", "..", "")) {
                assertFailsWith<StorageException.InvalidInput> { restore.verify(hostile) }
                assertFailsWith<StorageException.InvalidInput> { restore.restore(hostile) }
            }
            assertFailsWith<StorageException.NotFound> { restore.verify("20260101T000000000Z-full") }
            assertFailsWith<StorageException.InvalidInput> { backups.backup("""{"type":"differential"}""") }
            assertFailsWith<StorageException.InvalidInput> { BackupManager(db, """{"retain_count":0}""") }
        }
    }

    @Test
    fun newStoresAfterClose() {
        val db = StorageManager.inMemory()
        db.closeStorage()
        assertFailsWith<StorageException.Closed> { db.ruleHistory().queryRange(0, 1, null) }
        assertFailsWith<StorageException.Closed> { db.workflowHistory().running() }
        assertFailsWith<StorageException.Closed> { db.alerts().countBySeverity() }
        assertFailsWith<StorageException.Closed> { db.decisions().queryRange(0, 1, null) }
        assertFailsWith<StorageException.Closed> { db.sessions().listSessions(null) }
        assertFailsWith<StorageException.Closed> { db.memory().count() }
        assertFailsWith<StorageException.Closed> { db.vectors().listCollections() }
        assertFailsWith<StorageException.Closed> { db.exportSnapshot() }
        db.close()
    }
}
