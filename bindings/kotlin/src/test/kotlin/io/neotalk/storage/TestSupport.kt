package io.neotalk.storage

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.AfterTest

/** What every store test class shares: temporary directories deleted after each test, and a
 *  run on both backends. */
abstract class StorageTestBase {
    private val dirs = mutableListOf<Path>()

    /** A new temporary directory, deleted after the test. */
    protected fun tempDir(): Path = Files.createTempDirectory("neotalk-kt-").also { dirs.add(it) }

    @AfterTest
    fun deleteTempDirs() {
        dirs.forEach { it.toFile().deleteRecursively() }
        dirs.clear()
    }

    /** Runs [body] on a memory and on a redb database. */
    protected fun onBoth(body: (StorageManager) -> Unit) {
        StorageManager.inMemory().use(body)
        StorageManager.open(tempDir().toString()).use(body)
    }
}

private fun pack(size: Int, n: Int, put: ByteBuffer.(Int) -> Unit): ByteArray =
    ByteBuffer.allocate(size * n).order(ByteOrder.LITTLE_ENDIAN).apply { for (i in 0 until n) put(i) }.array()

/** Little-endian `f32`s, the layout of the packed vector and embedding calls. */
fun packFloats(vararg xs: Float): ByteArray = pack(4, xs.size) { putFloat(xs[it]) }

/** Little-endian `i64`s, the layout of packed timestamps. */
fun packLongs(vararg xs: Long): ByteArray = pack(8, xs.size) { putLong(xs[it]) }

/** Little-endian `f64`s, the layout of packed values. */
fun packDoubles(vararg xs: Double): ByteArray = pack(8, xs.size) { putDouble(xs[it]) }
