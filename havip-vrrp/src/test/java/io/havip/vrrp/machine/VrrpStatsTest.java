package io.havip.vrrp.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;

/** The allocation-free copy of the counters ({@link VrrpStats.Counters#copyInto}, {@link VrrpStats#of}) the engine publishes. */
class VrrpStatsTest {

    @Test
    void everyCounterSurvivesTheCopyInItsOwnPlace() throws ReflectiveOperationException {
        VrrpStats.Counters c = new VrrpStats.Counters();
        Field[] fields = VrrpStats.Counters.class.getDeclaredFields();
        RecordComponent[] components = VrrpStats.class.getRecordComponents();
        assertEquals(VrrpStats.COUNT, components.length, "COUNT is the record's number of counters");
        long value = 1;
        for (Field f : fields) {
            if (f.getType() == long.class) {
                f.setLong(c, value++ * 1_000_003L);
            }
        }
        assertEquals(VrrpStats.COUNT + 1, value, "Counters has one field per record component");
        long[] copy = new long[VrrpStats.COUNT];
        c.copyInto(copy);
        VrrpStats viaCopy = VrrpStats.of(copy);
        assertEquals(c.snapshot(), viaCopy);
        for (RecordComponent rc : components) {
            // by name: a counter copied into another's place fails here even when the snapshot agrees
            Field f = VrrpStats.Counters.class.getDeclaredField(rc.getName());
            assertEquals(f.getLong(c), (long) rc.getAccessor().invoke(viaCopy), rc.getName());
        }
    }

    @Test
    void aWrongNumberOfCountersIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VrrpStats.of(new long[3]));
        assertEquals("3 counters where a VrrpStats has 21", e.getMessage());
    }
}
