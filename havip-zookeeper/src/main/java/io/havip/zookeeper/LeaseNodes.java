package io.havip.zookeeper;

import io.havip.vrrp.config.ZooKeeperSettings;
import io.havip.vrrp.election.LeaseHolder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.data.Stat;

/**
 * The znodes of one router's lease under the authority's path:
 * <pre>
 *   &lt;path&gt;/&lt;router name&gt;/holder                      ephemeral; the lease itself. Data:
 *                                                  "havip-lease 1\nnode=&lt;node&gt;\npriority=&lt;p&gt;\n";
 *                                                  its creation zxid is the fencing token
 *   &lt;path&gt;/&lt;router name&gt;/candidates/p&lt;prio&gt;-&lt;preempt|nopreempt&gt;-&lt;node&gt;   ephemeral, one per node asking
 * </pre>
 * Anything else found there (a stranger's node, garbage data, a persistent holder) is shown as
 * an unknown holder and never deleted: the lease stays taken until someone removes it.
 */
final class LeaseNodes {

    static final String MAGIC = "havip-lease 1";
    private static final Pattern CANDIDATE = Pattern.compile("p(\\d{1,3})-(preempt|nopreempt)-(.+)");

    private LeaseNodes() {
    }

    /** The router name as a znode name; throws with a clear message when it cannot be one. */
    static String segment(String what, String name) {
        ZooKeeperSettings.nameProblem(what, name).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        return name;
    }

    /** Checks a root path: absolute, no trailing slash, segments as {@link #segment}; "/" becomes "". */
    static String root(String path) {
        ZooKeeperSettings.pathProblem(path).ifPresent(p -> {
            throw new IllegalArgumentException("path " + p);
        });
        return path.equals("/") ? "" : path;
    }

    static byte[] holderData(String node, int priority) {
        return (MAGIC + "\nnode=" + node + "\npriority=" + priority + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The holder a lease node shows; a node havip did not write is described, never trusted. */
    static LeaseHolder holder(byte[] data, Stat stat) {
        Instant since = stat == null ? null : Instant.ofEpochMilli(stat.getCtime());
        long token = stat == null ? -1 : stat.getCzxid();
        Optional<String> node = node(data);
        if (node.isPresent()) {
            return new LeaseHolder(node.get(), token, since);
        }
        String what = stat != null && stat.getEphemeralOwner() == 0 ? "a persistent node" : "an ephemeral node";
        return new LeaseHolder("unknown (" + what + " not written by havip, " + (data == null ? 0 : data.length)
                + " bytes of data)", token, since);
    }

    /** The node name in havip's holder data, or empty for anything else. */
    static Optional<String> node(byte[] data) {
        if (data == null || data.length > 1024) {
            return Optional.empty();
        }
        String text = new String(data, StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        if (lines.length < 2 || !lines[0].equals(MAGIC) || !lines[1].startsWith("node=")) {
            return Optional.empty();
        }
        String node = lines[1].substring(5);
        return ZooKeeperSettings.nameProblem("node", node).isEmpty() ? Optional.of(node) : Optional.empty();
    }

    static String candidateName(int priority, boolean preempt, String node) {
        return "p" + priority + "-" + (preempt ? "preempt" : "nopreempt") + "-" + node;
    }

    /** A candidate as its znode name says, or null for a name havip does not write. */
    static Candidate candidate(String name) {
        Matcher m = CANDIDATE.matcher(name);
        if (!m.matches()) {
            return null;
        }
        int p = Integer.parseInt(m.group(1));
        if (p < 1 || p > 255 || ZooKeeperSettings.nameProblem("node", m.group(3)).isPresent()) {
            return null;
        }
        return new Candidate(m.group(3), p, m.group(2).equals("preempt"), name);
    }

    record Candidate(String node, int priority, boolean preempt, String znode) {
        /** Higher priority first; ties to the smaller node name (every node computes the same order). */
        boolean before(Candidate o) {
            return priority != o.priority ? priority > o.priority : node.compareTo(o.node) < 0;
        }
    }
}
