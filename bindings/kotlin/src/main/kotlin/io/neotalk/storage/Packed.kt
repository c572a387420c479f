// Kotlin arrays in and out of the packed telemetry calls. The generated calls take and return
// little-endian ByteArrays (one copy across the boundary for a million points); these
// overloads do the packing with the JDK's bulk buffer copies, so a caller works in
// LongArray / DoubleArray / BooleanArray and never in byte order.
package io.neotalk.storage

import java.nio.ByteBuffer
import java.nio.ByteOrder

private fun littleEndian(bytes: Int): ByteBuffer = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN)

private fun LongArray.toLittleEndian(): ByteArray =
    littleEndian(size * 8).also { it.asLongBuffer().put(this) }.array()

private fun DoubleArray.toLittleEndian(): ByteArray =
    littleEndian(size * 8).also { it.asDoubleBuffer().put(this) }.array()

private fun BooleanArray.toBytes(): ByteArray = ByteArray(size) { if (this[it]) 1 else 0 }

private fun ByteArray.littleEndian(): ByteBuffer = ByteBuffer.wrap(this).order(ByteOrder.LITTLE_ENDIAN)

/**
 * Commits float points of one series in one transaction: `timestamps[i]` (Unix ms) with
 * `values[i]`. The two arrays must have the same size; NaN and infinities are refused
 * (`StorageException.InvalidInput` naming `values`).
 *
 * ```kotlin
 * db.timeseries().writePacked("thermo-1", "temperature", longArrayOf(1_000, 2_000), doubleArrayOf(21.5, 21.6))
 * ```
 */
fun TimeSeriesStoreInterface.writePacked(deviceId: String, metric: String, timestamps: LongArray, values: DoubleArray) =
    writePackedColumn(deviceId, metric, timestamps.toLittleEndian(), values.toLittleEndian(), PackedValueType.FLOAT)

/** Commits integer points of one series in one transaction (the core's integer column). */
fun TimeSeriesStoreInterface.writePacked(deviceId: String, metric: String, timestamps: LongArray, values: LongArray) =
    writePackedColumn(deviceId, metric, timestamps.toLittleEndian(), values.toLittleEndian(), PackedValueType.INTEGER)

/** Commits boolean points of one series in one transaction (the core's boolean column). */
fun TimeSeriesStoreInterface.writePacked(deviceId: String, metric: String, timestamps: LongArray, values: BooleanArray) =
    writePackedColumn(deviceId, metric, timestamps.toLittleEndian(), values.toBytes(), PackedValueType.BOOLEAN)

/** The timestamps (Unix ms) of a packed series, decoded into a `LongArray`. */
fun PackedSeries.timestampArray(): LongArray =
    LongArray(timestamps.size / 8).also { timestamps.littleEndian().asLongBuffer().get(it) }

/** The values of a packed series, decoded into a `DoubleArray`. */
fun PackedSeries.valueArray(): DoubleArray =
    DoubleArray(values.size / 8).also { values.littleEndian().asDoubleBuffer().get(it) }
