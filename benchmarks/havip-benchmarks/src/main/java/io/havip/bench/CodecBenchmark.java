package io.havip.bench;

import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.vrrp.codec.DecodeResult;
import io.havip.vrrp.codec.VrrpAdvertisement;
import io.havip.vrrp.codec.VrrpCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link VrrpCodec} encode and decode of one advertisement carrying one IPv4 VIP, as the
 * benchmark failover configuration sends it: VRRPv3 (pseudo-header checksum) and VRRPv2 with
 * a PASS password. Run with {@code -prof gc} for the bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    private final IpAddress source = Ipv4Address.parse("198.51.100.11");
    private final IpAddress destination = Ipv4Address.parse("198.51.100.12");
    private final IpAddress vip = Ipv4Address.parse("198.51.100.50");
    private VrrpAdvertisement v3;
    private VrrpAdvertisement v2;
    private byte[] v3Bytes;
    private byte[] v2Bytes;

    @Setup
    public void setup() {
        v3 = VrrpAdvertisement.v3(51, 100, 10, vip);
        v2 = VrrpAdvertisement.v2(51, 100, 1, "hvbench1", java.util.List.of(vip));
        v3Bytes = VrrpCodec.encode(v3, source, destination);
        v2Bytes = VrrpCodec.encode(v2, source, destination);
    }

    @Benchmark
    public byte[] encodeV3() {
        return VrrpCodec.encode(v3, source, destination);
    }

    @Benchmark
    public DecodeResult decodeV3() {
        return VrrpCodec.decode(v3Bytes, source, destination);
    }

    @Benchmark
    public byte[] encodeV2() {
        return VrrpCodec.encode(v2, source, destination);
    }

    @Benchmark
    public DecodeResult decodeV2() {
        return VrrpCodec.decode(v2Bytes, source, destination);
    }
}
