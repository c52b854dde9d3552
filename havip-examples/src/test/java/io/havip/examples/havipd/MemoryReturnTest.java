package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryReturnTest {

    private final HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    @Test
    void setsWhatTheCommandLineLeftAtItsDefaultAndNeverOverridesAValueGivenBefore() {
        boolean givenBefore = vm.getVMOption("G1PeriodicGCInterval").getOrigin() != VMOption.Origin.DEFAULT;
        List<String> first = MemoryReturn.apply();
        assertThat(first).hasSize(MemoryReturn.OPTIONS.size());
        if (!givenBefore) {
            assertThat(first).contains("G1PeriodicGCInterval=5000");
            assertThat(vm.getVMOption("G1PeriodicGCInterval").getValue()).isEqualTo("5000");
        }
        assertThat(Integer.parseInt(vm.getVMOption("MinHeapFreeRatio").getValue()))
                .isLessThanOrEqualTo(Integer.parseInt(vm.getVMOption("MaxHeapFreeRatio").getValue()));
        // now every option has a value that did not come from the defaults: a second run keeps them all
        assertThat(MemoryReturn.apply()).allSatisfy(line -> assertThat(line).endsWith("(as given)"));
    }
}
