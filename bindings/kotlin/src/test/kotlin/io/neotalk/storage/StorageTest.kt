package io.neotalk.storage

import java.nio.ByteBuffer
import java.nio.ByteOrder
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Every store through the built jar (generated sources + bundled native library). */
class StorageTest : StorageTestBase() {
    /** The upstream NeoMind case: a 1 MB camera image as telemetry, as a ByteArray. */
    @Test
    fun binaryValuesAreByteArrays() = onBoth { db ->
        val ts = db.timeseries()
        val image = ByteArray(1_000_000) { (it * 31 + 1).toByte() }
        ts.write("cam-1", "snapshot", DataPoint(1_000L, MetricValue.Binary(image)))
        ts.writeSeries("cam-1", "snapshot", listOf(DataPoint(2_000L, MetricValue.Binary(byteArrayOf(0, -1)))))
        val got = ts.queryRange("cam-1", "snapshot", 0L, null)
        assertEquals(listOf(1_000L, 2_000L), got.map { it.timestamp })
        assertTrue(image.contentEquals((got[0].value as MetricValue.Binary).value))
        assertTrue(byteArrayOf(0, -1).contentEquals((ts.queryLatest("cam-1", "snapshot")!!.value as MetricValue.Binary).value))
        // The device snapshot keeps the size, not the bytes.
        val snap = db.devices().getDevice("cam-1")!!.metrics.getValue("snapshot")
        assertEquals(2L, snap.binaryBytes)
        assertEquals(0, (snap.value as MetricValue.Binary).value.size)
    }

    @Test
    fun binaryValuesOverTheLimitAreRefused() {
        StorageManager.inMemoryWith(StorageOptions(maxBinaryValueBytes = 4L)).use { db ->
            db.timeseries().writeSeries("cam", "m", listOf(DataPoint(1L, MetricValue.Binary(ByteArray(4)))))
            val e = assertFailsWith<StorageException.InvalidInput> {
                db.timeseries().writeSeries("cam", "m", listOf(DataPoint(2L, MetricValue.Binary(ByteArray(5)))))
            }
            assertTrue("binary value is 5 bytes; the limit is 4" in e.message!!, e.message)
        }
    }

    @Test
    fun telemetryPerRecordBatchAndPacked() = onBoth { db ->
        val ts = db.timeseries()
        ts.write("thermo-1", "temperature", DataPoint(1_000L, MetricValue.Float(21.5), 0.9f, """{"unit":"C"}"""))
        ts.flush()
        val latest = ts.queryLatest("thermo-1", "temperature")!!
        assertEquals(MetricValue.Float(21.5), latest.value)
        assertEquals("""{"unit":"C"}""", latest.metadata)
        ts.writeBatch(listOf(TelemetryPoint("a", "t", DataPoint(1L, MetricValue.Integer(7L))), TelemetryPoint("b", "s", DataPoint(2L, MetricValue.String("on")))))
        ts.writeSeries("a", "flag", listOf(DataPoint(1L, MetricValue.Boolean(true))))
        assertEquals(listOf("a", "b", "thermo-1"), ts.listDevicesWithData())
        assertEquals(listOf("flag", "t"), ts.listMetrics("a"))

        ts.writePacked("p", "v", packLongs(3, 1, 2), packDoubles(30.0, 10.0, 20.0))
        assertEquals(listOf(1L, 2L, 3L), ts.queryRange("p", "v", 0, 10).map { it.timestamp })
        val newest = ts.queryRangeWith("p", "v", 0, 10, RangeOptions(limit = 2L, newestFirst = true))
        assertEquals(listOf(3L, 2L), newest.map { it.timestamp })
        val packed = ts.queryRangePacked("p", "v", 0, 10, RangeOptions())
        val values = ByteBuffer.wrap(packed.values).order(ByteOrder.LITTLE_ENDIAN)
        assertEquals(listOf(10.0, 20.0, 30.0), List(3) { values.getDouble(8 * it) })

        val latestBatch = ts.queryLatestBatch(listOf(SeriesKey("p", "v"), SeriesKey("x", "y")))
        assertEquals(3L, latestBatch[0]!!.timestamp)
        assertNull(latestBatch[1])
        val buckets = ts.queryAggregated("p", "v", 0, 10, 2)
        assertEquals(listOf(0L, 2L), buckets.map { it.bucketStart })
        assertEquals(25.0, buckets[1].avg)
        assertEquals(2L, ts.deleteRange("p", "v", 2, 10))
        assertEquals(0L, ts.bufferedPoints())

        // A null end is no upper bound: Long.MAX_VALUE is reachable, read, aggregated and deleted.
        ts.writePacked("edge", "v", packLongs(Long.MIN_VALUE, 0, Long.MAX_VALUE), packDoubles(1.0, 2.0, 3.0))
        assertEquals(listOf(Long.MAX_VALUE), ts.queryRange("edge", "v", 1, null).map { it.timestamp })
        assertTrue(ts.queryRange("edge", "v", 1, Long.MAX_VALUE).isEmpty())
        assertEquals(listOf(1L), ts.queryAggregated("edge", "v", 1, null, 1_000).map { it.count })
        assertEquals(1L, ts.deleteRange("edge", "v", 1, null))
        assertEquals(2, ts.queryRangePacked("edge", "v", Long.MIN_VALUE, null, RangeOptions()).timestamps.size / 8)
    }

    @Test
    fun packedReadsTakeFloatSeriesOnly() = onBoth { db ->
        val ts = db.timeseries()
        ts.writeSeries("a", "count", listOf(DataPoint(1L, MetricValue.Integer(7L))))
        ts.writeSeries("a", "flag", listOf(DataPoint(1L, MetricValue.Boolean(true))))
        for ((metric, found) in listOf("count" to "integer", "flag" to "boolean")) {
            val e = assertFailsWith<StorageException.InvalidInput> { ts.queryRangePacked("a", metric, 0, null, RangeOptions()) }
            assertTrue(e.message!!.contains("holds $found values"), e.message)
        }
        assertEquals(MetricValue.Integer(7L), ts.queryRange("a", "count", 0, null).single().value)
    }

    @Test
    fun devices() = onBoth { db ->
        val devices = db.devices()
        val mdl = MdlDeviceType("thermo-v2", "Thermometer", listOf(MdlMetric("temperature", MdlDataType.FLOAT, "C")),
            listOf(MdlCommand("set_interval", listOf(MdlParameter("seconds", MdlDataType.INTEGER, true)))))
        devices.upsert(DeviceState(deviceId = "t1", deviceType = "thermometer", config = """{"interval":10}""", mdlDefinition = mdl))
        devices.upsert(DeviceState(deviceId = "p1", deviceType = "pump", config = "null", online = false))
        val t1 = devices.getDevice("t1")!!
        assertEquals(mdl, t1.mdlDefinition)
        assertEquals("""{"interval":10}""", t1.config)
        assertEquals(listOf("p1", "t1"), devices.listDevices().map { it.deviceId })
        assertEquals(listOf("t1"), devices.listByType("thermometer").map { it.deviceId })
        assertEquals(listOf("t1"), devices.listOnline().map { it.deviceId })
        assertEquals(listOf("p1"), devices.listOffline().map { it.deviceId })
        devices.setOnline("p1", true)
        assertEquals(2, devices.listOnline().size)
        devices.delete("p1")
        assertNull(devices.getDevice("p1"))
    }

    @Test
    fun events() = onBoth { db ->
        val events = db.events()
        val e = events.append(NewEvent("e1", "rule.triggered", """{"rule":"overheat"}""", EventMetadata("rules", 100L, "c1")))
        assertEquals(1L, e.sequence)
        val range = events.appendBatch(listOf(NewEvent("e2", "device.offline", "{}", EventMetadata("gw", 200L, "c1", "e1"))))
        assertEquals(SequenceRange(2L, 2L), range)
        assertEquals("""{"rule":"overheat"}""", events.get("e1")!!.eventData)
        assertEquals(listOf("e1", "e2"), events.queryRange(0, 1_000, null).map { it.eventId })
        assertEquals(listOf("e2"), events.queryByType("device.offline", 0, 1_000, 10L).map { it.eventId })
        assertEquals(listOf("e1", "e2"), events.queryByCorrelation("c1").map { it.eventId })
        assertEquals(listOf("e2"), events.replay(1L, 10L).map { it.eventId })
        assertEquals(emptyList<EventLogEntry>(), events.replay(0L, 0L), "a limit of 0 returns nothing")
        assertEquals(events.lastSequence().toInt(), events.replay(0L, null).size, "null: no limit")
        assertEquals(2L, events.lastSequence())
        assertTrue(events.totalBytes() > 0L)
        val day = 86_400_000L
        assertEquals(EventCleanup(2L, 0L), events.cleanup(10 * day, EventRetention(keep = "7d")))
        assertEquals(SequenceRange(3L, 2L), events.appendBatch(listOf()))
        // Event data comes back with the caller's key order.
        val data = """{"device":"dev-00","value":20.01,"seq":1}"""
        events.append(NewEvent("k1", "reading", data, EventMetadata("s", 11 * day)))
        assertEquals(data, events.get("k1")!!.eventData)
    }

    @Test
    fun deletesAndRetentionWindows() = onBoth { db ->
        val ts = db.timeseries()
        val points = listOf("a", "b").flatMap { d -> listOf("temp", "rh").map { m -> TelemetryPoint(d, m, DataPoint(1L, MetricValue.Float(1.0), null, null)) } }
        ts.writeBatch(points)
        assertEquals(2L, ts.deleteMetric("rh"))
        assertEquals(1L, db.devices().delete("a", cascade = true))
        assertNull(db.devices().getDevice("a"))
        assertEquals(0L, db.devices().delete("b"), "without cascade the telemetry stays")
        assertEquals(listOf("b"), ts.listDevicesWithData())
        assertEquals(1L, ts.deleteDevice("b"))
        assertFailsWith<StorageException.NotFound> { db.devices().delete("a", cascade = true) }
        db.alerts().create(AlertRecord(alertId = "x", title = "Hot", severity = AlertSeverity.INFO, message = "", source = "rule", createdAt = 1L))
        assertTrue(db.alerts().delete("x"))
        assertEquals(false, db.alerts().delete("x"))
        val hour = 3_600_000L
        db.events().append(NewEvent("old", "t", "null", EventMetadata("s", 0L)))
        assertEquals(EventCleanup(0L, 0L), db.events().cleanup(100 * hour, EventRetention(keep = "forever")))
        assertEquals(EventCleanup(1L, 0L), db.events().cleanup(100 * hour, EventRetention(keep = "36h")))
        assertFailsWith<StorageException.InvalidInput> { db.events().cleanup(0, EventRetention(keep = "3 days")) }
    }

    @Test
    fun errorKinds() = onBoth { db ->
        val ts = db.timeseries()
        assertFailsWith<StorageException.InvalidInput> { ts.write("", "m", DataPoint(1L, MetricValue.Float(1.0))) }
            .also { assertTrue(it.message!!.contains("device_id")) }
        assertFailsWith<StorageException.InvalidInput> { ts.write("x".repeat(257), "m", DataPoint(1L, MetricValue.Float(1.0))) }
        assertFailsWith<StorageException.InvalidInput> { ts.write("d", "m", DataPoint(1L, MetricValue.Float(Double.NaN))) }
        assertFailsWith<StorageException.InvalidInput> { ts.queryRange("d", "m", 10, 5) }
            .also { assertTrue(it.message!!.contains("start 10 is after end 5")) }
        assertFailsWith<StorageException.InvalidInput> { ts.queryAggregated("d", "m", 0, 10, 0) }
        assertFailsWith<StorageException.InvalidInput> { ts.writePacked("d", "m", packLongs(1, 2), packDoubles(1.0)) }
            .also { assertTrue(it.message!!.contains("2 timestamps but 1 values")) }
        assertFailsWith<StorageException.InvalidInput> { ts.writePacked("d", "m", ByteArray(7), ByteArray(7)) }
        assertFailsWith<StorageException.InvalidInput> {
            db.events().append(NewEvent("e", "t", "{not json", EventMetadata("s", 1L)))
        }.also { assertTrue(it.message!!.contains("event_data: malformed JSON")) }
        assertFailsWith<StorageException.NotFound> { db.devices().delete("ghost") }
        assertFailsWith<StorageException.NotFound> { ts.listMetrics("ghost") }
        db.events().append(NewEvent("dup", "t", "1", EventMetadata("s", 1L)))
        assertFailsWith<StorageException.Conflict> { db.events().append(NewEvent("dup", "t", "1", EventMetadata("s", 1L))) }
        db.closeStorage()
        assertFailsWith<StorageException.Closed> { db.events().lastSequence() }
        assertFailsWith<StorageException.Closed> { ts.listDevicesWithData() }
    }

    @Test
    fun persistenceLockAndUse() {
        val dir = tempDir().toString()
        StorageManager.openWith(dir, StorageOptions(durability = Durability.EVENTUAL)).use { db ->
            assertEquals("redb", db.backendKind())
            assertEquals(dir, db.path())
            db.timeseries().write("d", "m", DataPoint(5L, MetricValue.Integer(42L)))
            assertFailsWith<StorageException.Locked> { StorageManager.open(dir) }
            db.flush()
            assertTrue(db.tableSizes().any { it.name == "ts_chunks" && it.entries == 1L })
        } // use { } frees the handle, which closes the database
        StorageManager.open(dir).use { db ->
            assertEquals(MetricValue.Integer(42L), db.timeseries().queryLatest("d", "m")!!.value)
        }
        StorageManager.inMemoryWith(StorageOptions(writeBuffer = WriteBufferOptions(0L, 0L))).use { db ->
            assertEquals("memory", db.backendKind())
            assertNull(db.path())
        }
    }

    @Test
    fun closeFlushesAndReleasesTheFileWhileStoresAreStillHeld() {
        val dir = tempDir().toString()
        val ts = StorageManager.open(dir).use { db ->
            db.timeseries().also { it.write("d", "m", DataPoint(7L, MetricValue.Float(1.5))) } // buffered, not flushed
        }
        assertFailsWith<StorageException.Closed> { ts.queryLatest("d", "m") }
        StorageManager.open(dir).use { db ->
            assertEquals(MetricValue.Float(1.5), db.timeseries().queryLatest("d", "m")!!.value)
        }
    }
}
