package io.neotalk.storage

import kotlin.concurrent.thread
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Replicator from Kotlin: Parquet files receive every point once; bad input is refused. */
class ReplicationTest : StorageTestBase() {
    private fun write(db: StorageManager, from: Long, n: Long) {
        for (i in from until from + n) db.timeseries().write("pump-1", "power", DataPoint(i * 1_000, MetricValue.Float(i / 4.0)))
        db.timeseries().flush()
    }

    @Test
    fun runOnceDeliversEachPointOnceAndResumes() {
        val out = tempDir()
        StorageManager.inMemory().use { db ->
            write(db, 0, 40)
            Replicator(db, "parquet:$out", "gw-1").use { r ->
                assertEquals("parquet:$out", r.sinkName())
                assertEquals(40L, r.runOnce().points)
                assertEquals(0L, r.runOnce().points)
                write(db, 40, 2)
                assertEquals(2L, r.runOnce().points)
                assertTrue(r.status().contains("\"delivered\":42"), r.status())
            }
            val files = out.toFile().walk().filter { it.name.endsWith(".parquet") }.toList()
            assertTrue(files.isNotEmpty() && files.all { it.readBytes().copyOfRange(0, 4).decodeToString() == "PAR1" })
        }
    }

    @Test
    fun followUntilStop() {
        StorageManager.inMemory().use { db ->
            Replicator(db, "parquet:${tempDir()}", "gw-1").use { r ->
                var report: ReplicationReport? = null
                val t = thread { report = r.follow(10L) }
                write(db, 0, 10)
                val deadline = System.currentTimeMillis() + 30_000
                while (!r.status().contains("\"delivered\":10")) {
                    assertTrue(System.currentTimeMillis() < deadline)
                    Thread.sleep(10)
                }
                r.stop()
                t.join(30_000)
                assertEquals(10L, report!!.points)
            }
        }
    }

    @Test
    fun badTargetsGatewayIdsAndAnUnreachableServer() {
        StorageManager.inMemory().use { db ->
            for (target in listOf("mysql://x", "parquet:")) {
                val e = assertFailsWith<StorageException.InvalidInput> { Replicator(db, target, "gw") }
                assertTrue(e.message!!.contains(target), e.message)
            }
            val e = assertFailsWith<StorageException.InvalidInput> { Replicator(db, "parquet:${tempDir()}", "../up") }
            assertTrue(e.message!!.contains("gateway_id"), e.message)
            write(db, 0, 1)
            Replicator(db, "postgres://nobody@127.0.0.1:9/db", "gw").use { r ->
                assertFailsWith<StorageException.Io> { r.runOnce() }
                assertTrue(r.status().contains("\"last_error\":\""), r.status())
            }
        }
    }
}
