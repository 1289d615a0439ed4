package dev.ferry.engine.archive;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Opens the store an archive URI names.
 */
public final class Archives
{
    /** The forms {@link #open} accepts, for error messages. */
    static final String FORMS = "file:///absolute/path, file:relative/path, a plain path, or"
        + " s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]";

    /** A URI scheme: a letter, then letters, digits, '+', '-', '.', then ':' (a lone letter is a Windows drive). */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

    private Archives()
    {
    }

    /**
     * @param uri {@code file:///absolute/path}, {@code file:relative/path} or a plain path (a {@link DirectoryStore},
     *            created if missing), or {@code s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]} (an
     *            {@link S3Store}, on a bucket that exists).
     * @return the store, to be closed by the caller.
     * @throws FerryException {@link ErrorCode#CONFIGURATION} if the URI is none of those forms,
     *                        {@link ErrorCode#STORAGE} if the store cannot be opened.
     */
    public static ArchiveStore open(final String uri)
    {
        return open(uri, true);
    }

    /**
     * As {@link #open(String)}, for a reader (list, verify, restore, a standby): a directory archive must exist.
     *
     * @param uri the archive's URI.
     * @return the store, to be closed by the caller.
     * @throws FerryException as {@link #open(String)}, and {@link ErrorCode#STORAGE} if a directory archive is missing.
     */
    public static ArchiveStore openExisting(final String uri)
    {
        return open(uri, false);
    }

    private static ArchiveStore open(final String uri, final boolean create)
    {
        if (uri == null || uri.isBlank())
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "no archive URI: write " + FORMS);
        }
        if (!SCHEME.matcher(uri).find())
        {
            return directory(path(uri, uri), uri, create);
        }
        final URI parsed;
        try
        {
            parsed = new URI(uri);
        }
        catch (final URISyntaxException e)
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                "the archive URI '" + uri + "' is not a URI (" + e.getReason() + "): write " + FORMS, e);
        }
        return switch (parsed.getScheme().toLowerCase(Locale.ROOT))
        {
            case "file" -> directory(file(parsed, uri), uri, create);
            case "s3" -> s3(parsed, uri);
            default -> throw new FerryException(ErrorCode.CONFIGURATION,
                "unsupported archive URI '" + uri + "': write " + FORMS);
        };
    }

    private static Path file(final URI parsed, final String uri)
    {
        if (parsed.isOpaque())
        {
            return path(parsed.getSchemeSpecificPart(), uri); // file:relative/path
        }
        final String host = parsed.getAuthority();
        if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost"))
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "the archive URI '" + uri + "' names the host '" + host
                + "': a directory archive is on this machine; write " + FORMS + " (file:///path has three slashes)");
        }
        if (parsed.getPath() == null || parsed.getPath().isEmpty())
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "no path in the archive URI '" + uri + "': write " + FORMS);
        }
        return path(parsed.getPath(), uri);
    }

    private static Path path(final String path, final String uri)
    {
        try
        {
            return Path.of(path);
        }
        catch (final InvalidPathException e)
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                "the archive URI '" + uri + "' is not a path here (" + e.getReason() + "): write " + FORMS, e);
        }
    }

    private static ArchiveStore directory(final Path root, final String uri, final boolean create)
    {
        if (!create && !java.nio.file.Files.isDirectory(root))
        {
            throw new FerryException(ErrorCode.STORAGE, "no archive at " + uri + ": " + root.toAbsolutePath() +
                " is not a directory");
        }
        try
        {
            return new DirectoryStore(root, uri);
        }
        catch (final IOException e)
        {
            throw new FerryException(ErrorCode.STORAGE,
                "cannot create the archive directory " + root.toAbsolutePath() + " (" + e + ")", e);
        }
    }

    private static ArchiveStore s3(final URI parsed, final String uri)
    {
        try
        {
            return S3Store.open(parsed);
        }
        catch (final IllegalArgumentException e)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, e.getMessage(), e);
        }
        catch (final IOException e)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot open the archive '" + uri + "': " + e.getMessage(), e);
        }
    }
}
