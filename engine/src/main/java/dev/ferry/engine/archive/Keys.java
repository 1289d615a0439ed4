package dev.ferry.engine.archive;

/**
 * The keys every store accepts: the same on all of them, so that an archive copied from one store to another keeps
 * every object.
 */
final class Keys
{
    private Keys()
    {
    }

    /**
     * @param key a key.
     * @return the key.
     * @throws IllegalArgumentException if it is empty, starts with {@code /}, has a {@code ..} or a {@code \}, or has
     *                                  a directory store's temporary-file marker (it would never be listed there).
     */
    static String check(final String key)
    {
        if (key.isEmpty() || key.startsWith("/") || key.contains("..") || key.contains("\\")
            || key.contains(DirectoryStore.TMP))
        {
            throw new IllegalArgumentException("not an archive key: '" + key + "'");
        }
        return key;
    }
}
