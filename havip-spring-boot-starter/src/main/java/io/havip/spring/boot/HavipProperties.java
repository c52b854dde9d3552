package io.havip.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code havip.routers.<name>.*}: one virtual router per name, with the settings of
 * {@link io.havip.vrrp.Havip.Builder} under the same names in kebab case. Unset settings keep
 * the builder's defaults (keepalived's). Three lines hold an address:
 *
 * <pre>
 * havip.routers.web.interface-name=eth0
 * havip.routers.web.vrid=51
 * havip.routers.web.virtual-addresses=198.51.100.50/24
 * </pre>
 *
 * Checked when the application starts: a wrong value stops it with a message that starts with
 * the property's name ({@code havip.routers.web.vrid: VRID 300 is outside 1-255}). A key under
 * {@code havip.} that names no setting ({@code havip.routers.web.priorty}) stops it too, and so
 * does a key or value holding an invisible character; blanks pasted around a value (a no-break
 * space) are dropped with a warning.
 */
@ConfigurationProperties(prefix = "havip", ignoreUnknownFields = false)
public class HavipProperties {

    /** The routers, by name (the router's name in logs, events, health and meters). */
    private Map<String, Router> routers = new LinkedHashMap<>();

    public Map<String, Router> getRouters() {
        return routers;
    }

    public void setRouters(Map<String, Router> routers) {
        this.routers = routers;
    }

    /** One router's settings; null means the builder's default. */
    public static class Router {
        /** Whether this router runs; false keeps its settings but starts nothing. */
        private boolean enabled = true;
        /** The interface the virtual addresses are bound to and adverts are sent on. Required. */
        private String interfaceName;
        /** The Virtual Router ID, 1-255, the same on every node of the router. Required. */
        private Integer vrid;
        /** VRRP version: 3 (default) or 2. */
        private Integer version;
        /** 1-254, or 255 for the address owner; default 100. */
        private Integer priority;
        /** Default 1s; v3: 10 ms steps from 10ms to 40.95s; v2: whole seconds. */
        private Duration advertInterval;
        /** The virtual addresses, such as 198.51.100.50/24. At least one. */
        private List<String> virtualAddresses = new ArrayList<>();
        /** Whether a higher-priority node takes over from a live lower-priority master; default true. */
        private Boolean preempt;
        /** After start-up, wait this long before preempting. */
        private Duration preemptDelay;
        /** VRRPv2 simple password (PASS), 1-8 bytes. */
        private String authPassword;
        /** The address adverts are sent from; default the interface's primary address. */
        private String sourceAddress;
        /** Unicast peers instead of the multicast group. */
        private List<String> unicastPeers = new ArrayList<>();
        /** With unicast peers: accept adverts from other sources (default false). */
        private Boolean acceptAdvertsFromNonPeers;
        /** As master, answer a lower-priority advert with a fresh GARP burst (default true). */
        private Boolean garpOnLowerPriorityAdvert;
        /** REMOVE (default) or REPORT a virtual address found here while not master. */
        private String strayAddressPolicy;
        /** Interfaces whose link is tracked, with their weight (0: FAULT while down). */
        private Map<String, Integer> trackInterfaces = new LinkedHashMap<>();
        /** On close as master, how long to keep the address while waiting for the new master. */
        private Duration handoverTimeout;
        /** The liveness channel's shared secret (16 bytes or more); turns the channel on. */
        private String livenessSecret;
        /** The liveness channel's TCP port; default 11200 + VRID. */
        private Integer livenessPort;
        /** How long an advert from a master whose process died may still cancel the takeover. */
        private Duration livenessGrace;
        /** How long each AddressHook bean may take before a transition goes on without it. */
        private Duration hookTimeout = Duration.ofSeconds(5);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getInterfaceName() {
            return interfaceName;
        }

        public void setInterfaceName(String interfaceName) {
            this.interfaceName = interfaceName;
        }

        public Integer getVrid() {
            return vrid;
        }

        public void setVrid(Integer vrid) {
            this.vrid = vrid;
        }

        public Integer getVersion() {
            return version;
        }

        public void setVersion(Integer version) {
            this.version = version;
        }

        public Integer getPriority() {
            return priority;
        }

        public void setPriority(Integer priority) {
            this.priority = priority;
        }

        public Duration getAdvertInterval() {
            return advertInterval;
        }

        public void setAdvertInterval(Duration advertInterval) {
            this.advertInterval = advertInterval;
        }

        public List<String> getVirtualAddresses() {
            return virtualAddresses;
        }

        public void setVirtualAddresses(List<String> virtualAddresses) {
            this.virtualAddresses = virtualAddresses;
        }

        public Boolean getPreempt() {
            return preempt;
        }

        public void setPreempt(Boolean preempt) {
            this.preempt = preempt;
        }

        public Duration getPreemptDelay() {
            return preemptDelay;
        }

        public void setPreemptDelay(Duration preemptDelay) {
            this.preemptDelay = preemptDelay;
        }

        public String getAuthPassword() {
            return authPassword;
        }

        public void setAuthPassword(String authPassword) {
            this.authPassword = authPassword;
        }

        public String getSourceAddress() {
            return sourceAddress;
        }

        public void setSourceAddress(String sourceAddress) {
            this.sourceAddress = sourceAddress;
        }

        public List<String> getUnicastPeers() {
            return unicastPeers;
        }

        public void setUnicastPeers(List<String> unicastPeers) {
            this.unicastPeers = unicastPeers;
        }

        public Boolean getAcceptAdvertsFromNonPeers() {
            return acceptAdvertsFromNonPeers;
        }

        public void setAcceptAdvertsFromNonPeers(Boolean acceptAdvertsFromNonPeers) {
            this.acceptAdvertsFromNonPeers = acceptAdvertsFromNonPeers;
        }

        public Boolean getGarpOnLowerPriorityAdvert() {
            return garpOnLowerPriorityAdvert;
        }

        public void setGarpOnLowerPriorityAdvert(Boolean garpOnLowerPriorityAdvert) {
            this.garpOnLowerPriorityAdvert = garpOnLowerPriorityAdvert;
        }

        public String getStrayAddressPolicy() {
            return strayAddressPolicy;
        }

        public void setStrayAddressPolicy(String strayAddressPolicy) {
            this.strayAddressPolicy = strayAddressPolicy;
        }

        public Map<String, Integer> getTrackInterfaces() {
            return trackInterfaces;
        }

        public void setTrackInterfaces(Map<String, Integer> trackInterfaces) {
            this.trackInterfaces = trackInterfaces;
        }

        public Duration getHandoverTimeout() {
            return handoverTimeout;
        }

        public void setHandoverTimeout(Duration handoverTimeout) {
            this.handoverTimeout = handoverTimeout;
        }

        public String getLivenessSecret() {
            return livenessSecret;
        }

        public void setLivenessSecret(String livenessSecret) {
            this.livenessSecret = livenessSecret;
        }

        public Integer getLivenessPort() {
            return livenessPort;
        }

        public void setLivenessPort(Integer livenessPort) {
            this.livenessPort = livenessPort;
        }

        public Duration getLivenessGrace() {
            return livenessGrace;
        }

        public void setLivenessGrace(Duration livenessGrace) {
            this.livenessGrace = livenessGrace;
        }

        public Duration getHookTimeout() {
            return hookTimeout;
        }

        public void setHookTimeout(Duration hookTimeout) {
            this.hookTimeout = hookTimeout;
        }
    }
}
