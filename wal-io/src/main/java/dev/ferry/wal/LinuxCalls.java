package dev.ferry.wal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls to the C library on Linux, through Panama: the few tuning calls Ferry makes ({@code prctl},
 * {@code madvise}). Each is optional: where it is not available, the caller gets null and tunes nothing.
 */
final class LinuxCalls
{
    private LinuxCalls()
    {
    }

    /**
     * @param name       the C function.
     * @param descriptor its signature.
     * @param options    linker options (e.g. where its variadic arguments begin).
     * @return its handle, or null when this is not Linux, the symbol is missing or native access is not enabled.
     */
    @SuppressWarnings("restricted") // a downcall: the launcher, surefire and JMH pass --enable-native-access
    static MethodHandle find(final String name, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        if (!System.getProperty("os.name", "").startsWith("Linux"))
        {
            return null;
        }
        try
        {
            final Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find(name).map(symbol -> linker.downcallHandle(symbol, descriptor, options))
                .orElse(null);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return null; // e.g. native access not enabled: no tuning
        }
    }
}
