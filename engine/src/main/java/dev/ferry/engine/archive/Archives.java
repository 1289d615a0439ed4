package dev.ferry.engine.archive;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Opens an archive by its URI: {@code file:///path}, {@code file:path} or a plain path for a directory.
 */
public final class Archives
{
    private Archives()
    {
    }

    /**
     * @param uri the archive's URI.
     * @return its store.
     * @throws FerryException CONFIGURATION for a URI of no known form; STORAGE if a directory cannot be created.
     */
    public static ArchiveStore open(final String uri)
    {
        try
        {
            if (uri.startsWith("file:"))
            {
                final String rest = uri.substring("file:".length());
                return new DirectoryStore(rest.startsWith("//") ? Path.of(URI.create(uri)) : Path.of(rest), uri);
            }
            if (!uri.contains("://"))
            {
                return new DirectoryStore(Path.of(uri), uri);
            }
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot open the archive directory " + uri + ": " + ex.getMessage(), ex);
        }
        throw new FerryException(ErrorCode.CONFIGURATION, "'" + uri + "' is not an archive URI: file:///path or s3://bucket/prefix");
    }
}
