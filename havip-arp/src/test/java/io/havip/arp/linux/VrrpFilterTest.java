package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.IpFamily;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The VRID filter of {@link VrrpReceiveSocket#vridFilter}, run by a classic BPF interpreter
 * of the instructions it uses (the kernel's semantics, linux/filter.h): the IT shows the kernel
 * accepts and applies it; this checks every VRID and length edge, and the jump offsets of the
 * largest program (255 VRIDs, where an 8-bit offset could overflow).
 */
class VrrpFilterTest {

    /** Runs {@code program} over {@code packet}: the number of bytes kept (0: dropped). */
    static int run(int[][] program, byte[] packet) {
        int a = 0;
        int x = 0;
        for (int pc = 0; pc < program.length; pc++) {
            int[] i = program[pc];
            int k = i[3];
            switch (i[0]) {
                case Sys.BPF_RET_K -> {
                    return k;
                }
                case Sys.BPF_LD_W_LEN -> a = packet.length;
                case Sys.BPF_LD_B_ABS -> {
                    if (k >= packet.length) {
                        return 0; // the kernel drops on an out-of-bounds load
                    }
                    a = packet[k] & 0xff;
                }
                case Sys.BPF_LDX_MSH_B -> {
                    if (k >= packet.length) {
                        return 0;
                    }
                    x = 4 * (packet[k] & 0xf);
                }
                case Sys.BPF_LD_B_IND -> {
                    if (x + k >= packet.length) {
                        return 0;
                    }
                    a = packet[x + k] & 0xff;
                }
                case Sys.BPF_JEQ_K -> pc += Integer.compareUnsigned(a, k) == 0 ? i[1] : i[2];
                case Sys.BPF_JGT_K -> pc += Integer.compareUnsigned(a, k) > 0 ? i[1] : i[2];
                default -> throw new AssertionError("instruction " + i[0] + " not interpreted");
            }
            assertThat(i[1]).isBetween(0, 255);
            assertThat(i[2]).isBetween(0, 255);
        }
        throw new AssertionError("fell off the end of the program");
    }

    static byte[] ipv4(int vrid, int length, int ihl) {
        byte[] p = new byte[length];
        p[0] = (byte) (0x40 | ihl);
        p[ihl * 4 + 1] = (byte) vrid;
        return p;
    }

    static byte[] ipv6(int vrid, int length) {
        byte[] p = new byte[length];
        p[1] = (byte) vrid;
        return p;
    }

    @Test
    void passesExactlyTheRegisteredVridsForBothFamilies() {
        int[] some = {3, 7, 200};
        int[][] v4 = VrrpReceiveSocket.vridFilter(some, IpFamily.IPV4);
        int[][] v6 = VrrpReceiveSocket.vridFilter(some, IpFamily.IPV6);
        for (int vrid = 0; vrid <= 255; vrid++) {
            boolean wanted = vrid == 3 || vrid == 7 || vrid == 200;
            assertThat(run(v4, ipv4(vrid, 40, 5)) != 0).as("IPv4 VRID %d", vrid).isEqualTo(wanted);
            assertThat(run(v4, ipv4(vrid, 80, 15)) != 0).as("IPv4 with options, VRID %d", vrid).isEqualTo(wanted);
            assertThat(run(v6, ipv6(vrid, 24)) != 0).as("IPv6 VRID %d", vrid).isEqualTo(wanted);
        }
    }

    @Test
    void allVridsAtOnceStayWithinTheJumpRange() {
        int[] all = IntStream.rangeClosed(1, 255).toArray();
        for (IpFamily family : IpFamily.values()) {
            int[][] p = VrrpReceiveSocket.vridFilter(all, family);
            for (int vrid = 1; vrid <= 255; vrid++) {
                byte[] packet = family == IpFamily.IPV4 ? ipv4(vrid, 40, 5) : ipv6(vrid, 24);
                assertThat(run(p, packet)).as("%s VRID %d", family, vrid).isEqualTo(Sys.BPF_ACCEPT_WHOLE);
            }
            assertThat(run(p, family == IpFamily.IPV4 ? ipv4(0, 40, 5) : ipv6(0, 24))).isZero();
        }
    }

    @Test
    void datagramsLongerThanAnyVrrpMessageAreDroppedWhateverTheirVrid() {
        int[][] p = VrrpReceiveSocket.vridFilter(new int[] {1}, IpFamily.IPV4);
        assertThat(run(p, ipv4(1, VrrpReceiveSocket.MAX_VRRP_DATAGRAM, 5))).isNotZero();
        assertThat(run(p, ipv4(1, VrrpReceiveSocket.MAX_VRRP_DATAGRAM + 1, 5))).isZero();
        assertThat(run(p, ipv4(1, 65_000, 5))).isZero();
    }

    @Test
    void noVridDropsEverythingAndABadOneIsRefused() {
        assertThat(VrrpReceiveSocket.vridFilter(new int[0], IpFamily.IPV4)).isEqualTo(Sys.BPF_DROP_ALL);
        assertThat(VrrpReceiveSocket.vridFilter(new int[] {5, 5, 5}, IpFamily.IPV6)).hasNumberOfRows(4 + 1 + 2);
        assertThatThrownBy(() -> VrrpReceiveSocket.vridFilter(new int[] {256}, IpFamily.IPV4))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("VRID 256 is outside 1-255");
    }
}
