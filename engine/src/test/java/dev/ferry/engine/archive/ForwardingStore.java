package dev.ferry.engine.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A store that passes every call to another: a test overrides the call it wants to go wrong (a read that fails, or
 * that runs a retention first).
 */
class ForwardingStore implements ArchiveStore
{
    private final ArchiveStore store;

    /**
     * @param store where the calls go.
     */
    ForwardingStore(final ArchiveStore store)
    {
        this.store = store;
    }

    @Override
    public String uri()
    {
        return store.uri();
    }

    @Override
    public void put(final String key, final Path file) throws IOException
    {
        store.put(key, file);
    }

    @Override
    public void put(final String key, final byte[] bytes) throws IOException
    {
        store.put(key, bytes);
    }

    @Override
    public InputStream get(final String key) throws IOException
    {
        return store.get(key);
    }

    @Override
    public List<ObjectInfo> list(final String prefix) throws IOException
    {
        return store.list(prefix);
    }

    @Override
    public void delete(final String key) throws IOException
    {
        store.delete(key);
    }

    @Override
    public void close()
    {
        // the store it forwards to is closed by its owner
    }
}
