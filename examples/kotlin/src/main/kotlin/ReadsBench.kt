// Record-returning reads through the Kotlin bindings (JNA) beside sqlite-jdbc in one JVM: the
// workloads of bench/python/reads.py (issue #15, item 3). Run by `bindings/kotlin/bench.sh reads`
// against a release build: mvn -q compile exec:java -Dmain=io.neotalk.examples.ReadsBenchKt
//
// Both databases live in one temporary directory (SQLite in WAL mode) and hold the same rows.
// Both sides return the binding's own records (DataPoint, EventLogEntry, AlertRecord), so the
// results are compared whole with `==`; the SQLite side builds them from its ResultSet, as an
// application mapping rows to its types would. Event payloads stay JSON text on both sides
// (the JDK has no JSON parser; reads.py parses them with json.loads on the sqlite3 side).
// Statements are prepared once, as Python's sqlite3 statement cache does for reads.py.
package io.neotalk.examples

import io.neotalk.storage.AlertRecord
import io.neotalk.storage.AlertSeverity
import io.neotalk.storage.DataPoint
import io.neotalk.storage.EventLogEntry
import io.neotalk.storage.EventMetadata
import io.neotalk.storage.NewEvent
import io.neotalk.storage.PointBatch
import io.neotalk.storage.RangeOptions
import io.neotalk.storage.SeriesKey
import io.neotalk.storage.StorageManager
import io.neotalk.storage.timestampArray
import io.neotalk.storage.valueArray
import io.neotalk.storage.writePacked
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.sql.Connection
import java.sql.DriverManager
import java.sql.PreparedStatement
import java.sql.ResultSet

private const val T0 = 1_700_000_000_000L
private const val SERIES = 50
private const val LATEST_SQL = "SELECT ts, value FROM telemetry WHERE device_id = ? AND metric = ? ORDER BY ts DESC LIMIT 1"

/** Sizes and timing settings from `--name value` arguments: the names of reads.py plus `--warmup-ms`. */
private class Settings(args: Array<String>) {
    private val given: Map<String, Int> = args.toList().chunked(2).associate { pair ->
        require(pair.size == 2 && pair[0].startsWith("--")) { "arguments are --name value pairs, got $pair" }
        pair[0].removePrefix("--") to pair[1].toInt()
    }
    val points = given["points"] ?: 10_000
    val events = given["events"] ?: 10_000
    val alerts = given["alerts"] ?: 1_000
    val calls = given["calls"] ?: 2_000
    val rounds = given["rounds"] ?: 20
    val warmupMs = given["warmup-ms"] ?: 1_000

    init {
        val unknown = given.keys - setOf("points", "events", "alerts", "calls", "rounds", "warmup-ms")
        require(unknown.isEmpty()) { "unknown arguments: $unknown" }
    }
}

/** Timestamps and values of one series as primitive arrays (what the packed read gives). */
private class Columns(val timestamps: LongArray, val values: DoubleArray) {
    fun sameAs(other: Columns) = timestamps.contentEquals(other.timestamps) && values.contentEquals(other.values)
}

/**
 * The measured operations, each a pair (ours, sqlite) timed in alternating rounds after a
 * warm-up, and the table printed from them.
 */
private class Table(private val settings: Settings) {
    private class Row(val name: String, val ours: Double, val sqlite: Double, val unit: String)

    private val rows = mutableListOf<Row>()

    /**
     * Runs [ours] and [sqlite] alternately for [Settings.warmupMs] untimed (so that the JIT has
     * compiled both paths, whatever the size of one call), then [Settings.rounds] timed rounds,
     * still alternating; records the best round of each as [n] [unit] per round and returns the
     * results of the last round for checking.
     */
    fun <A, B> measure(name: String, n: Int, unit: String, ours: () -> A, sqlite: () -> B): Pair<A, B> {
        val warmupEnd = System.nanoTime() + settings.warmupMs * 1_000_000L
        while (System.nanoTime() < warmupEnd) {
            ours()
            sqlite()
        }
        var bestOurs = Long.MAX_VALUE
        var bestSqlite = Long.MAX_VALUE
        var last: Pair<A, B>? = null
        repeat(settings.rounds) {
            val t0 = System.nanoTime()
            val a = ours()
            val t1 = System.nanoTime()
            val b = sqlite()
            val t2 = System.nanoTime()
            bestOurs = minOf(bestOurs, t1 - t0)
            bestSqlite = minOf(bestSqlite, t2 - t1)
            last = a to b
        }
        rows += Row(name, n * 1e9 / bestOurs, n * 1e9 / bestSqlite, unit)
        return last!!
    }

    /** Prints one line per operation: rates of both sides and ours / sqlite. */
    fun print() {
        println("%-46s %14s %14s %7s".format("read", "neotalk", "sqlite-jdbc", "ratio"))
        for (r in rows) {
            println("%-46s %12s/s %12s/s %6.2fx  (%s)".format(r.name, "%,d".format(r.ours.toLong()), "%,d".format(r.sqlite.toLong()), r.ours / r.sqlite, r.unit))
        }
    }
}

/** The little-endian `i64`s of a packed buffer (PointBatch has no array accessors of its own). */
private fun ByteArray.longs(): LongArray =
    LongArray(size / 8).also { ByteBuffer.wrap(this).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(it) }

/** The little-endian `f64`s of a packed buffer. */
private fun ByteArray.doubles(): DoubleArray =
    DoubleArray(size / 8).also { ByteBuffer.wrap(this).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(it) }

/** The points of a [PointBatch] as records, built on this side from the packed columns. */
private fun PointBatch.points(): List<DataPoint> = when (this) {
    is PointBatch.Floats -> timestamps.longs().let { t -> val v = values.doubles(); List(t.size) { DataPoint(t[it], v[it]) } }
    is PointBatch.Integers -> timestamps.longs().let { t -> val v = values.longs(); List(t.size) { DataPoint(t[it], v[it]) } }
    is PointBatch.Points -> points
}

/** Binds [params] to this statement's parameters, in order. */
private fun PreparedStatement.bind(params: Array<out Any?>) = params.forEachIndexed { i, p -> setObject(i + 1, p) }

/** Every row of the statement's result for [params], mapped with [row]. */
private inline fun <T> PreparedStatement.list(vararg params: Any, row: (ResultSet) -> T): List<T> {
    bind(params)
    return executeQuery().use { rs -> buildList { while (rs.next()) add(row(rs)) } }
}

/** The first row of the statement's result for [params] mapped with [row], or null. */
private inline fun <T> PreparedStatement.first(vararg params: Any, row: (ResultSet) -> T): T? {
    bind(params)
    return executeQuery().use { rs -> if (rs.next()) row(rs) else null }
}

/** A nullable INTEGER column. */
private fun ResultSet.longOrNull(column: Int): Long? = getLong(column).takeUnless { wasNull() }

/** A row of `SELECT ts, value FROM telemetry` as a float point. */
private fun point(rs: ResultSet) = DataPoint(rs.getLong(1), rs.getDouble(2))

/** A row of `SELECT * FROM events` (seq, event_id, event_type, source, ts, correlation_id, causation_id, data). */
private fun event(rs: ResultSet) = EventLogEntry(
    eventId = rs.getString(2),
    eventType = rs.getString(3),
    eventData = rs.getString(8),
    metadata = EventMetadata(source = rs.getString(4), timestamp = rs.getLong(5), correlationId = rs.getString(6), causationId = rs.getString(7)),
    sequence = rs.getLong(1),
)

/** A row of `SELECT * FROM alerts`, in the column order of its CREATE TABLE. */
private fun alert(rs: ResultSet) = AlertRecord(
    alertId = rs.getString(1),
    title = rs.getString(2),
    severity = AlertSeverity.valueOf(rs.getString(3)),
    message = rs.getString(4),
    source = rs.getString(5),
    createdAt = rs.getLong(6),
    entityId = rs.getString(7),
    entityType = rs.getString(8),
    acknowledged = rs.getInt(9) != 0,
    acknowledgedBy = rs.getString(10),
    acknowledgedAt = rs.longOrNull(11),
    resolvedAt = rs.longOrNull(12),
)

/** Reads a float series' rows into growing primitive arrays (the SQLite side of the packed read). */
private fun columns(st: PreparedStatement, deviceId: String, start: Long): Columns {
    st.bind(arrayOf(deviceId, "temp", start))
    var ts = LongArray(1024)
    var vs = DoubleArray(1024)
    var n = 0
    st.executeQuery().use { rs ->
        while (rs.next()) {
            if (n == ts.size) {
                ts = ts.copyOf(2 * n)
                vs = vs.copyOf(2 * n)
            }
            ts[n] = rs.getLong(1)
            vs[n] = rs.getDouble(2)
            n++
        }
    }
    return Columns(ts.copyOf(n), vs.copyOf(n))
}

/** Runs [block] in one SQLite transaction. */
private inline fun Connection.transaction(block: () -> Unit) {
    autoCommit = false
    block()
    commit()
    autoCommit = true // reads run in autocommit, as reads.py's isolation_level=None
}

/** Creates the tables and indexes of reads.py. */
private fun Connection.createSchema() = createStatement().use { st ->
    st.execute("PRAGMA journal_mode=WAL")
    st.execute("CREATE TABLE telemetry (device_id TEXT, metric TEXT, ts INTEGER, value REAL, PRIMARY KEY (device_id, metric, ts)) WITHOUT ROWID")
    st.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE, event_type TEXT, source TEXT, ts INTEGER, correlation_id TEXT, causation_id TEXT, data TEXT)")
    st.execute("CREATE INDEX events_ts ON events (ts)")
    st.execute("CREATE TABLE alerts (alert_id TEXT PRIMARY KEY, title TEXT, severity TEXT, message TEXT, source TEXT, created_at INTEGER, entity_id TEXT, entity_type TEXT, acknowledged INTEGER, acknowledged_by TEXT, acknowledged_at INTEGER, resolved_at INTEGER)")
    st.execute("CREATE INDEX alerts_time ON alerts (created_at)")
}

/** Loads the rows of reads.py into both databases: 50 float series, events, alerts. */
private fun load(s: Settings, db: StorageManager, con: Connection) {
    val stamps = LongArray(s.points) { T0 + it * 1_000L }
    val values = DoubleArray(s.points) { 20.0 + (it % 100) / 10.0 }
    con.prepareStatement("INSERT INTO telemetry VALUES (?, 'temp', ?, ?)").use { st ->
        for (series in 0 until SERIES) {
            db.timeseries().writePacked("dev-$series", "temp", stamps, values)
            con.transaction {
                for (i in stamps.indices) {
                    st.setString(1, "dev-$series")
                    st.setLong(2, stamps[i])
                    st.setDouble(3, values[i])
                    st.addBatch()
                }
                st.executeBatch()
            }
        }
    }
    db.timeseries().flush()

    // The payload in the form our store gives back (compact, keys sorted), so that both
    // sides' records compare equal.
    val events = List(s.events) { i ->
        NewEvent(
            eventId = "e$i",
            eventType = "device.reading",
            eventData = """{"device":"dev-${i % 50}","ok":true,"value":${i / 4.0}}""",
            metadata = EventMetadata(source = "mqtt", timestamp = T0 + i, correlationId = "c${i / 10}", causationId = null),
        )
    }
    db.events().appendBatch(events)
    con.prepareStatement("INSERT INTO events (event_id, event_type, source, ts, correlation_id, causation_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)").use { st ->
        con.transaction {
            for (e in events) {
                st.setString(1, e.eventId)
                st.setString(2, e.eventType)
                st.setString(3, e.metadata.source)
                st.setLong(4, e.metadata.timestamp)
                st.setString(5, e.metadata.correlationId)
                st.setString(6, e.metadata.causationId)
                st.setString(7, e.eventData)
                st.addBatch()
            }
            st.executeBatch()
        }
    }

    con.prepareStatement("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, NULL)").use { st ->
        con.transaction {
            for (i in 0 until s.alerts) {
                val a = AlertRecord(
                    alertId = "a$i", title = "too hot", severity = AlertSeverity.WARNING, message = "31.5 C", source = "rules",
                    createdAt = T0 + i, entityId = "dev-${i % 50}", entityType = "device",
                    acknowledged = false, acknowledgedBy = null, acknowledgedAt = null, resolvedAt = null,
                )
                db.alerts().create(a)
                st.bind(arrayOf(a.alertId, a.title, a.severity.name, a.message, a.source, a.createdAt, a.entityId, a.entityType))
                st.addBatch()
            }
            st.executeBatch()
        }
    }
}

/** Measures every read of reads.py on both sides, checks that they agree, and prints the table. */
private fun run(s: Settings, db: StorageManager, con: Connection) {
    val table = Table(s)
    val ts = db.timeseries()
    val events = db.events()
    val alertStore = db.alerts()
    val range = con.prepareStatement("SELECT ts, value FROM telemetry WHERE device_id = ? AND metric = ? AND ts >= ? ORDER BY ts")
    val replay = con.prepareStatement("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?")
    val eventsRange = con.prepareStatement("SELECT * FROM events WHERE ts >= ? ORDER BY ts")
    val alertsRange = con.prepareStatement("SELECT * FROM alerts WHERE created_at >= ? ORDER BY created_at")
    val latest = con.prepareStatement(LATEST_SQL)
    val size = if (s.points == 10_000) " (10k points)" else " (${s.points} points)"

    fun sqlitePoints() = range.list("dev-0", "temp", T0, row = ::point)
    val (got, want) = table.measure("timeseries.queryRange -> DataPoint$size", s.points, "records",
        { ts.queryRange("dev-0", "temp", T0, null) }, ::sqlitePoints)
    check(got == want && got.size == s.points) { "queryRange: ${got.size} points, sqlite ${want.size}" }
    // The batch read crosses packed columns and builds the same records on this side.
    val (batch, _) = table.measure("timeseries.queryRangeBatch -> DataPoint", s.points, "records",
        { ts.queryRangeBatch("dev-0", "temp", T0, null, RangeOptions()).points() }, ::sqlitePoints)
    check(batch == want) { "queryRangeBatch differs" }
    val (packed, cols) = table.measure("timeseries.queryRangePacked -> arrays", s.points, "points",
        { ts.queryRangePacked("dev-0", "temp", T0, null, RangeOptions()).let { Columns(it.timestampArray(), it.valueArray()) } },
        { columns(range, "dev-0", T0) })
    check(packed.sameAs(cols) && cols.values.size == s.points) { "queryRangePacked differs" }

    val (replayed, replayedSql) = table.measure("events.replay", s.events, "records",
        { events.replay(0L, s.events.toLong()) }, { replay.list(0L, s.events.toLong(), row = ::event) })
    check(replayed == replayedSql && replayed.size == s.events) { "replay: ${replayed.size} events, sqlite ${replayedSql.size}" }
    val (ranged, rangedSql) = table.measure("events.queryRange", s.events, "records",
        { events.queryRange(T0, null, null) }, { eventsRange.list(T0, row = ::event) })
    check(ranged == rangedSql && ranged.size == s.events) { "events.queryRange: ${ranged.size} events, sqlite ${rangedSql.size}" }
    val (alerts, alertsSql) = table.measure("alerts.queryRange", s.alerts, "records",
        { alertStore.queryRange(T0, null, null) }, { alertsRange.list(T0, row = ::alert) })
    check(alerts == alertsSql && alerts.size == s.alerts) { "alerts.queryRange: ${alerts.size} alerts, sqlite ${alertsSql.size}" }

    val (newest, newestSql) = table.measure("timeseries.queryLatest", s.calls, "calls",
        { List(s.calls) { ts.queryLatest("dev-7", "temp") } }, { List(s.calls) { latest.first("dev-7", "temp", row = ::point) } })
    check(newest == newestSql && newest.first() != null) { "queryLatest: ${newest.first()} vs ${newestSql.first()}" }
    // A round is calls / 50 batches (reads.py times one), so that one round lasts about as
    // long as the per-call rows.
    val keys = List(SERIES) { SeriesKey("dev-$it", "temp") }
    val batches = maxOf(1, s.calls / SERIES)
    val (newestBatch, newestBatchSql) = table.measure("timeseries.queryLatestBatch ($SERIES series)", batches, "batches",
        { List(batches) { ts.queryLatestBatch(keys) }.last() },
        { List(batches) { keys.map { k -> latest.first(k.deviceId, k.metric, row = ::point) } }.last() })
    check(newestBatch == newestBatchSql && newestBatch.all { it != null }) { "queryLatestBatch differs" }

    listOf(range, replay, eventsRange, alertsRange, latest).forEach { it.close() }
    table.print()
}

/** Opens both databases in one temporary directory, loads them, measures, and cleans up. */
fun main(args: Array<String>) {
    val s = Settings(args)
    val dir = Files.createTempDirectory("nts-reads-kt-")
    val rt = ManagementFactory.getRuntimeMXBean()
    println("JVM %s %s, max heap %d MiB, GC %s, flags %s".format(
        rt.vmName, Runtime.version(), Runtime.getRuntime().maxMemory() shr 20,
        ManagementFactory.getGarbageCollectorMXBeans().joinToString("+") { it.name }, rt.inputArguments))
    println("%,d points/series x %d series, %,d events, %,d alerts, %,d calls; warm-up %d ms per read, best of %d rounds; files in %s"
        .format(s.points, SERIES, s.events, s.alerts, s.calls, s.warmupMs, s.rounds, dir))
    StorageManager.open(dir.resolve("neotalk").toString()).use { db ->
        DriverManager.getConnection("jdbc:sqlite:${dir.resolve("sqlite.db")}").use { con ->
            println("SQLite %s (sqlite-jdbc %s)".format(con.metaData.databaseProductVersion, con.metaData.driverVersion))
            con.createSchema()
            load(s, db, con)
            run(s, db, con)
        }
    }
    dir.toFile().deleteRecursively()
}
