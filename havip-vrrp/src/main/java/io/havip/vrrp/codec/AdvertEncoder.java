package io.havip.vrrp.codec;

import io.havip.core.net.IpAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Encodes adverts for one sender, keeping the bytes while the advertisement (the same
 * instance, as {@code VrrpMachine} hands out for a master's steady adverts) and the source
 * repeat: a master's periodic advert then costs no encoding and no allocation. One entry per
 * destination; a new advertisement or source starts afresh.
 *
 * <p>Not thread-safe (one per engine thread). The arrays returned are shared between calls:
 * callers and transports must not modify them.
 */
public final class AdvertEncoder {

    private VrrpAdvertisement advertisement;
    private IpAddress source;
    private final Map<IpAddress, byte[]> encoded = new HashMap<>();

    /** {@link VrrpCodec#encode}, or the bytes it gave for the same advertisement, source and destination. */
    public byte[] encode(VrrpAdvertisement adv, IpAddress from, IpAddress destination) {
        if (adv != advertisement || !from.equals(source)) {
            advertisement = adv;
            source = from;
            encoded.clear();
        }
        byte[] bytes = encoded.get(destination);
        if (bytes == null) {
            bytes = VrrpCodec.encode(adv, from, destination);
            encoded.put(destination, bytes);
        }
        return bytes;
    }
}
