package dev.ferry.engine;

import dev.ferry.wal.frame.BatchFlyweight;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * A loopback proxy between a replica and its primary that damages entries in flight the way a bad NIC or memory
 * would and a frame checksum cannot tell: in {@code corruptions} uncompressed {@code BATCH} frames from the primary,
 * it flips one bit of the first entry's payload and seals the frame again, so the frame arrives whole and the
 * entry's own CRC32C is what finds the damage. One at a time: the next only after the damaged batch is sent again,
 * because the replica drops the batches already in flight behind a damaged one unread (a gap), and damaging one of
 * those would go uncounted. Everything else passes through as is. Each connection is served by two
 * daemon threads; {@link #close} ends them all.
 */
final class CorruptingProxy implements AutoCloseable
{
    private final ServerSocketChannel server;
    private final InetSocketAddress upstream;
    private final AtomicInteger corruptions;
    private final AtomicInteger corrupted = new AtomicInteger();
    private long awaitingResendOf = -1; // the proxy-down thread's only
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /**
     * @param upstream    the primary.
     * @param corruptions how many batches to damage.
     * @throws IOException if it cannot listen.
     */
    CorruptingProxy(final InetSocketAddress upstream, final int corruptions) throws IOException
    {
        this.upstream = upstream;
        this.corruptions = new AtomicInteger(corruptions);
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        this.acceptor = Thread.ofPlatform().daemon().name("corrupting-proxy").start(this::accept);
    }

    /**
     * @return where a replica connects.
     * @throws IOException if the address cannot be read.
     */
    InetSocketAddress address() throws IOException
    {
        return (InetSocketAddress)server.getLocalAddress();
    }

    /**
     * @return how many batches it damaged.
     */
    int corrupted()
    {
        return corrupted.get();
    }

    private void accept()
    {
        try
        {
            while (server.isOpen())
            {
                final SocketChannel down = server.accept();
                final SocketChannel up = SocketChannel.open(upstream);
                open.add(down);
                open.add(up);
                Thread.ofPlatform().daemon().name("proxy-up").start(() -> pump(down, up));
                Thread.ofPlatform().daemon().name("proxy-down").start(() -> frames(up, down));
            }
        }
        catch (final IOException closed)
        {
            // closed: the end
        }
    }

    private static void pump(final SocketChannel from, final SocketChannel to)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        try
        {
            while (from.read(buffer.clear()) >= 0)
            {
                buffer.flip();
                while (buffer.hasRemaining())
                {
                    to.write(buffer);
                }
            }
        }
        catch (final IOException closed)
        {
            // either side closed
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    /** Frame by frame from the primary, damaging the batches asked for. */
    private void frames(final SocketChannel from, final SocketChannel to)
    {
        final ByteBuffer header = ByteBuffer.allocate(FrameHeader.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        try
        {
            while (readFully(from, header.clear()))
            {
                final int length = header.getInt(FrameHeader.LENGTH_OFFSET);
                final ByteBuffer frame = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
                frame.put(header.flip());
                if (!readFully(from, frame))
                {
                    break;
                }
                final boolean batch = (frame.get(FrameHeader.TYPE_OFFSET) & 0xFF) == MessageType.BATCH.value();
                final long first = batch ? frame.getLong(BatchFlyweight.FIRST_OFFSET_OFFSET) : -1;
                if (batch && awaitingResendOf >= 0 && first <= awaitingResendOf)
                {
                    awaitingResendOf = -1; // the damaged batch is sent again: the next damage is one the replica sees
                }
                // batches already in flight behind a damaged one are dropped by the replica unread, so damaging one
                // of them would count nothing: wait for the re-send first
                if (batch && awaitingResendOf < 0 &&
                    frame.get(BatchFlyweight.CODEC_OFFSET) == 0 && frame.getInt(BatchFlyweight.COUNT_OFFSET) > 0 &&
                    frame.getInt(BatchFlyweight.ENTRIES_OFFSET + BatchFlyweight.ENTRY_LENGTH_OFFSET) > 0 &&
                    corruptions.getAndDecrement() > 0)
                {
                    awaitingResendOf = first;
                    final int at = BatchFlyweight.ENTRIES_OFFSET + BatchFlyweight.ENTRY_HEADER_LENGTH;
                    frame.put(at, (byte)(frame.get(at) ^ 0x10));
                    final CRC32C crc = new CRC32C();
                    crc.update(frame.array(), 0, FrameHeader.CRC32C_OFFSET);
                    crc.update(frame.array(), FrameHeader.HEADER_LENGTH, length - FrameHeader.HEADER_LENGTH);
                    frame.putInt(FrameHeader.CRC32C_OFFSET, (int)crc.getValue());
                    corrupted.incrementAndGet();
                }
                frame.flip();
                while (frame.hasRemaining())
                {
                    to.write(frame);
                }
            }
        }
        catch (final IOException closed)
        {
            // either side closed
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    private static boolean readFully(final SocketChannel from, final ByteBuffer into) throws IOException
    {
        while (into.hasRemaining())
        {
            if (from.read(into) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing
        }
    }

    @Override
    public void close()
    {
        try
        {
            server.close();
        }
        catch (final IOException ignore)
        {
            // closing
        }
        for (final SocketChannel channel : open)
        {
            closeQuietly(channel);
        }
        try
        {
            acceptor.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
