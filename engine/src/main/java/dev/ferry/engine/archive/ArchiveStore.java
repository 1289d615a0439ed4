package dev.ferry.engine.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where an archive's objects live: a directory ({@code file://…}, {@link DirectoryStore}) or an S3-compatible object
 * store ({@code s3://…}, {@link S3Store}). Objects are named by keys of {@code /}-separated parts, are written whole
 * and atomically (a reader sees the whole object or none of it: a temporary file renamed in a directory, a completed
 * upload in S3) and are never changed once written. A missing object is a {@link java.nio.file.NoSuchFileException}
 * on every store, so that a reader racing a retention can tell "gone" from "broken". Thread-safe.
 */
public interface ArchiveStore extends AutoCloseable
{
    /**
     * An object as a listing shows it.
     *
     * @param key                its key.
     * @param size               its size in bytes.
     * @param lastModifiedMillis when it was written, in milliseconds since the epoch.
     */
    record ObjectInfo(String key, long size, long lastModifiedMillis)
    {
    }

    /**
     * @return the archive's URI, as given.
     */
    String uri();

    /**
     * Write an object from a file, atomically and durably: when this returns the object is whole and survives a crash
     * of this process (and, for a directory, a power loss).
     *
     * @param key  the key.
     * @param file the bytes.
     * @throws IOException if it cannot be written (no partial object is ever visible).
     */
    void put(String key, Path file) throws IOException;

    /**
     * Write a small object, atomically and durably, as {@link #put(String, Path)}.
     *
     * @param key   the key.
     * @param bytes the bytes.
     * @throws IOException if it cannot be written.
     */
    void put(String key, byte[] bytes) throws IOException;

    /**
     * @param key a key.
     * @return its bytes, to be closed by the caller.
     * @throws java.nio.file.NoSuchFileException if there is no such object (never written, or removed).
     * @throws IOException                       if it cannot be read.
     */
    InputStream get(String key) throws IOException;

    /**
     * @param prefix a key prefix, e.g. {@code generations/} ("" for all).
     * @return the objects whose keys start with it, in key order.
     * @throws IOException if the store cannot be listed.
     */
    List<ObjectInfo> list(String prefix) throws IOException;

    /**
     * Remove an object; removing a missing one is not an error.
     *
     * @param key the key.
     * @throws IOException if it cannot be removed.
     */
    void delete(String key) throws IOException;

    @Override
    void close();
}
