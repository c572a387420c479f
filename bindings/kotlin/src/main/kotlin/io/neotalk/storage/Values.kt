// Plain Kotlin values in and out of telemetry points: `DataPoint(1_000L, 21.5)` instead of
// `DataPoint(1_000L, MetricValue.Float(21.5))`, and `point.value.asDouble` instead of a cast.
// Nothing is converted between value types: an accessor of another type gives null.
package io.neotalk.storage

/** A float point (`MetricValue.Float`). */
fun DataPoint(timestamp: Long, value: Double, quality: Float? = null, metadata: String? = null) =
    DataPoint(timestamp, MetricValue.Float(value), quality, metadata)

/** An integer point (`MetricValue.Integer`). */
fun DataPoint(timestamp: Long, value: Long, quality: Float? = null, metadata: String? = null) =
    DataPoint(timestamp, MetricValue.Integer(value), quality, metadata)

/** A boolean point (`MetricValue.Boolean`). */
fun DataPoint(timestamp: Long, value: Boolean, quality: Float? = null, metadata: String? = null) =
    DataPoint(timestamp, MetricValue.Boolean(value), quality, metadata)

/** A text point (`MetricValue.String`). */
fun DataPoint(timestamp: Long, value: String, quality: Float? = null, metadata: String? = null) =
    DataPoint(timestamp, MetricValue.String(value), quality, metadata)

/** A binary point (`MetricValue.Binary`). */
fun DataPoint(timestamp: Long, value: ByteArray, quality: Float? = null, metadata: String? = null) =
    DataPoint(timestamp, MetricValue.Binary(value), quality, metadata)

/** The number of a `Float` value; null for every other type. */
val MetricValue.asDouble: Double? get() = (this as? MetricValue.Float)?.value

/** The number of an `Integer` value; null for every other type. */
val MetricValue.asLong: Long? get() = (this as? MetricValue.Integer)?.value

/** The flag of a `Boolean` value; null for every other type. */
val MetricValue.asBoolean: Boolean? get() = (this as? MetricValue.Boolean)?.value

/** The text of a `String` value; null for every other type. */
val MetricValue.asString: String? get() = (this as? MetricValue.String)?.value

/** The bytes of a `Binary` value; null for every other type. */
val MetricValue.asBytes: ByteArray? get() = (this as? MetricValue.Binary)?.value
