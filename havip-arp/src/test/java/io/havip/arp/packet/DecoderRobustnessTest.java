package io.havip.arp.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decoders return a value or throw MalformedPacketException, whatever the bytes. */
class DecoderRobustnessTest {

    interface Decoder {
        Object decode(byte[] bytes) throws MalformedPacketException;
    }

    private static final List<Decoder> DECODERS = List.of(
            EthernetFrame::decode,
            ArpPacket::decode,
            bytes -> ArpPacket.fromFrame(EthernetFrame.decode(bytes)),
            NeighborAdvertisement::decodeFrame);

    private static final List<byte[]> VALID = List.of(
            GratuitousArp.request(MacAddress.parse("02:00:c6:33:64:0b"), Ipv4Address.parse("198.51.100.50")).encode(),
            GratuitousArp.reply(MacAddress.parse("02:00:c6:33:64:0b"), Ipv4Address.parse("203.0.113.7")).encodeUnpadded(),
            NeighborAdvertisement.unsolicited(MacAddress.parse("02:00:c6:33:64:0b"), Ipv6Address.parse("2001:db8::50")).encodeFrame(),
            new ArpPacket(ArpPacket.Operation.REPLY, MacAddress.parse("02:00:c6:33:64:0b"), Ipv4Address.parse("198.51.100.1"),
                    MacAddress.parse("02:00:c6:33:64:0c"), Ipv4Address.parse("198.51.100.2")).encode());

    @Test
    void randomBytesNeverEscapeAsAnotherException() {
        Random random = new Random(826);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[random.nextInt(120)];
            random.nextBytes(bytes);
            decodeAll(bytes);
        }
    }

    @Test
    void everyTruncationAndEverySingleByteMutationOfValidPacketsIsHandled() {
        Random random = new Random(4861);
        for (byte[] valid : VALID) {
            for (int length = 0; length <= valid.length; length++) {
                decodeAll(Arrays.copyOf(valid, length));
            }
            for (int at = 0; at < valid.length; at++) {
                for (int v : new int[] {0x00, 0xff, 0x01, 0x80, random.nextInt(256)}) {
                    byte[] mutated = valid.clone();
                    mutated[at] = (byte) v;
                    decodeAll(mutated);
                }
            }
        }
    }

    @Test
    void randomTailsOnValidHeadersAreHandled() {
        Random random = new Random(1071);
        for (int n = 0; n < 5_000; n++) {
            byte[] valid = VALID.get(random.nextInt(VALID.size()));
            byte[] bytes = Arrays.copyOf(valid, random.nextInt(valid.length + 40));
            for (int i = random.nextInt(Math.max(1, bytes.length)); i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            decodeAll(bytes);
        }
    }

    private static void decodeAll(byte[] bytes) {
        for (Decoder decoder : DECODERS) {
            try {
                assertThat(decoder.decode(bytes)).isNotNull();
            } catch (MalformedPacketException e) {
                assertThat(e.reason()).isNotNull();
                assertThat(e.getMessage()).startsWith("cannot decode ");
            } catch (RuntimeException e) {
                throw new AssertionError("decoder threw " + e + " on " + java.util.HexFormat.of().formatHex(bytes), e);
            }
        }
    }
}
