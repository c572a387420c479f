// An edge-gateway ingest loop on neotalk-storage (Kotlin), without a broker: simulated
// MQTT readings are stored one transaction per tick (packed buffers), a threshold rule
// raises events, and the result is read back after reopening the database.
package io.neotalk.examples

import io.neotalk.storage.DataPoint
import io.neotalk.storage.EventMetadata
import io.neotalk.storage.MetricValue
import io.neotalk.storage.NewEvent
import io.neotalk.storage.RangeOptions
import io.neotalk.storage.StorageManager
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import kotlin.random.Random
import kotlin.system.exitProcess

const val START = 1_700_000_000_000L
const val THRESHOLD = 30.0

/** [n] readings from [start], 100 ms apart, as packed little-endian i64 / f64 buffers. */
fun packed(start: Long, n: Int, f: (Int) -> Double): Pair<ByteArray, ByteArray> {
    val ts = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN)
    val vs = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN)
    for (i in 0 until n) {
        ts.putLong(start + i * 100L)
        vs.putDouble(f(i))
    }
    return ts.array() to vs.array()
}

fun main() {
    val dir = Files.createTempDirectory("neotalk-kt-gateway").toString()
    val rng = Random(7)
    var alerts = 0
    StorageManager.open(dir).use { db ->
        val ts = db.timeseries()
        for (tick in 0 until 20) {
            // Ten readings per tick from one sensor, stored in one transaction.
            val base = tick * 1_000L
            val (t, v) = packed(START + base, 10) { i -> if (tick == 12 && i == 5) 36.5 else 22.0 + rng.nextDouble(-0.5, 0.5) }
            ts.writePacked("thermo-1", "temperature", t, v)
            val values = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN)
            for (i in 0 until 10) {
                val value = values.getDouble(8 * i)
                if (value > THRESHOLD) {
                    alerts++
                    db.events().append(NewEvent("overheat-$tick-$i", "rule.triggered",
                        """{"rule":"overheat","device":"thermo-1","value":$value}""",
                        EventMetadata("gateway", START + base + i * 100L, "thermo-1")))
                }
            }
        }
        ts.write("thermo-1", "state", DataPoint(START + 20_000L, MetricValue.String("ok")))
    }
    StorageManager.open(dir).use { db ->
        val ts = db.timeseries()
        val points = ts.queryRangePacked("thermo-1", "temperature", START, START + 20_000L, RangeOptions())
        val n = points.timestamps.size / 8
        val buckets = ts.queryAggregated("thermo-1", "temperature", START, START + 20_000L, 10_000L)
        println("data directory: $dir")
        println("thermo-1/temperature: $n points; per 10 s: " + buckets.joinToString { "max %.1f avg %.2f".format(it.max, it.avg) })
        val events = db.events().queryByType("rule.triggered", START, START + 20_000L, null)
        events.forEach { println("event #${it.sequence} ${it.eventType} ${it.eventData}") }
        println("device state: ${db.devices().getDevice("thermo-1")?.metrics?.keys?.sorted()}")
        val ok = n == 200 && events.size == 1 && alerts == 1
        println(if (ok) "kotlin gateway example: OK" else "kotlin gateway example: FAILED")
        java.io.File(dir).deleteRecursively()
        if (!ok) exitProcess(1)
    }
}
