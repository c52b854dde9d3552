package io.havip.arp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.havip.arp.packet.ArpPacket;
import io.havip.arp.packet.EthernetFrame;
import io.havip.arp.packet.MalformedPacketException;
import io.havip.arp.packet.NeighborAdvertisement;
import java.util.Arrays;

/**
 * Jazzer harnesses for the ARP and Neighbor Advertisement decoders: whatever the bytes, a
 * decoder returns a value or throws {@link MalformedPacketException}; anything else (an
 * unchecked exception, an {@link Error}, a hang) is a finding. What decodes must also encode
 * back to the bytes it came from, so a decoder cannot "succeed" by misreading a field.
 *
 * <p>Without {@code JAZZER_FUZZ=1} each method replays its committed inputs under
 * {@code src/test/resources/io/havip/arp/fuzz/PacketDecodeFuzzTestInputs/<method>/} in the
 * normal test run; {@code scripts/fuzz.sh arp|ethernet|na SECONDS} fuzzes one (FUZZING.md).
 */
class PacketDecodeFuzzTest {

    @FuzzTest
    void arp(byte[] bytes) {
        ArpPacket p;
        try {
            p = ArpPacket.decode(bytes);
        } catch (MalformedPacketException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        // bytes after the 28 of an Ethernet/IPv4 ARP packet (padding) are ignored
        assertThat(p.encode()).isEqualTo(Arrays.copyOf(bytes, ArpPacket.LENGTH));
    }

    @FuzzTest
    void ethernet(byte[] bytes) {
        EthernetFrame f;
        try {
            f = EthernetFrame.decode(bytes);
        } catch (MalformedPacketException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(f.encodeUnpadded()).isEqualTo(bytes);
        try {
            ArpPacket.fromFrame(f);
        } catch (MalformedPacketException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @FuzzTest
    void neighborAdvertisement(byte[] bytes) {
        NeighborAdvertisement na;
        try {
            na = NeighborAdvertisement.decodeFrame(bytes);
        } catch (MalformedPacketException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        // a decoded advertisement encodes to a frame that decodes to the same advertisement
        try {
            assertThat(NeighborAdvertisement.decodeFrame(na.encodeFrame())).isEqualTo(na);
        } catch (MalformedPacketException e) {
            throw new AssertionError("re-encoding " + na + " does not decode: " + e.getMessage(), e);
        }
    }
}
