package dev.ferry.engine.archive;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * A snapshot object: a node's state snapshot file (opaque: whatever its state machine wrote, with its own checksum),
 * zstd-compressed as a stream, between a header and a checksum of the whole object:
 * <pre>
 *   0  magic "FERRYSNP"   8 bytes
 *   8  format            int (1)
 *  12  chain before      int (the WAL's chained checksum before the offset: a WAL restored from here chains from it)
 *  16  offset            long (the state holds every entry below it)
 *  24  time              long, ns (the timestamp of the last entry it holds)
 *  32  raw length        long (the state file's length)
 *  40  zstd stream       ...
 *  ..  CRC32C of all bytes before, int
 * </pre>
 * Written and read as streams through temporary files, never whole in memory.
 */
final class SnapshotFormat
{
    static final long MAGIC = 0x504E_5359_5252_4546L; // "FERRYSNP" little-endian
    static final int FORMAT = 1;
    static final int HEADER_LENGTH = 40;

    private SnapshotFormat()
    {
    }

    /**
     * A snapshot object's header.
     *
     * @param chainBefore the WAL's chained checksum before the offset.
     * @param offset      the offset.
     * @param timeNs      the timestamp of the last entry it holds.
     * @param rawLength   the state file's length.
     */
    record Header(int chainBefore, long offset, long timeNs, long rawLength)
    {
    }

    /**
     * Write an object for a state file.
     *
     * @param state  the node's state snapshot file.
     * @param header its header.
     * @param object the object's file (created).
     * @throws IOException if either cannot be read or written (a state file removed meanwhile: NoSuchFileException).
     */
    static void write(final Path state, final Header header, final Path object) throws IOException
    {
        final CRC32C crc = new CRC32C();
        try (OutputStream file = Files.newOutputStream(object);
            CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(file, 1 << 16), crc))
        {
            final ByteBuffer head = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(MAGIC).putInt(FORMAT).putInt(header.chainBefore()).putLong(header.offset())
                .putLong(header.timeNs()).putLong(header.rawLength());
            checked.write(head.array());
            final OutputStream zstd = new ZstdOutputStream(new NonClosing(checked), 3);
            try (InputStream in = Files.newInputStream(state))
            {
                in.transferTo(zstd);
            }
            zstd.close();
            final ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            trailer.putInt((int)crc.getValue());
            checked.flush();
            file.write(trailer.array()); // not through the checksum
        }
    }

    /**
     * Check an object (downloaded to a file) and write the state file it holds.
     *
     * @param object the object's file.
     * @param name   its key (for messages).
     * @param state  where the state file goes (created).
     * @return the header.
     * @throws FerryException CHECKSUM if the object is damaged or truncated.
     * @throws IOException    if the files cannot be read or written.
     */
    static Header read(final Path object, final String name, final Path state) throws IOException
    {
        final long size = Files.size(object);
        if (size < HEADER_LENGTH + 4)
        {
            throw damaged(name, "it has " + size + " bytes, fewer than a header and a checksum");
        }
        final CRC32C whole = new CRC32C();
        final ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(object, StandardOpenOption.READ))
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
            long position = 0;
            while (position < size - 4)
            {
                buffer.clear().limit((int)Math.min(buffer.capacity(), size - 4 - position));
                final int n = channel.read(buffer, position);
                if (n < 0)
                {
                    break;
                }
                whole.update(buffer.flip());
                position += n;
            }
            channel.read(trailer, size - 4);
        }
        if ((int)whole.getValue() != trailer.getInt(0))
        {
            throw damaged(name, "its checksum does not match its bytes (damaged or truncated)");
        }
        final Header header;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(object), 1 << 16))
        {
            final byte[] head = new DataInputStream(in).readNBytes(HEADER_LENGTH);
            final ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            if (h.getLong() != MAGIC)
            {
                throw damaged(name, "it is not a Ferry snapshot");
            }
            final int format = h.getInt();
            if (format != FORMAT)
            {
                throw damaged(name, "format " + format + " is not one this Ferry reads (" + FORMAT + ")");
            }
            header = new Header(h.getInt(), h.getLong(), h.getLong(), h.getLong());
            final InputStream body = new BoundedStream(in, size - 4 - HEADER_LENGTH);
            try (InputStream zstd = new ZstdInputStream(body); OutputStream out = Files.newOutputStream(state))
            {
                // never more than the header says (plus one byte to see an excess): a damaged or hostile stream
                // must not fill the disk
                final long copied = new BoundedStream(zstd, header.rawLength() + 1).transferTo(out);
                if (copied != header.rawLength())
                {
                    throw damaged(name, "it holds " + copied + " bytes of state, its header says " + header.rawLength());
                }
            }
            catch (final IOException ex)
            {
                if (ex.getClass().getName().startsWith("com.github.luben"))
                {
                    throw damaged(name, "its compressed state cannot be read: " + ex.getMessage());
                }
                throw ex;
            }
        }
        return header;
    }

    /**
     * @param in  an object's stream.
     * @param out where it goes.
     * @return the bytes copied.
     * @throws IOException if reading or writing fails.
     */
    static long download(final InputStream in, final Path out) throws IOException
    {
        try (in; OutputStream file = Files.newOutputStream(out))
        {
            return in.transferTo(file);
        }
    }

    private static FerryException damaged(final String name, final String why)
    {
        return new FerryException(ErrorCode.CHECKSUM, "archive snapshot " + name + " is damaged: " + why);
    }

    /** Keeps a stream open when a wrapping stream is closed. */
    private static final class NonClosing extends java.io.FilterOutputStream
    {
        NonClosing(final OutputStream out)
        {
            super(out);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException
        {
            flush();
        }
    }

    /** At most {@code limit} bytes of a stream. */
    private static final class BoundedStream extends java.io.FilterInputStream
    {
        private long left;

        BoundedStream(final InputStream in, final long limit)
        {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException
        {
            if (left <= 0)
            {
                return -1;
            }
            final int b = in.read();
            if (b >= 0)
            {
                left--;
            }
            return b;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException
        {
            if (left <= 0)
            {
                return -1;
            }
            final int n = in.read(b, off, (int)Math.min(len, left));
            if (n > 0)
            {
                left -= n;
            }
            return n;
        }

        @Override
        public void close()
        {
            // the outer stream closes the file
        }
    }
}
