package dev.ferry.wal.frame;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;

/**
 * The contract every fuzz target of a decoder of outside bytes checks, written once (net/PROTOCOL.md section 11). On
 * any input a decoder either
 * <ul>
 *   <li>accepts it, and then every field it hands out is in its documented range: the target's own checks, run
 *       inside {@link Decode#decode()}, throw an {@link AssertionError} when one is not; or</li>
 *   <li>refuses it with a {@link FrameException} whose {@link FrameException.Reason} decides its code; or</li>
 *   <li>refuses it with a {@link FerryException} of a code the target names as documented for that decoder (the
 *       handshake's {@code AUTHENTICATION}, say).</li>
 * </ul>
 * Anything else escapes to the fuzzer as a finding: an {@link IndexOutOfBoundsException}, a
 * {@link NullPointerException}, an {@link Error} ({@link OutOfMemoryError}, {@link StackOverflowError}), a
 * {@link FerryException} of another code; and so is a decode that allocates more than {@link #MAX_ALLOCATED_BYTES} on
 * the heap, the mark of a size read from the wire and trusted.
 */
public final class DecoderContract
{
    /**
     * The most a single decode may allocate on the heap. What a decoder legitimately allocates is bounded by the frame
     * (a replica id, an error message, a status document: at most a few times the 64 KiB frames the targets use) plus
     * an exception; a length read from the wire and trusted is up to 4 GiB. A decode during which a class was loaded
     * is not measured: loading (and Jazzer instrumenting) classes allocates on the loading thread, measured 19 MB for
     * the first decode in a fuzzing JVM; the next decode down the same path is measured.
     */
    public static final long MAX_ALLOCATED_BYTES = 8L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();

    /**
     * What a decoder made of an input.
     */
    public enum Outcome
    {
        /** Decoded, and every field checked was in its documented range. */
        ACCEPTED,
        /** Refused with a {@link FrameException}, or a {@link FerryException} of a documented code. */
        REFUSED
    }

    /**
     * One decode of one input, with the target's checks of what was accepted.
     */
    @FunctionalInterface
    public interface Decode
    {
        /**
         * Decodes, then checks every field the decoder handed out against its documented range.
         *
         * @throws AssertionError if an accepted field is out of its range.
         */
        void decode();
    }

    private DecoderContract()
    {
    }

    /**
     * Runs {@code decode} and checks the outcome against the contract.
     *
     * @param decode         the decode of one input, with its field checks.
     * @param documentedCodes the codes of the plain {@link FerryException}s this decoder documents, if any.
     * @return whether the input was accepted or refused.
     * @throws AssertionError if the decode broke the contract (an undocumented code, a {@link FrameException} whose
     *                        code is not its reason's, too much allocated); any other exception or error from the
     *                        decoder is passed through as it is.
     */
    public static Outcome check(final Decode decode, final ErrorCode... documentedCodes)
    {
        final long classesBefore = CLASSES.getTotalLoadedClassCount();
        final long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        Outcome outcome;
        try
        {
            decode.decode();
            outcome = Outcome.ACCEPTED;
        }
        catch (final FrameException ex)
        {
            checkFrameException(ex);
            outcome = Outcome.REFUSED;
        }
        catch (final FerryException ex)
        {
            if (!contains(documentedCodes, ex.code()))
            {
                throw new AssertionError("refused with an undocumented " + ex.code() + " FerryException", ex);
            }
            outcome = Outcome.REFUSED;
        }

        final long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
        if (allocated > MAX_ALLOCATED_BYTES && CLASSES.getTotalLoadedClassCount() == classesBefore)
        {
            throw new AssertionError(
                "one decode allocated " + allocated + " bytes (more than " + MAX_ALLOCATED_BYTES + "): " + outcome);
        }

        return outcome;
    }

    /**
     * Checks a field the decoder accepted.
     *
     * @param holds   whether the field is in its documented range.
     * @param message names the field, its value and its range.
     * @throws AssertionError if it is not.
     */
    public static void require(final boolean holds, final String message)
    {
        if (!holds)
        {
            throw new AssertionError("accepted out of range: " + message);
        }
    }

    private static void checkFrameException(final FrameException ex)
    {
        final FrameException.Reason reason = ex.reason();
        if (null == reason || reason.code() != ex.code())
        {
            throw new AssertionError("FrameException with reason " + reason + " carries code " + ex.code(), ex);
        }
        final String detail = ex.detail();
        if (null == detail || !detail.startsWith(reason.name() + ": ") || detail.length() == reason.name().length() + 2)
        {
            throw new AssertionError("FrameException without a message saying what was wrong: " + detail, ex);
        }
    }

    private static boolean contains(final ErrorCode[] codes, final ErrorCode code)
    {
        for (final ErrorCode candidate : codes)
        {
            if (candidate == code)
            {
                return true;
            }
        }
        return false;
    }
}
