package dev.ferry.wal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class WalConfigTest
{
    /**
     * Every setting (found by reflection: an accessor with a fluent setter of the same name and type) set to a value
     * other than its default survives {@link WalConfig#copy()}; so does every field, so a setting added without an
     * accessor pair is caught too.
     */
    @Test
    void shouldCopyEverySetting() throws ReflectiveOperationException
    {
        final WalConfig defaults = new WalConfig();
        final WalConfig config = new WalConfig();
        final List<Method> accessors = settings();
        assertTrue(accessors.size() >= 12, "settings found: " + accessors);
        for (final Method accessor : accessors)
        {
            final Object value = nonDefault(accessor, accessor.invoke(defaults));
            WalConfig.class.getMethod(accessor.getName(), accessor.getReturnType()).invoke(config, value);
            assertEquals(value, accessor.invoke(config), accessor.getName());
        }

        final WalConfig copy = config.copy();

        assertNotSame(config, copy);
        for (final Method accessor : accessors)
        {
            assertEquals(accessor.invoke(config), accessor.invoke(copy), accessor.getName() + " not copied");
            assertNotEquals(accessor.invoke(defaults), accessor.invoke(copy), accessor.getName() + " is a default");
        }
        for (final Field field : WalConfig.class.getDeclaredFields())
        {
            if (!Modifier.isStatic(field.getModifiers()) && !field.getName().equals("concluded"))
            {
                field.setAccessible(true);
                assertTrue(Objects.equals(field.get(config), field.get(copy)), "field " + field.getName() + " not copied");
            }
        }
    }

    @Test
    void shouldCopyIndependentlyAndUnconcluded()
    {
        final WalConfig config = new WalConfig().directory(Path.of("wal")).conclude();
        final WalConfig copy = config.copy().firstOffset(5);
        assertEquals(0, config.firstOffset());
        assertEquals(5, copy.firstOffset());
        assertEquals(config.rollCycle(), copy.rollCycle(), "concluded defaults are carried over");
        copy.firstOffset(-1);
        assertThrows(copy);
    }

    private static void assertThrows(final WalConfig config)
    {
        try
        {
            config.conclude();
            fail("a copy is validated again by conclude()");
        }
        catch (final WalException expected)
        {
            assertFalse(expected.getMessage().isEmpty());
        }
    }

    private static List<Method> settings()
    {
        final List<Method> settings = new ArrayList<>();
        for (final Method method : WalConfig.class.getMethods())
        {
            if (method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers()) &&
                method.getDeclaringClass() == WalConfig.class && hasSetter(method))
            {
                settings.add(method);
            }
        }
        return settings;
    }

    private static boolean hasSetter(final Method accessor)
    {
        try
        {
            return WalConfig.class.getMethod(accessor.getName(), accessor.getReturnType()).getReturnType() == WalConfig.class;
        }
        catch (final NoSuchMethodException ex)
        {
            return false;
        }
    }

    private static Object nonDefault(final Method accessor, final Object defaultValue)
    {
        final Class<?> type = accessor.getReturnType();
        if (type == boolean.class)
        {
            return !(Boolean)defaultValue;
        }
        if (type == int.class)
        {
            return (Integer)defaultValue + 7;
        }
        if (type == long.class)
        {
            return (Long)defaultValue + 12_345;
        }
        if (type == Path.class)
        {
            return Path.of("copied-wal");
        }
        if (type == RollCycle.class)
        {
            return TestRollCycles.TEST_SECONDLY;
        }
        if (type.isEnum())
        {
            for (final Object constant : type.getEnumConstants())
            {
                if (constant != defaultValue)
                {
                    return constant;
                }
            }
        }
        if (type == LongSupplier.class)
        {
            final LongSupplier clock = () -> 42;
            return clock;
        }
        if (type == TimeProvider.class)
        {
            return new SetTimeProvider(42);
        }
        return fail("no test value for setting " + accessor.getName() + " of type " + type.getName() + ": add one here");
    }
}
