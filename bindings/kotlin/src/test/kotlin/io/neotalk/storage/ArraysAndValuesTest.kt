package io.neotalk.storage

import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The Kotlin-side helpers of `Packed.kt` and `Values.kt`, on both backends. */
class ArraysAndValuesTest : StorageTestBase() {
    @Test
    fun packedArraysRoundTripPerColumnType() = onBoth { db ->
        val ts = db.timeseries()
        ts.writePacked("d", "temp", longArrayOf(1, 2, Long.MAX_VALUE), doubleArrayOf(1.5, -2.0, 3.25))
        val series = ts.queryRangePacked("d", "temp", 0, null, RangeOptions())
        assertContentEquals(longArrayOf(1, 2, Long.MAX_VALUE), series.timestampArray())
        assertContentEquals(doubleArrayOf(1.5, -2.0, 3.25), series.valueArray())

        ts.writePacked("d", "count", longArrayOf(10, 20), longArrayOf(7, Long.MIN_VALUE))
        assertEquals(listOf(7L, Long.MIN_VALUE), ts.queryRange("d", "count", 0, null).map { it.value.asLong })
        ts.writePacked("d", "door", longArrayOf(10, 20), booleanArrayOf(true, false))
        assertEquals(listOf(true, false), ts.queryRange("d", "door", 0, null).map { it.value.asBoolean })
        // Nothing is converted: the packed float read refuses an integer series by its type.
        assertFailsWith<StorageException.InvalidInput> { ts.queryRangePacked("d", "count", 0, null, RangeOptions()) }
            .also { assertTrue(it.message!!.contains("integer"), it.message) }
    }

    @Test
    fun packedArraysAreCheckedByTheCore() = onBoth { db ->
        val ts = db.timeseries()
        assertFailsWith<StorageException.InvalidInput> { ts.writePacked("d", "m", longArrayOf(1, 2), doubleArrayOf(1.0)) }
            .also { assertTrue(it.message!!.contains("2 timestamps but 1 values"), it.message) }
        assertFailsWith<StorageException.InvalidInput> { ts.writePacked("d", "m", longArrayOf(1), doubleArrayOf(Double.NaN)) }
        assertFailsWith<StorageException.InvalidInput> { ts.writePacked("d", "m", longArrayOf(1), booleanArrayOf()) }
        assertTrue(ts.queryRange("d", "m", 0, null).isEmpty(), "a refused batch stores nothing")
    }

    @Test
    fun plainValuesInAndTypedAccessorsOut() = onBoth { db ->
        val ts = db.timeseries()
        ts.writeSeries("d", "mixed", listOf(
            DataPoint(1L, 21.5), DataPoint(2L, 42L), DataPoint(3L, true), DataPoint(4L, "on"),
            DataPoint(5L, byteArrayOf(1, 2), quality = 0.5f),
        ))
        val values = ts.queryRange("d", "mixed", 0, null).map { it.value }
        assertEquals(21.5, values[0].asDouble)
        assertEquals(42L, values[1].asLong)
        assertEquals(true, values[2].asBoolean)
        assertEquals("on", values[3].asString)
        assertContentEquals(byteArrayOf(1, 2), values[4].asBytes)
        // An accessor of another type is null, never a conversion.
        assertNull(values[1].asDouble)
        assertNull(values[0].asLong)
        assertNull(values[3].asBoolean)
    }

    @Test
    fun seriesHandlesAndPackedLatestBatches() = onBoth { db ->
        val ts = db.timeseries()
        ts.writePacked("d", "temp", longArrayOf(1, 2), doubleArrayOf(1.5, 2.5))
        ts.write("d", "state", DataPoint(3L, "on"))
        val temp = ts.series("d", "temp")
        assertFloats(temp.latest(), packLongs(2), packDoubles(2.5))
        ts.write("d", "temp", DataPoint(4L, 3.5)) // a handle read sees later writes
        assertFloats(temp.latest(), packLongs(4), packDoubles(3.5))
        assertFloats(ts.series("ghost", "temp").latest(), ByteArray(0), ByteArray(0))
        assertFailsWith<StorageException.InvalidInput> { ts.series("d", "").latest() }

        val latest = ts.queryLatestBatchJson("""[["d","temp"],["ghost","temp"],["d","state"]]""")
        assertContentEquals(byteArrayOf(1, 0, 1), latest.present)
        val points = (latest.points as PointBatch.Points).points // mixed types cross point by point
        assertEquals(listOf(4L to 3.5, 3L to null), points.map { it.timestamp to it.value.asDouble })
        assertEquals("on", points[1].value.asString)
        assertFailsWith<StorageException.InvalidInput> { ts.queryLatestBatchJson("""[["d"]]""") }
            .also { assertTrue(it.message!!.contains("series"), it.message) }

        // A series set names its series once; each latest() reads the current points.
        ts.seriesSet("""[["d","temp"],["ghost","temp"]]""").use { set ->
            assertContentEquals(byteArrayOf(1, 0), set.latest().present)
            ts.write("ghost", "temp", DataPoint(9L, 0.5))
            val both = set.latest()
            assertContentEquals(byteArrayOf(1, 1), both.present)
            assertFloats(both.points, packLongs(4, 9), packDoubles(3.5, 0.5))
        }
        assertFailsWith<StorageException.InvalidInput> { ts.seriesSet("{}") }
    }

    private fun assertFloats(batch: PointBatch, timestamps: ByteArray, values: ByteArray) {
        val floats = batch as PointBatch.Floats
        assertContentEquals(timestamps, floats.timestamps)
        assertContentEquals(values, floats.values)
    }
}
