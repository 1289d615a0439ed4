package dev.ferry.net.tls;

import dev.ferry.net.FrameConnection;
import dev.ferry.net.FrameHandler;
import dev.ferry.net.Transport;
import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A server and a client {@link FrameConnection} over loopback, each through the transport a test chooses, driven by
 * one thread: {@link #pumpUntil} runs both ends' receive and flush until a condition holds, with a deadline. Each
 * end records the first exception it threw and then stops. Closing closes both.
 */
final class Link implements AutoCloseable
{
    static final Duration DEADLINE = Duration.ofMinutes(1);
    static final String LOOPBACK = "127.0.0.1";

    final End server;
    final End client;

    Link(
        final Function<SocketChannel, Transport> serverTransport,
        final Function<SocketChannel, Transport> clientTransport,
        final int maxFrameBytes,
        final int sendBytes) throws IOException
    {
        final InetSocketAddress any = new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0);
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(any))
        {
            final SocketChannel clientChannel = SocketChannel.open(listener.getLocalAddress());
            final SocketChannel serverChannel = listener.accept();
            this.client = new End(
                "client", new FrameConnection(clientTransport.apply(clientChannel), maxFrameBytes, sendBytes));
            this.server = new End(
                "server", new FrameConnection(serverTransport.apply(serverChannel), maxFrameBytes, sendBytes));
        }
    }

    /**
     * Run both ends until {@code done} is true.
     *
     * @param what what is awaited, for the failure message.
     * @param done the condition.
     */
    void pumpUntil(final String what, final BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within " + DEADLINE + ": " + what + "; server " + server + ", client " + client);
            }
            client.dutyCycle();
            server.dutyCycle();
            client.rethrowFailedCheck();
            server.rethrowFailedCheck();
        }
    }

    /**
     * Run both ends until each has thrown.
     */
    void pumpUntilBothFailed()
    {
        pumpUntil("both ends to fail", () -> server.error != null && client.error != null);
    }

    @Override
    public void close()
    {
        client.close();
        server.close();
    }

    /**
     * One end: its connection, the frames it sends (numbered, {@code length(i)} bytes each, a body derived from the
     * number) and checks on receipt, and the first exception it threw.
     */
    static final class End implements FrameHandler, AutoCloseable
    {
        private static final int PATTERN_PERIOD = 251;

        final String name;
        final FrameConnection connection;
        final Arena arena = Arena.ofConfined();
        private final CRC32C crc = new CRC32C();
        private final ByteBufferView view = new ByteBufferView();
        private MemorySegment pattern;
        private FrameLengths lengths = i -> 64;
        private FrameHandler onOther;
        long toSend;
        long sent;
        long received;
        Throwable error;
        boolean sending = true;
        boolean receiving = true;

        End(final String name, final FrameConnection connection)
        {
            this.name = name;
            this.connection = connection;
        }

        /**
         * @param count   frames to send, and to expect from the other end.
         * @param lengths each frame's length.
         */
        void exchange(final long count, final FrameLengths lengths)
        {
            this.toSend = count;
            this.lengths = lengths;
        }

        /**
         * @param handler receives frames that are not the numbered ones (any type but {@code BATCH}).
         */
        void onOther(final FrameHandler handler)
        {
            this.onOther = handler;
        }

        void dutyCycle()
        {
            if (error != null)
            {
                return;
            }
            try
            {
                while (sending && sent < toSend)
                {
                    final int length = lengths.length(sent);
                    final long offset = connection.claim(length);
                    if (offset < 0)
                    {
                        break;
                    }
                    encode(connection.sendBuffer(), offset, sent, length);
                    connection.commit(length);
                    sent++;
                }
                connection.flush();
                if (receiving)
                {
                    connection.receive(this, 64);
                }
            }
            catch (final Throwable ex)
            {
                error = ex;
            }
        }

        private void encode(final MemorySegment buffer, final long offset, final long number, final int length)
        {
            buffer.set(LONG_LE, offset + HEADER_LENGTH, number);
            final int patternBytes = length - HEADER_LENGTH - Long.BYTES;
            MemorySegment.copy(pattern(length), number % PATTERN_PERIOD, buffer, offset + HEADER_LENGTH + Long.BYTES,
                patternBytes);
            FrameHeader.seal(crc, view, buffer, offset, MessageType.BATCH, length);
        }

        private MemorySegment pattern(final int length)
        {
            if (pattern == null || pattern.byteSize() < length + PATTERN_PERIOD)
            {
                pattern = arena.allocate(length + PATTERN_PERIOD);
                for (long i = 0; i < pattern.byteSize(); i++)
                {
                    pattern.set(JAVA_BYTE, i, (byte)(i % PATTERN_PERIOD));
                }
            }
            return pattern;
        }

        @Override
        public void onFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
        {
            if (type != MessageType.BATCH)
            {
                if (onOther == null)
                {
                    fail(name + " received an unexpected " + type);
                }
                onOther.onFrame(type, buffer, offset, length);
                return;
            }
            // checked without building a message unless one fails: the allocation test counts this thread's bytes
            final long number = buffer.get(LONG_LE, offset + HEADER_LENGTH);
            if (number != received)
            {
                assertEquals(received, number, name + ": frames in order");
            }
            if (length != lengths.length(received))
            {
                assertEquals(lengths.length(received), length, name + ": frame " + received + "'s length");
            }
            final int patternBytes = length - HEADER_LENGTH - Long.BYTES;
            final long start = received % PATTERN_PERIOD;
            final long mismatch = MemorySegment.mismatch(pattern(length), start, start + patternBytes,
                buffer, offset + HEADER_LENGTH + Long.BYTES, offset + length);
            if (mismatch != -1)
            {
                assertEquals(-1, mismatch, name + ": frame " + received + "'s body");
            }
            received++;
        }

        void rethrowFailedCheck()
        {
            if (error instanceof AssertionError)
            {
                throw (AssertionError)error; // a check in the frame handler failed
            }
        }

        TlsTransport tls()
        {
            return (TlsTransport)connection.transport();
        }

        @Override
        public void close()
        {
            connection.close();
            if (arena.scope().isAlive())
            {
                arena.close();
            }
        }

        @Override
        public String toString()
        {
            return "{sent " + sent + "/" + toSend + ", received " + received + ", pending " + connection.pendingBytes()
                + ", error " + error + '}';
        }
    }

    /** A frame's length from its number. */
    @FunctionalInterface
    interface FrameLengths
    {
        int length(long number);
    }
}
