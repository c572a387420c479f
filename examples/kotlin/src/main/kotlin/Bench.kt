// Telemetry ingest and range-query timings through the Kotlin bindings (JNA), on a redb
// file: the calls bindings/bench.py measures from Python. Run by bindings/kotlin/bench.sh
// against a release build: mvn -q compile exec:java -Dmain=io.neotalk.examples.BenchKt
package io.neotalk.examples

import io.neotalk.storage.DataPoint
import io.neotalk.storage.MetricValue
import io.neotalk.storage.RangeOptions
import io.neotalk.storage.StorageManager
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import kotlin.random.Random

private const val T0 = 1_700_000_000_000L

private fun report(name: String, seconds: Double, points: Int, measured: Int? = null) {
    val note = if (measured != null) "  (measured $measured, extrapolated)" else ""
    println("%-52s %9.3f s %14s points/s%s".format(name, seconds, "%,d".format((points / seconds).toLong()), note))
}

private inline fun timed(block: () -> Unit): Double {
    val t = System.nanoTime()
    block()
    return (System.nanoTime() - t) / 1e9
}

fun main(args: Array<String>) {
    val n = args.getOrNull(0)?.toInt() ?: 1_000_000
    val nSingle = minOf(args.getOrNull(1)?.toInt() ?: 20_000, n)
    val nRange = minOf(args.getOrNull(2)?.toInt() ?: 100_000, n)
    val rng = Random(42)
    val ts = LongArray(n) { T0 + it * 1_000L }
    val vs = DoubleArray(n) { 20.0 + rng.nextDouble() * 10.0 }
    val dir = Files.createTempDirectory("neotalk-kt-bench")
    println("ingest %,d points; range query of %,d points; files in %s".format(n, nRange, dir))

    StorageManager.open(dir.resolve("single").toString()).use { db ->
        val w = db.timeseries()
        val s = timed {
            for (i in 0 until nSingle) w.write("bench-1", "temperature", DataPoint(ts[i], MetricValue.Float(vs[i])))
            db.flush()
        }
        report("write() per record (group commit)", s * n / nSingle, n, nSingle)
    }
    StorageManager.open(dir.resolve("list").toString()).use { db ->
        val points = List(n) { DataPoint(ts[it], MetricValue.Float(vs[it])) }
        report("writeSeries() list of DataPoint, 1 transaction", timed { db.timeseries().writeSeries("bench-1", "temperature", points) }, n)
    }
    StorageManager.open(dir.resolve("packed").toString()).use { db ->
        val s = timed {
            val tb = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN)
            val vb = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN)
            tb.asLongBuffer().put(ts)
            vb.asDoubleBuffer().put(vs)
            db.timeseries().writePacked("bench-1", "temperature", tb.array(), vb.array())
        }
        report("writePacked() LongArray+DoubleArray, 1 transaction", s, n)
        val lo = ts[(n - nRange) / 2]
        val hi = lo + nRange * 1_000L
        var got = 0
        report("queryRange() -> DataPoint records", timed { got = db.timeseries().queryRange("bench-1", "temperature", lo, hi).size }, nRange)
        check(got == nRange) { "got $got points" }
        report("queryRangePacked() -> ByteArray", timed {
            val p = db.timeseries().queryRangePacked("bench-1", "temperature", lo, hi, RangeOptions())
            got = p.values.size / 8
            check(ByteBuffer.wrap(p.values).order(ByteOrder.LITTLE_ENDIAN).getDouble(0) == vs[(n - nRange) / 2])
        }, nRange)
        check(got == nRange) { "got $got points" }
    }
    dir.toFile().deleteRecursively()
}
