package io.havip.vrrp.machine;

import static io.havip.core.RouterState.BACKUP;
import static io.havip.core.RouterState.FAULT;
import static io.havip.core.RouterState.INITIALIZE;
import static io.havip.core.RouterState.MASTER;
import static io.havip.core.RouterState.STOP;

import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv6Address;
import io.havip.vrrp.codec.DecodeResult;
import io.havip.vrrp.codec.RejectReason;
import io.havip.vrrp.codec.VrrpAdvertisement;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.codec.VrrpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One virtual router's VRRP state machine, sans-IO: RFC 5798 section 6 (VRRPv3) and
 * RFC 3768 section 6 (VRRPv2), plus keepalived's FAULT and STOP states.
 *
 * <h2>Contract</h2>
 * No threads, no sockets, no clock: every input carries {@code nowNanos} (a monotonic
 * reading, only differences matter) and returns the {@link Action}s to carry out, in order.
 * After each input the driver asks {@link #nextDeadlineNanos()} and calls
 * {@link #onTimer(long)} once that time has come. Not thread-safe: one thread (the
 * router's engine thread, or the simulation) owns a machine. A malformed or foreign packet
 * is counted in {@link #stats()} and dropped; packet input never throws.
 *
 * <h2>Timers (RFC 5798 section 6.1)</h2>
 * {@code Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256} for v3 (computed in
 * nanoseconds, as keepalived does in microseconds, rather than truncated centiseconds);
 * {@code (256 - Priority) / 256} s for v2 (RFC 3768 section 6.1).
 * {@code Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time}. A v3 backup learns
 * {@code Master_Adver_Interval} from the master's adverts; a v2 router discards adverts
 * whose interval differs from its own (RFC 3768 section 7.1).
 *
 * <h2>Preemption (keepalived 2.x semantics)</h2>
 * With {@code preempt} false a backup follows any master. With {@code preempt} true a backup
 * discards adverts of lower priority than its own, so the Master_Down_Timer runs out and it
 * takes over (RFC 5798 section 6.4.2). With a {@code preemptDelay} a backup keeps following
 * a lower-priority master until the delay has passed, counted from start-up, or, when it
 * later meets a lower-priority master after following one of equal or higher priority (or
 * after leaving FAULT or MASTER), from that first lower-priority advert (keepalived's
 * {@code preempt_time} in {@code vrrp_state_backup}).
 *
 * <h2>Validation (RFC 5798 section 7.1, in keepalived's order)</h2>
 * VRID and family (other routers: counted, not an error); with unicast peers, the IP source
 * must be one of them unless {@link RouterConfig#acceptAdvertsFromNonPeers()} (checked first,
 * before the packet is decoded, so a stranger's flood costs a set lookup; keepalived checks it
 * last and only with {@code vrrp_check_unicast_src}); TTL / hop limit 255 unless unicast
 * peers are configured (keepalived 2.x skips the check for unicast, where senders may use
 * {@code unicast_ttl}); version; for v2 auth type, password and advert interval; multicast
 * vs unicast destination; the address list (a mismatch is counted and the advert dropped, even
 * from the address owner, priority 255: section 7.1 would accept the owner's, but keepalived
 * drops it, and accepting it would let a forger take over without knowing the addresses).
 *
 * <h2>Addresses that drift (beyond the RFC)</h2>
 * The driver reports virtual addresses that disappear from or appear on the interface without
 * the machine asking ({@link #onAddressesLost}, {@link #onAddressesFound}), and changes of the
 * interface's MAC ({@link #onMacChanged}). A master puts a lost address back and announces it
 * ({@link Action.RestoreAddresses}; keepalived does at its next advert); a router that is not
 * master removes or reports a found one per {@link StrayAddressPolicy}; a master whose MAC
 * changed re-announces ({@link Action.Reannounce}). Reports the machine's own bind or unbind
 * causes arrive after its state changed and mean nothing then: a master hearing that its
 * address appeared, a backup that its address went. One address is repaired at most once per
 * {@link #REPAIR_HOLDDOWN} (the first time at once): a tool that keeps undoing it is fought
 * once a second, not at netlink speed.
 */
public final class VrrpMachine {

    private static final Logger LOG = LoggerFactory.getLogger(VrrpMachine.class);
    /** RFC 5798 section 5.1.1.3: the TTL / hop limit a VRRP packet must arrive with. */
    public static final int REQUIRED_TTL = 255;
    private static final long NONE = Long.MIN_VALUE;
    private static final long SECOND = 1_000_000_000L;
    private static final long CENTISECOND = 10_000_000L;
    /** How soon one address may be restored or removed again after the last time. */
    public static final Duration REPAIR_HOLDDOWN = Duration.ofSeconds(1);
    private static final long REPAIR_HOLDDOWN_NANOS = REPAIR_HOLDDOWN.toNanos();

    private final RouterConfig config;
    private final IpAddress primaryAddress;
    private final TrackerSet trackers;
    private final VrrpStats.Counters counters = new VrrpStats.Counters();
    /** Senders already warned about a differing address list; bounded so forged sources cannot grow it. */
    /** (reason, source) pairs already logged: a bad sender adverts every interval, so log once, then count. */
    private final java.util.Set<String> dropsLogged = new HashSet<>();
    private static final int MAX_ADDRESS_LIST_WARNED = 64;
    /** Why an IPv6 peer given by its global address may advertise from a link-local one (checked with keepalived 2.2.7). */
    private static final String LINK_LOCAL_HINT = " (keepalived sends from its link-local address unless unicast_src_ip"
            + " is set: set it there to the address listed here, or list this link-local address as the peer)";
    private final long advertIntervalNanos;
    private final String name;
    /** The configured unicast peers, when adverts from others are dropped; null when any source is accepted. */
    private final java.util.Set<IpAddress> peersOnly;
    /** IPv6 peers given by global addresses: a link-local source may be one of them (keepalived's default source). */
    private final boolean globalV6Peers;

    private RouterState state = INITIALIZE;
    private int basePriority;
    private int effectivePriority;
    private long masterAdverIntervalNanos;
    private long masterDownDeadline = Long.MAX_VALUE;
    private long adverDeadline = Long.MAX_VALUE;
    /** keepalived's preempt_time: when a lower-priority master may be preempted; NONE when not running. */
    private long preemptAt = NONE;
    /** Why the Master_Down_Timer will have run out, if it does. */
    private TransitionReason downTimerReason = TransitionReason.MASTER_DOWN_TIMER;
    private IpAddress masterAddress;
    /** Sync group: the Master_Down_Timer ran out but the group held this member back. */
    private boolean wantsMaster;
    /** Sync group: in FAULT because another member is. */
    private boolean groupFault;
    /** Set when the router belongs to a {@link SyncGroup}. */
    private MasterGate gate;

    /**
     * Addresses to repair once their hold-down passed: lost ones as MASTER, stray ones otherwise.
     * Emptied when entering or leaving MASTER (the bind or unbind then sets every address right).
     */
    private final Map<IpAddress, InterfaceAddress> repairs = new LinkedHashMap<>();
    /** When each virtual address was last restored or removed (or reported) as a stray. */
    private final Map<IpAddress, Long> repairedAt = new HashMap<>();
    /** When the first waiting repair is due; {@code Long.MAX_VALUE} when none waits. */
    private long repairDeadline = Long.MAX_VALUE;

    /** A list holding just the SendAdvert of the last priority advertised (the master's steady path). */
    private List<Action> sendActionList;

    /**
     * The last advert {@link #accept} took without a remark (address list as ours, priority above
     * 0), as it came: the same bytes again skip the decode and the checks (the backup's steady path).
     */
    private AcceptedAdvert accepted;
    /** Set by {@link #accept} when it took an advert without a remark. */
    private boolean acceptedClean;
    /**
     * The last message the codec refused, as it came: the same bytes again (a flood repeating
     * one broken packet) are counted under the same reason without decoding them again.
     */
    private RejectedMessage rejected;

    private record RejectedMessage(byte[] bytes, IpAddress source, IpAddress destination, RejectReason reason) {
        boolean matches(IpAddress from, IpAddress to, byte[] message) {
            return from.equals(source) && to.equals(destination) && Arrays.equals(message, bytes);
        }
    }

    /** When a lower-priority advert was last answered in this mastership; NONE when not yet. */
    private long lowerAnsweredAt = NONE;
    /** Non-peers whose adverts were logged (bounded like {@link #dropsLogged}); then only counted. */
    private final java.util.Set<IpAddress> strangersLogged = new HashSet<>();
    /** When a priority-0 advert was last answered in this mastership; NONE when not yet. */
    private long zeroAnsweredAt = NONE;
    /** Senders of lower-priority adverts logged in this mastership (bounded like {@link #dropsLogged}). */
    private final java.util.Set<IpAddress> lowerLogged = new HashSet<>();

    private record AcceptedAdvert(byte[] bytes, IpAddress source, IpAddress destination, int ttl,
                                  VrrpAdvertisement advert) {
        boolean matches(IpAddress from, IpAddress to, int hops, byte[] message) {
            return hops == ttl && from.equals(source) && to.equals(destination) && Arrays.equals(message, bytes);
        }
    }

    /**
     * @param config         the router's settings
     * @param primaryAddress this node's address adverts are sent from (the interface's primary
     *                       address or keepalived's {@code mcast_src_ip}); equal-priority
     *                       elections compare it (RFC 5798 section 6.4.3)
     */
    public VrrpMachine(RouterConfig config, IpAddress primaryAddress) {
        if (config == null || primaryAddress == null) {
            throw new IllegalArgumentException("config and primaryAddress are required");
        }
        if (primaryAddress.family() != config.router().family()) {
            throw new IllegalArgumentException("primary address " + primaryAddress + " is " + primaryAddress.family()
                    + " but router " + config.router() + " is " + config.router().family());
        }
        this.config = config;
        this.primaryAddress = primaryAddress;
        this.trackers = new TrackerSet(config.router().interfaceName(), config.trackers());
        this.advertIntervalNanos = config.advertInterval().toNanos();
        this.masterAdverIntervalNanos = advertIntervalNanos;
        this.basePriority = config.priority();
        this.name = config.router().name();
        this.effectivePriority = computePriority();
        this.peersOnly = config.checksUnicastSource() ? java.util.Set.copyOf(config.unicastPeers()) : null;
        this.globalV6Peers = config.unicastPeers().stream().anyMatch(p -> p instanceof Ipv6Address v6 && !v6.isLinkLocal());
    }

    // ------------------------------------------------------------------ inputs

    /**
     * The Startup event (RFC 5798 section 6.4.1): the address owner becomes MASTER at once
     * (advert, bind, notify); others become BACKUP with the Master_Down_Timer set to
     * Master_Down_Interval; a router whose weight-0 tracker is down starts in FAULT.
     *
     * @throws IllegalStateException if already started
     */
    public List<Action> start(long nowNanos) {
        if (state != INITIALIZE) {
            throw new IllegalStateException("router " + name + " was already started (state " + state + ")");
        }
        List<Action> out = new ArrayList<>();
        effectivePriority = computePriority();
        if (!config.preemptDelay().isZero()) {
            preemptAt = nowNanos + config.preemptDelay().toNanos();
        }
        if (trackers.faulted()) {
            enterFault(nowNanos, TransitionReason.TRACKER_FAULT, out);
        } else if (effectivePriority == RouterConfig.OWNER_PRIORITY) {
            becomeMaster(nowNanos, TransitionReason.ADDRESS_OWNER, out);
        } else {
            enterBackup(nowNanos, TransitionReason.STARTUP, advertIntervalNanos, out);
        }
        return out;
    }

    /** Fires whatever timer is due at {@code nowNanos}; returns nothing if none is. */
    public List<Action> onTimer(long nowNanos) {
        if (state == MASTER && nowNanos >= adverDeadline && nowNanos < repairDeadline) {
            // RFC 5798 section 6.4.3: Adver_Timer fired: send an advert, reset the timer. The steady
            // path: the same action list every interval while the priority stays, no allocation.
            adverDeadline = nowNanos + advertIntervalNanos;
            countSent(effectivePriority);
            return sendActions(effectivePriority);
        }
        List<Action> out = new ArrayList<>();
        if (state == MASTER && nowNanos >= adverDeadline) {
            adverDeadline = nowNanos + advertIntervalNanos;
            sendAdvert(effectivePriority, out);
        }
        if (state == BACKUP && nowNanos >= masterDownDeadline) {
            if (gate == null || gate.mayBecomeMaster(this)) {
                // RFC 5798 section 6.4.2: Master_Down_Timer fired: advert, GARP, Adver_Timer, MASTER.
                becomeMaster(nowNanos, downTimerReason, out);
            } else {
                // keepalived vrrp_sync_can_goto_master: wait for the whole group to want MASTER.
                wantsMaster = true;
                masterDownDeadline = nowNanos + masterDownIntervalNanos();
                LOG.debug("{}: Master_Down_Timer ran out; waiting for the sync group", name);
            }
        }
        if (nowNanos >= repairDeadline) {
            repairsDue(nowNanos, out);
        }
        return out;
    }

    /**
     * A received VRRP message (the IP payload): decoded with {@link VrrpCodec} (a refusal is
     * counted under its keepalived name and logged with the codec's detail and hex), then as
     * {@link #onAdvertisement}. Never throws on any bytes.
     *
     * @param source      the IP source address (the sender's primary address)
     * @param destination the IP destination (multicast group or this node)
     * @param ttl         the IPv4 TTL or IPv6 hop limit it arrived with
     */
    public List<Action> onPacket(long nowNanos, IpAddress source, IpAddress destination, int ttl, byte[] vrrpMessage) {
        if (state == INITIALIZE || state == STOP || source == null || destination == null) {
            return List.of();
        }
        if ((state == BACKUP || state == MASTER) && accepted != null
                && accepted.matches(source, destination, ttl, vrrpMessage)) {
            // The steady path: the master's advert, byte for byte the one last accepted without a
            // remark from the same source: already decoded and validated (the checks depend on
            // the message and the configuration only), so no allocation. Also a flood repeating
            // one advert costs a comparison each.
            counters.advertisementsReceived++;
            if (state == BACKUP) {
                backupReceive(nowNanos, source, accepted.advert());
                return List.of();
            }
            List<Action> out = new ArrayList<>();
            masterReceive(nowNanos, source, accepted.advert(), out);
            return out;
        }
        if (rejected != null && rejected.matches(source, destination, vrrpMessage)) {
            countRejection(rejected.reason());
            return List.of();
        }
        if (peersOnly != null && vrrpMessage != null && vrrpMessage.length > 1
                && (vrrpMessage[1] & 0xff) == config.router().vrid() && source.family() == config.router().family() && fromStranger(source)) {
            return List.of(); // before the decode: a stranger's flood costs a set lookup per packet
        }
        DecodeResult result = VrrpCodec.decode(vrrpMessage, source, destination);
        if (result instanceof DecodeResult.Decoded decoded) {
            VrrpAdvertisement adv = decoded.advertisement();
            acceptedClean = false;
            List<Action> out = onAdvertisement(nowNanos, source, destination, ttl, adv);
            if (acceptedClean && adv.priority() > 0) {
                accepted = new AcceptedAdvert(vrrpMessage.clone(), source, destination, ttl, adv);
            }
            return out;
        }
        DecodeResult.Rejected refusal = (DecodeResult.Rejected) result;
        countRejection(refusal.reason());
        rejected = vrrpMessage == null ? null
                : new RejectedMessage(vrrpMessage.clone(), source, destination, refusal.reason());
        LOG.debug("{}: dropped message from {}: {}", name, source, refusal);
        return List.of();
    }

    /** Maps the codec's refusals onto keepalived's counters (vrrp_check_packet). */
    private void countRejection(RejectReason reason) {
        switch (reason) {
            case TOO_SHORT, ADDRESS_COUNT_MISMATCH -> counters.packetLengthErrors++;
            case BAD_VERSION -> counters.versionErrors++;
            case BAD_TYPE -> counters.invalidTypeReceived++;
            case BAD_CHECKSUM -> counters.checksumErrors++;
            case BAD_AUTH_TYPE -> counters.invalidAuthType++;
            case BAD_INTERVAL -> counters.advertIntervalErrors++;
            case BAD_VRID, FAMILY_MISMATCH -> counters.otherErrors++;
        }
    }

    /**
     * A decoded advertisement as received, for drivers (and tests) that decode themselves;
     * the engine passes raw bytes to {@link #onPacket}. Validates per RFC 5798 section 7.1,
     * counts, then runs the state's receive rule (sections 6.4.2 and 6.4.3).
     *
     * @param source      the sender's IP source address (its primary address)
     * @param destination the IP destination (multicast group or this node)
     * @param ttl         the IPv4 TTL or IPv6 hop limit it arrived with
     */
    public List<Action> onAdvertisement(long nowNanos, IpAddress source, IpAddress destination, int ttl,
                                        VrrpAdvertisement adv) {
        if (state == INITIALIZE || state == STOP || source == null || destination == null || adv == null) {
            return List.of();
        }
        if (!accept(source, destination, ttl, adv)) {
            return List.of();
        }
        if (state == BACKUP) {
            backupReceive(nowNanos, source, adv);
            return List.of();
        }
        List<Action> out = new ArrayList<>();
        if (state == MASTER) {
            masterReceive(nowNanos, source, adv, out);
        }
        return out;
    }

    /**
     * The liveness channel reports that {@code master}'s process died on a live host (its
     * channel ended without a goodbye, its port now refuses, and no advert came in the grace).
     * If this router is BACKUP and follows {@code master}, it acts as on a priority-0 advert
     * (RFC 5798 section 6.4.2), except that Skew_Time is computed at the 10 ms minimum
     * advert interval (RFC 5798 section 5.2.7: 1 centisecond), so with several backups the
     * highest priority still goes first, within 10 ms. The Master_Down_Timer is only ever
     * shortened, never lengthened; an advert from the master before it fires restores the
     * normal timer (the master lives after all). Anything else is ignored.
     *
     * @return no actions (the change is to the timer, see {@link #nextDeadlineNanos()})
     */
    public List<Action> onMasterProcessDied(long nowNanos, IpAddress master) {
        if (state != BACKUP || master == null || !master.equals(masterAddress)) {
            LOG.debug("{}: liveness reports {} dead; not our master ({}), ignored", name, master, masterAddress);
            return List.of();
        }
        long at = nowNanos + fastSkewTimeNanos();
        if (at < masterDownDeadline) {
            masterDownDeadline = at;
            downTimerReason = TransitionReason.MASTER_PROCESS_DIED;
            LOG.info("{}: master {} process died; taking over in {} us unless it speaks", name, master,
                    fastSkewTimeNanos() / 1000);
        }
        return List.of();
    }

    /**
     * Virtual addresses (as {@code ip addr} shows them, with their prefix) disappeared from the
     * router's interface. As MASTER, those the router holds are restored
     * ({@link Action.RestoreAddresses}, at once unless restored within the last
     * {@link #REPAIR_HOLDDOWN}, then when it has passed). In any other state nothing happens,
     * but a stray address waiting to be removed is forgotten: it went away by itself. Addresses
     * that are not the router's are ignored.
     */
    public List<Action> onAddressesLost(long nowNanos, List<InterfaceAddress> addresses) {
        List<Action> out = new ArrayList<>();
        if (state != MASTER) {
            for (int i = 0; i < addresses.size(); i++) { // no lambda: the first one is linked on a takeover
                repairs.remove(addresses.get(i).address());
            }
            repairDeadline = repairs.isEmpty() ? Long.MAX_VALUE : repairDeadline;
            return out;
        }
        for (InterfaceAddress a : addresses) {
            if (config.virtualAddresses().contains(a)) {
                repairs.put(a.address(), a);
            }
        }
        repairsDue(nowNanos, out);
        return out;
    }

    /**
     * Virtual addresses (with the prefix they were found with) appeared on the router's
     * interface. As BACKUP or FAULT (the router should not hold them) they are strays: removed
     * ({@link Action.RemoveStrayAddresses}) or reported ({@link Action.ReportStrayAddresses}) per
     * the config's {@link StrayAddressPolicy}, at once unless the same address was handled within
     * the last {@link #REPAIR_HOLDDOWN}. As MASTER, a lost address waiting to be restored is
     * forgotten: it is back. Addresses that are not the router's are ignored, whatever their prefix.
     */
    public List<Action> onAddressesFound(long nowNanos, List<InterfaceAddress> addresses) {
        List<Action> out = new ArrayList<>();
        if (state == MASTER) {
            for (int i = 0; i < addresses.size(); i++) { // no lambda: the first one is linked on a takeover
                repairs.remove(addresses.get(i).address());
            }
            repairDeadline = repairs.isEmpty() ? Long.MAX_VALUE : repairDeadline;
            return out;
        }
        if (state != BACKUP && state != FAULT) {
            return out;
        }
        List<IpAddress> ours = config.addresses();
        for (InterfaceAddress a : addresses) {
            if (ours.contains(a.address())) {
                repairs.put(a.address(), a);
            }
        }
        repairsDue(nowNanos, out);
        return out;
    }

    /**
     * The MAC of {@code interfaceName} changed. As MASTER on that interface: a fresh announcement
     * of every address ({@link Action.Reannounce}), since every client holds the old MAC and
     * would keep it until its entry fails. Otherwise nothing.
     */
    public List<Action> onMacChanged(long nowNanos, String interfaceName) {
        if (state != MASTER || !config.router().interfaceName().equals(interfaceName)) {
            return List.of();
        }
        LOG.debug("{}: the MAC of {} changed; re-announcing", name, interfaceName);
        return List.of(new Action.Reannounce(config.virtualAddresses()));
    }

    /**
     * Changes the base priority at run time (1-255); trackers' weights still apply. As
     * MASTER, an advert with the new priority goes out at once; the election then turns by
     * the usual rules (a higher-priority backup with preempt stops following this master).
     *
     * @throws IllegalArgumentException if {@code priority} is outside 1-255
     */
    public List<Action> setPriority(long nowNanos, int priority) {
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("router " + name + ": priority " + priority + " is outside 1-255");
        }
        basePriority = priority;
        return reevaluate(nowNanos);
    }

    /**
     * A link went up or down. Untracked interfaces are ignored; the router's own interface
     * is tracked with weight 0 (FAULT) unless its config gives another weight.
     */
    public List<Action> onInterfaceChange(long nowNanos, String interfaceName, boolean up) {
        if (!trackers.interfaceChanged(interfaceName, up)) {
            return List.of();
        }
        LOG.info("{}: interface {} is {}", name, interfaceName, up ? "up" : "down");
        return reevaluate(nowNanos);
    }

    /**
     * One result of a health check (a timeout counts as a failure); rise/fall decide when
     * the check changes state.
     *
     * @throws IllegalArgumentException if no check of that name is configured
     */
    public List<Action> onHealthResult(long nowNanos, String checkName, boolean success) {
        if (!trackers.healthResult(checkName, success)) {
            return List.of();
        }
        LOG.info("{}: health check {} is now {}", name, checkName, success ? "healthy" : "failing");
        return reevaluate(nowNanos);
    }

    /**
     * Stops the router for good (keepalived STOP). As MASTER: an advert with priority 0 so a
     * backup takes over after Skew_Time (RFC 5798 section 6.4.3 Shutdown), then unbind. From
     * any state a STOP notification; a second call does nothing.
     */
    public List<Action> shutdown(long nowNanos) {
        if (state == STOP) {
            return List.of();
        }
        List<Action> out = new ArrayList<>();
        RouterState from = state;
        if (from == MASTER) {
            leaveMaster(true, out);
        }
        state = STOP;
        clearTimers();
        forgetRepairs();
        notify(from, STOP, TransitionReason.SHUTDOWN, out);
        return out;
    }

    // ------------------------------------------------------------------ queries

    /** When {@link #onTimer} should next be called; {@link Long#MAX_VALUE} when no timer runs. */
    public long nextDeadlineNanos() {
        return switch (state) {
            case MASTER -> Math.min(adverDeadline, repairDeadline);
            case BACKUP -> Math.min(masterDownDeadline, repairDeadline);
            case FAULT -> repairDeadline;
            default -> Long.MAX_VALUE;
        };
    }

    public RouterState state() {
        return state;
    }

    /** The effective priority: base plus tracker weights, clamped to 1-254, or 255 for the owner. */
    public int priority() {
        return effectivePriority;
    }

    public int basePriority() {
        return basePriority;
    }

    public RouterConfig config() {
        return config;
    }

    public IpAddress primaryAddress() {
        return primaryAddress;
    }

    public VrrpStats stats() {
        return counters.snapshot();
    }

    /**
     * Writes the counters of {@link #stats()} into {@code into} ({@link VrrpStats#COUNT} longs, in
     * the record's order; {@link VrrpStats#of} reads them back) without allocating: for a driver
     * that publishes them after every advert.
     */
    public void statsInto(long[] into) {
        counters.copyInto(into);
    }

    /** The master this backup follows (source of the last accepted advert), if any. */
    public Optional<IpAddress> masterAddress() {
        return state == BACKUP ? Optional.ofNullable(masterAddress) : Optional.empty();
    }

    /**
     * True when this router is BACKUP and follows {@code peer} (the source of the last advert it
     * accepted): the liveness channel's reports about {@code peer} matter ({@link LivenessDeaths}).
     */
    public boolean follows(IpAddress peer) {
        return state == BACKUP && peer != null && peer.equals(masterAddress);
    }

    /**
     * The priority of {@code vrrpMessage} when this router would accept it as an advertisement
     * (decoded, and every check of {@link #onPacket}: VRID and family, not our own, a unicast
     * peer when only peers count, TTL, version, v2 authentication and interval, destination,
     * address list), else -1. Counts nothing and changes nothing: for the checks drivers make
     * outside the machine ({@link Handover}, {@link LivenessDeaths}), so that a misconfigured
     * router sharing the VRID (another address list), a stray from off-link (TTL) or garbage
     * from the master's address is no sign of a new master, nor of life.
     *
     * @param ttl the IPv4 TTL or IPv6 hop limit it arrived with
     */
    public int advertPriority(IpAddress source, IpAddress destination, int ttl, byte[] vrrpMessage) {
        if (source == null || destination == null || vrrpMessage == null) {
            return -1;
        }
        if (accepted != null && accepted.matches(source, destination, ttl, vrrpMessage)) {
            return accepted.advert().priority(); // the steady path: the master's advert as last accepted
        }
        DecodeResult d = VrrpCodec.decode(vrrpMessage, source, destination);
        return d instanceof DecodeResult.Decoded ok && check(source, destination, ttl, ok.advertisement()) == null
                ? ok.advertisement().priority() : -1;
    }

    /** Master_Adver_Interval: ours, or as learnt from the master's adverts (v3). */
    public Duration masterAdverInterval() {
        return Duration.ofNanos(masterAdverIntervalNanos);
    }

    /** Skew_Time at the current priority and Master_Adver_Interval. */
    public Duration skewTime() {
        return Duration.ofNanos(skewTimeNanos());
    }

    /** Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time. */
    public Duration masterDownInterval() {
        return Duration.ofNanos(masterDownIntervalNanos());
    }

    /** The keys of trackers that are down (e.g. {@code interface eth0}, {@code check db}). */
    public List<String> trackersDown() {
        return trackers.down();
    }

    @Override
    public String toString() {
        return "VrrpMachine[" + name + " " + state + " priority " + effectivePriority + " from " + primaryAddress + "]";
    }

    // ------------------------------------------------------------------ sync group hooks (package-private)

    /** Consulted before BACKUP turns MASTER by timer; a {@link SyncGroup} installs one. */
    @FunctionalInterface
    interface MasterGate {
        boolean mayBecomeMaster(VrrpMachine member);
    }

    void joinGroup(MasterGate groupGate) {
        if (gate != null) {
            throw new IllegalArgumentException("router " + name + " already belongs to a sync group");
        }
        this.gate = groupGate;
    }

    boolean inGroup() {
        return gate != null;
    }

    boolean wantsMaster() {
        return wantsMaster;
    }

    /** FAULT of its own (a weight-0 tracker), as opposed to one imposed by the group. */
    boolean ownFault() {
        return trackers.faulted();
    }

    boolean groupFault() {
        return groupFault;
    }

    List<Action> syncToMaster(long nowNanos) {
        List<Action> out = new ArrayList<>();
        if (state == BACKUP) {
            becomeMaster(nowNanos, TransitionReason.SYNC_GROUP, out);
        }
        return out;
    }

    List<Action> syncToBackup(long nowNanos) {
        List<Action> out = new ArrayList<>();
        if (state == MASTER) {
            leaveMaster(false, out);
            preemptAt = NONE;
            enterBackup(nowNanos, TransitionReason.SYNC_GROUP, advertIntervalNanos, out);
        }
        return out;
    }

    List<Action> syncToFault(long nowNanos) {
        List<Action> out = new ArrayList<>();
        groupFault = true;
        if (state == BACKUP || state == MASTER) {
            enterFault(nowNanos, TransitionReason.SYNC_GROUP, out);
        }
        return out;
    }

    List<Action> syncReleaseFault(long nowNanos) {
        List<Action> out = new ArrayList<>();
        groupFault = false;
        if (state == FAULT && !trackers.faulted()) {
            leaveFault(nowNanos, TransitionReason.SYNC_GROUP, out);
        }
        return out;
    }

    // ------------------------------------------------------------------ receive rules

    /** RFC 5798 section 7.1 validation with keepalived's counters; true when the advert is for us and sound. */
    private boolean accept(IpAddress source, IpAddress destination, int ttl, VrrpAdvertisement adv) {
        Drop drop = check(source, destination, ttl, adv);
        if (drop == null || drop == Drop.ADDRESS_LIST) {
            counters.advertisementsReceived++;
        }
        if (drop == null) {
            if (adv.priority() == 0) {
                counters.priorityZeroReceived++;
            }
            acceptedClean = true;
            return true;
        }
        switch (drop) {
            case FOREIGN -> counters.vridMismatch++;
            case OWN -> LOG.debug("{}: ignoring an advert from our own address {} (looped back)", name, source);
            case STRANGER -> fromStranger(source);
            case TTL -> {
                counters.ttlErrors++;
                logDrop("ttl", source, false, "{}: dropped advert from {}: TTL/hop limit {} is not {}", name, source, ttl,
                        REQUIRED_TTL);
            }
            case VERSION -> {
                counters.versionErrors++;
                logDrop("version", source, false, "{}: dropped advert from {}: version {} but we run {}", name, source,
                        adv.version().number(), config.version().number());
            }
            case AUTH_TYPE -> {
                counters.authTypeMismatch++;
                logDrop("auth type", source, false, "{}: dropped advert from {}: auth type {} but we use {}", name,
                        source, adv.authType(), config.authType());
            }
            case PASSWORD -> {
                counters.authFailures++;
                logDrop("password", source, false, "{}: dropped advert from {}: wrong password", name, source);
            }
            case INTERVAL -> {
                counters.advertIntervalErrors++;
                logDrop("interval", source, false, "{}: dropped advert from {}: interval {} s but ours is {} s", name,
                        source, adv.advertIntervalCs() / 100, config.advertIntervalCs() / 100);
            }
            case DESTINATION -> {
                counters.addressListErrors++;
                logDrop("destination", source, false, "{}: dropped advert from {} to {}: expected {}", name, source,
                        destination, config.unicastPeers().isEmpty() ? "multicast" : "unicast");
            }
            case ADDRESS_LIST -> {
                counters.addressListErrors++;
                logDrop("address list", source, true,
                        "{}: advert from {} lists {} but we have {}: misconfiguration (or forgery); dropped{} (logged "
                                + "once per source; counted in addressListErrors)",
                        name, source, adv.addresses(), config.addresses(),
                        adv.priority() == RouterConfig.OWNER_PRIORITY ? ", although it claims priority 255 (owner)" : "");
            }
        }
        return false;
    }

    /** Why {@link #check} refuses an advert. */
    private enum Drop { FOREIGN, OWN, STRANGER, TTL, VERSION, AUTH_TYPE, PASSWORD, INTERVAL, DESTINATION, ADDRESS_LIST }

    /**
     * RFC 5798 section 7.1 validation, in keepalived's order, without counting or logging: null
     * when the advert is for this router and sound. For v2 (RFC 3768 section 7.1) also the auth
     * type, the password (auth types above 2 are refused by the codec; AH, 2, is valid on the
     * wire but not ours) and the interval, which a v2 router MUST discard when it differs
     * (keepalived too, "to prevent concurrent VRID running"). A differing address list is
     * refused even from the address owner (priority 255), as keepalived does ("not present in
     * MASTER advert"): RFC 5798 section 7.1 would accept the owner's, which lets a forger that
     * does not know the addresses take over with one priority-255 advert.
     */
    private Drop check(IpAddress source, IpAddress destination, int ttl, VrrpAdvertisement adv) {
        if (adv.family() != config.router().family() || adv.vrid() != config.router().vrid()) {
            return Drop.FOREIGN;
        }
        if (source.equals(primaryAddress)) {
            return Drop.OWN;
        }
        if (peersOnly != null && !peersOnly.contains(source)) {
            return Drop.STRANGER;
        }
        if (config.unicastPeers().isEmpty() && ttl != REQUIRED_TTL) {
            return Drop.TTL;
        }
        if (adv.version() != config.version()) {
            return Drop.VERSION;
        }
        if (config.version() == VrrpVersion.V2) {
            if (adv.authType() != config.authType()) {
                return Drop.AUTH_TYPE;
            }
            if (config.authType() == 1 && !adv.authDataEquals(config.authData())) {
                return Drop.PASSWORD;
            }
            if (adv.advertIntervalCs() != config.advertIntervalCs()) {
                return Drop.INTERVAL;
            }
        }
        if (RouterConfig.isMulticast(destination) != config.unicastPeers().isEmpty()) {
            return Drop.DESTINATION;
        }
        List<IpAddress> ours = config.addresses();
        if (adv.addresses().size() != ours.size() || !containsAll(adv.addresses(), ours)) {
            return Drop.ADDRESS_LIST;
        }
        return null;
    }

    /** Whether {@code list} holds every element of {@code wanted} (a few addresses: no set needed). */
    private static boolean containsAll(List<IpAddress> list, List<IpAddress> wanted) {
        for (int i = 0; i < wanted.size(); i++) {
            if (!list.contains(wanted.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * True, after counting and logging it, when {@code source} is not a configured unicast peer
     * (only called with the check on). Our own address is left to the looped-back check.
     */
    private boolean fromStranger(IpAddress source) {
        if (peersOnly.contains(source) || source.equals(primaryAddress)) {
            return false;
        }
        counters.unicastSourceErrors++;
        // Once per source at WARN, like answerLower: a stranger's flood costs a set lookup, no allocation.
        boolean first = strangersLogged.size() < MAX_ADDRESS_LIST_WARNED && strangersLogged.add(source);
        if (first || LOG.isDebugEnabled()) {
            boolean linkLocal = globalV6Peers && source instanceof Ipv6Address v6 && v6.isLinkLocal();
            String format = "{}: dropped advert from {}: not a unicast peer (peers {}); a stranger on the segment, or a "
                    + "peer listed by another of its addresses{} (logged once per source; counted in "
                    + "unicastSourceErrors; acceptAdvertsFromNonPeers, or havip { accept_adverts_from_non_peers } in "
                    + "havipd, accepts them as keepalived does)";
            Object[] values = {name, source, config.unicastPeers(), linkLocal ? LINK_LOCAL_HINT : ""};
            if (first) {
                LOG.warn(format, values);
            } else {
                LOG.debug(format, values);
            }
        }
        return true;
    }

    /**
     * Whether an advert from {@code source} may count at all: false when unicast peers are
     * configured, adverts from non-peers are dropped, and {@code source} is none of them. For
     * drivers that look at adverts outside the machine (the engine during a handover).
     */
    public boolean acceptsSource(IpAddress source) {
        return peersOnly == null || peersOnly.contains(source);
    }

    /**
     * Logs a dropped advert the first time a source sends one for this reason (INFO, or WARN for
     * misconfigurations), then at DEBUG: the counters keep the totals, and a forged or
     * misconfigured sender repeating every interval must not flood the log. At most
     * {@value #MAX_ADDRESS_LIST_WARNED} (reason, source) pairs are remembered.
     */
    private void logDrop(String reason, IpAddress source, boolean warn, String format, Object... values) {
        String key = reason + " " + source;
        boolean first = dropsLogged.size() < MAX_ADDRESS_LIST_WARNED && dropsLogged.add(key);
        if (!first) {
            LOG.debug(format, values);
        } else if (warn) {
            LOG.warn(format, values);
        } else {
            LOG.info(format + " (further ones from this source are only counted)", values);
        }
    }

    /** RFC 5798 section 6.4.2 (Backup) with keepalived's preempt_delay. */
    private void backupReceive(long now, IpAddress source, VrrpAdvertisement adv) {
        if (adv.priority() == 0) {
            // The master is releasing: take over after Skew_Time unless another backup is faster.
            masterDownDeadline = now + skewTimeNanos();
            downTimerReason = TransitionReason.MASTER_RELEASED;
            return;
        }
        boolean lower = adv.priority() < effectivePriority;
        boolean delayHolds = !config.preemptDelay().isZero() && (preemptAt == NONE || now < preemptAt);
        if (!config.preempt() || !lower || delayHolds) {
            if (config.version() == VrrpVersion.V3) {
                masterAdverIntervalNanos = learntInterval(adv);
            }
            masterDownDeadline = now + masterDownIntervalNanos();
            downTimerReason = TransitionReason.MASTER_DOWN_TIMER;
            wantsMaster = false;
            masterAddress = source;
            if (!config.preemptDelay().isZero()) {
                if (!lower) {
                    preemptAt = NONE;
                } else if (preemptAt == NONE) {
                    preemptAt = now + config.preemptDelay().toNanos();
                }
            }
        } else {
            // Preempt: discard, so the Master_Down_Timer runs out and this router takes over.
            downTimerReason = TransitionReason.PREEMPT;
            LOG.debug("{}: discarding lower-priority ({}) advert from {} to preempt", name, adv.priority(), source);
        }
    }

    /**
     * RFC 5798 section 6.4.3 (Master). A lower priority is answered at once (keepalived does it
     * for every such advert), but at most once per advert interval: see {@link #answerLower}.
     */
    private void masterReceive(long now, IpAddress source, VrrpAdvertisement adv, List<Action> out) {
        if (adv.priority() == 0) {
            // RFC 5798 section 6.4.3: send an advert and reset the Adver_Timer. At most once per advert
            // interval: one answer tells every backup a master exists, and a flood of priority-0 adverts
            // (forged from a peer's address, say) must not make this master send one advert per packet.
            if (zeroAnsweredAt == NONE || now - zeroAnsweredAt >= advertIntervalNanos) {
                zeroAnsweredAt = now;
                sendAdvert(effectivePriority, out);
                adverDeadline = now + advertIntervalNanos;
            }
            return;
        }
        boolean higher = adv.priority() > effectivePriority
                || adv.priority() == effectivePriority && source.compareTo(primaryAddress) > 0;
        if (higher) {
            if (config.version() == VrrpVersion.V3) {
                masterAdverIntervalNanos = learntInterval(adv);
            }
            masterAddress = source;
            LOG.info("{}: advert from {} with priority {} (ours {}) wins", name, source, adv.priority(),
                    effectivePriority);
            // Beyond RFC 5798 section 6.4.3: one last advert at our own (lower) priority, so the winner
            // hears that another master existed and re-announces the address. Without it, when two
            // masters meet after a partition and the loser hears the winner first, the loser steps
            // down silently and the hosts that followed it keep a stale ARP entry for the address.
            sendAdvert(effectivePriority, out);
            leaveMaster(false, out);
            preemptAt = NONE;
            enterBackup(now, TransitionReason.HIGHER_PRIORITY_MASTER, masterAdverIntervalNanos, out);
        } else {
            answerLower(now, source, adv, out);
        }
    }

    /**
     * A lower-priority master exists (e.g. a healed partition): answer with an advert so it yields
     * within one advert, and re-announce to re-point ARP caches that may have followed it. At most
     * one answer per advert interval, whoever sends: one answer (multicast, or to every unicast
     * peer) reaches every lower master at once, so answering each packet only amplifies a flood
     * (an advert and a GARP burst per packet) and would let spoofed sources defeat a per-source
     * limit; the first lower advert after a quiet interval (a healed partition) is answered at
     * once. Logged once per source in each mastership (at most {@value #MAX_ADDRESS_LIST_WARNED}
     * sources), all counted in {@code lowerPriorityAdverts} / {@code lowerPriorityAnswers}.
     */
    private void answerLower(long now, IpAddress source, VrrpAdvertisement adv, List<Action> out) {
        counters.lowerPriorityAdverts++;
        boolean answer = lowerAnsweredAt == NONE || now - lowerAnsweredAt >= advertIntervalNanos;
        if (lowerLogged.size() < MAX_ADDRESS_LIST_WARNED && lowerLogged.add(source)) {
            LOG.info("{}: advert from {} with lower priority {} (ours {}); {} (logged once per source while master, "
                    + "answered at most once per advert interval; counted in lowerPriorityAdverts)", name, source,
                    adv.priority(), effectivePriority, answer ? "answering" : "answered within this interval already");
        } else if (LOG.isDebugEnabled()) { // a flood calls this per packet: no argument array unless it logs
            LOG.debug("{}: advert from {} with lower priority {} (ours {}); {}", name, source, adv.priority(),
                    effectivePriority, answer ? "answering" : "answered within this interval already");
        }
        if (!answer) {
            return;
        }
        lowerAnsweredAt = now;
        counters.lowerPriorityAnswers++;
        sendAdvert(effectivePriority, out);
        if (config.garpOnLowerPriorityAdvert()) {
            out.add(new Action.Reannounce(config.virtualAddresses()));
        }
    }

    private static long learntInterval(VrrpAdvertisement adv) {
        return adv.advertIntervalCs() * CENTISECOND; // 1-4095 cs: the codec refuses 0 (RFC 9568 section 7.1)
    }

    // ------------------------------------------------------------------ transitions

    private List<Action> reevaluate(long now) {
        List<Action> out = new ArrayList<>();
        int before = effectivePriority;
        effectivePriority = computePriority();
        if (state == INITIALIZE || state == STOP) {
            return out;
        }
        if ((state == BACKUP || state == MASTER) && trackers.faulted()) {
            LOG.info("{}: trackers down {}", name, trackers.down());
            enterFault(now, TransitionReason.TRACKER_FAULT, out);
        } else if (state == FAULT && !trackers.faulted() && !groupFault) {
            leaveFault(now, TransitionReason.TRACKER_RECOVERED, out);
        } else if (state == MASTER && before != effectivePriority) {
            sendAdvert(effectivePriority, out);
        }
        return out;
    }

    private void becomeMaster(long now, TransitionReason reason, List<Action> out) {
        RouterState from = state;
        // Advert first: the old master must drop the addresses before our GARPs (keepalived vrrp_state_master_tx).
        state = MASTER;
        wantsMaster = false;
        masterAddress = null;
        lowerAnsweredAt = NONE;
        zeroAnsweredAt = NONE;
        lowerLogged.clear();
        masterDownDeadline = Long.MAX_VALUE;
        forgetRepairs();
        sendAdvert(effectivePriority, out);
        adverDeadline = now + advertIntervalNanos;
        out.add(new Action.BindAddresses(config.virtualAddresses()));
        counters.becameMaster++;
        notify(from, MASTER, reason, out);
    }

    /** Unbinds (after a priority-0 advert when {@code release}); the caller sets the next state. */
    private void leaveMaster(boolean release, List<Action> out) {
        if (release) {
            sendAdvert(0, out);
        }
        adverDeadline = Long.MAX_VALUE;
        forgetRepairs();
        out.add(new Action.UnbindAddresses(config.virtualAddresses()));
        counters.releasedMaster++;
    }

    private void enterBackup(long now, TransitionReason reason, long masterInterval, List<Action> out) {
        RouterState from = state;
        state = BACKUP;
        masterAdverIntervalNanos = masterInterval;
        masterDownDeadline = now + masterDownIntervalNanos();
        downTimerReason = TransitionReason.MASTER_DOWN_TIMER;
        wantsMaster = false;
        notify(from, BACKUP, reason, out);
    }

    private void enterFault(long now, TransitionReason reason, List<Action> out) {
        RouterState from = state;
        if (from == MASTER) {
            // keepalived vrrp_state_leave_master: a master entering FAULT sends priority 0.
            leaveMaster(true, out);
        }
        state = FAULT;
        clearTimers();
        wantsMaster = false;
        notify(from, FAULT, reason, out);
    }

    private void leaveFault(long now, TransitionReason reason, List<Action> out) {
        preemptAt = NONE; // keepalived vrrp_state_leave_fault
        if (effectivePriority == RouterConfig.OWNER_PRIORITY) {
            becomeMaster(now, reason, out);
        } else {
            enterBackup(now, reason, advertIntervalNanos, out);
        }
    }

    /**
     * Hands out the repairs whose hold-down has passed (one action: restore as MASTER, else the
     * stray policy's) and sets {@link #repairDeadline} to the next one waiting.
     */
    private void repairsDue(long now, List<Action> out) {
        List<InterfaceAddress> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (Iterator<InterfaceAddress> it = repairs.values().iterator(); it.hasNext(); ) {
            InterfaceAddress a = it.next();
            Long last = repairedAt.get(a.address());
            if (last == null || now - last >= REPAIR_HOLDDOWN_NANOS) {
                due.add(a);
                repairedAt.put(a.address(), now);
                it.remove();
            } else {
                next = Math.min(next, last + REPAIR_HOLDDOWN_NANOS);
            }
        }
        repairDeadline = next;
        if (due.isEmpty()) {
            return;
        }
        if (state == MASTER) {
            LOG.debug("{}: {} lost from {}; restoring", name, due, config.router().interfaceName());
            out.add(new Action.RestoreAddresses(due));
        } else if (config.strayAddressPolicy() == StrayAddressPolicy.REMOVE && !config.addressOwner()) {
            // The address owner's addresses are the interface's own (start-up adopts them): a network
            // manager that puts them back while the owner is in FAULT is right, so they are only reported.
            LOG.debug("{}: {} found on {} as {}; removing", name, due, config.router().interfaceName(), state);
            out.add(new Action.RemoveStrayAddresses(due));
        } else {
            out.add(new Action.ReportStrayAddresses(due));
        }
    }

    private void forgetRepairs() {
        repairs.clear();
        repairDeadline = Long.MAX_VALUE;
    }

    private void clearTimers() {
        adverDeadline = Long.MAX_VALUE;
        masterDownDeadline = Long.MAX_VALUE;
    }

    private void notify(RouterState from, RouterState to, TransitionReason reason, List<Action> out) {
        // DEBUG: a driver logs the change at INFO once its actions are on the wire (Engine does),
        // so the log line does not delay the advert or the takeover's first GARP
        LOG.debug("{}: {} -> {} ({}, priority {})", name, from, to, reason, effectivePriority);
        out.add(new Action.NotifyStateChange(from, to, reason, effectivePriority));
    }

    private void sendAdvert(int priority, List<Action> out) {
        out.addAll(sendActions(priority));
        countSent(priority);
    }

    private void countSent(int priority) {
        counters.advertisementsSent++;
        if (priority == 0) {
            counters.priorityZeroSent++;
        }
    }

    /** A list of just the SendAdvert for {@code priority}, made again only when the priority changes. */
    private List<Action> sendActions(int priority) {
        if (sendActionList == null
                || ((Action.SendAdvert) sendActionList.get(0)).advertisement().priority() != priority) {
            sendActionList = List.of(new Action.SendAdvert(advertisement(priority), config.advertDestinations()));
        }
        return sendActionList;
    }

    private VrrpAdvertisement advertisement(int priority) {
        return new VrrpAdvertisement(config.version(), config.router().vrid(), priority, config.advertIntervalCs(),
                config.authType(), config.authData(), config.router().family(), config.addresses());
    }

    // ------------------------------------------------------------------ arithmetic

    private int computePriority() {
        if (basePriority == RouterConfig.OWNER_PRIORITY) {
            return RouterConfig.OWNER_PRIORITY;
        }
        // keepalived vrrp_set_effective_priority: clamp to 1..254 so trackers never make an owner.
        return Math.max(1, Math.min(RouterConfig.OWNER_PRIORITY - 1, basePriority + trackers.weightSum()));
    }

    private long skewTimeNanos() {
        long base = config.version() == VrrpVersion.V3 ? masterAdverIntervalNanos : SECOND;
        return (256L - effectivePriority) * base / 256L;
    }

    /** Skew_Time at the 10 ms minimum interval: {@code (256 - Priority) * 10 ms / 256}, below 10 ms. */
    private long fastSkewTimeNanos() {
        return (256L - effectivePriority) * CENTISECOND / 256L;
    }

    private long masterDownIntervalNanos() {
        return 3 * masterAdverIntervalNanos + skewTimeNanos();
    }
}
