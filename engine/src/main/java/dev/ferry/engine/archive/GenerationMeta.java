package dev.ferry.engine.archive;

import dev.ferry.engine.history.History;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * What a generation is a copy of, in its {@code generation} object, written before anything else of it: the WAL's
 * history (its id and epochs, as the WAL's own history file holds them), the offset the generation starts at with the
 * WAL's chained checksum before it, and why it began. Properties text:
 * <pre>
 *   archiveFormat=1
 *   startOffset=0            the first offset the generation holds (its first segment's, or its first snapshot's)
 *   chainBefore=5a1e…        the chain before it, hex
 *   createdMillis=…          when it began
 *   reason=…                 why: "first", "another history", "epoch 3 began", "gap: …", "restored WAL"
 *   restoredId=…             the restore a WAL came from ("" for none): a restored WAL always starts a generation
 *   format=2, historyId=…, epoch=…, epochs=…   the history
 * </pre>
 *
 * @param history       the history.
 * @param startOffset   the first offset.
 * @param chainBefore   the chain before it.
 * @param createdMillis when it began.
 * @param reason        why.
 * @param restoredId    the restore the WAL came from, or "".
 */
record GenerationMeta(History history, long startOffset, int chainBefore, long createdMillis, String reason,
                      String restoredId)
{
    static final int FORMAT = 1;

    byte[] bytes()
    {
        final Properties props = new Properties();
        props.setProperty("archiveFormat", Integer.toString(FORMAT));
        props.setProperty("startOffset", Long.toString(startOffset));
        props.setProperty("chainBefore", Integer.toHexString(chainBefore));
        props.setProperty("createdMillis", Long.toString(createdMillis));
        props.setProperty("reason", reason);
        props.setProperty("restoredId", restoredId);
        final StringBuilder text = new StringBuilder(history.text());
        for (final String key : new java.util.TreeSet<>(props.stringPropertyNames()))
        {
            text.append(key).append('=').append(escape(props.getProperty(key))).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /**
     * @param store      the archive.
     * @param generation a generation.
     * @return its meta.
     * @throws IOException    if it cannot be read ({@link java.nio.file.NoSuchFileException} if it is not there).
     * @throws FerryException CHECKSUM if it is malformed.
     */
    static GenerationMeta load(final ArchiveStore store, final String generation) throws IOException
    {
        final String key = ArchiveLayout.generationKey(generation);
        final String text = new String(SegmentFormat.load(store, key, 1 << 20, "archive object"), StandardCharsets.UTF_8);
        try
        {
            final Properties props = new Properties();
            props.load(new StringReader(text));
            final int format = Integer.parseInt(props.getProperty("archiveFormat", "0").trim());
            if (format != FORMAT)
            {
                throw new IllegalArgumentException("archiveFormat " + format + " is not one this Ferry reads (" +
                    FORMAT + ")");
            }
            return new GenerationMeta(History.parse(text), Long.parseLong(props.getProperty("startOffset").trim()),
                (int)Long.parseLong(props.getProperty("chainBefore").trim(), 16),
                Long.parseLong(props.getProperty("createdMillis").trim()), props.getProperty("reason", ""),
                props.getProperty("restoredId", ""));
        }
        catch (final RuntimeException ex)
        {
            throw new FerryException(ErrorCode.CHECKSUM, "archive object " + key + " is malformed: " + ex.getMessage(), ex);
        }
    }
}
