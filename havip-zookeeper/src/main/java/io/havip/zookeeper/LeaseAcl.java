package io.havip.zookeeper;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * The ACL havip gives every znode it creates, and who it authenticates as. With digest
 * credentials: all rights for {@code digest:<user>:<hash>}, and READ for {@code world:anyone}
 * unless turned off; without: ZooKeeper's open ACL ({@code world:anyone:cdrwa}), as before.
 * The password never leaves this object except as ZooKeeper's auth data and its SHA-1 digest
 * (the form every {@code setAcl} takes).
 */
final class LeaseAcl {

    /** Open: anyone may do anything (no credentials). */
    static final LeaseAcl OPEN = new LeaseAcl(null, null, true);

    private final String user;
    private final byte[] password;
    private final boolean worldReadable;
    private final List<ACL> acl;
    private final String digestId;

    private LeaseAcl(String user, byte[] password, boolean worldReadable) {
        this.user = user;
        this.password = password;
        this.worldReadable = worldReadable;
        if (user == null) {
            this.acl = ZooDefs.Ids.OPEN_ACL_UNSAFE;
            this.digestId = null;
            return;
        }
        try {
            this.digestId = DigestAuthenticationProvider.generateDigest(user + ":"
                    + new String(password, StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1, which ZooKeeper's digest scheme needs", e);
        }
        List<ACL> a = new ArrayList<>(2);
        a.add(new ACL(ZooDefs.Perms.ALL, new Id("digest", digestId)));
        if (worldReadable) {
            a.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        }
        this.acl = List.copyOf(a);
    }

    /** Digest credentials; checks them and names what is wrong (never the password itself). */
    static LeaseAcl digest(String user, byte[] password, boolean worldReadable) {
        io.havip.vrrp.config.ZooKeeperSettings.authProblem(user, password).ifPresent(p -> {
            throw new IllegalArgumentException("digest credentials: " + p);
        });
        return new LeaseAcl(user, password.clone(), worldReadable);
    }

    boolean hasCredentials() {
        return user != null;
    }

    /** The ACL of every znode havip creates. */
    List<ACL> acl() {
        return acl;
    }

    /** ZooKeeper's auth data, {@code user:password}; a fresh copy. */
    byte[] authData() {
        byte[] u = (user + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[u.length + password.length];
        System.arraycopy(u, 0, out, 0, u.length);
        System.arraycopy(password, 0, out, u.length, password.length);
        return out;
    }

    /** Who havip is to ZooKeeper, for messages: "digest user 'havip'" or "an unauthenticated client". */
    String who() {
        return user == null ? "an unauthenticated client (no credentials set)" : "digest user '" + user + "'";
    }

    /** The {@code setAcl} an operator runs to give a path havip's ACL (the digest, never the password). */
    String setAclCommand(String path) {
        return "setAcl -R " + path + " digest:" + digestId + ":cdrwa" + (worldReadable ? ",world:anyone:r" : "");
    }

    /** Whether {@code acl} lets a client without these credentials change anything (create, delete, write, admin). */
    static boolean strangersMayChange(List<ACL> acl, String digestId) {
        for (ACL a : acl) {
            boolean ours = a.getId().getScheme().equals("digest") && a.getId().getId().equals(digestId);
            if (!ours && (a.getPerms() & ~ZooDefs.Perms.READ) != 0) {
                return true;
            }
        }
        return false;
    }

    String digestId() {
        return digestId;
    }

    /** An ACL as zkCli shows it, e.g. "digest:havip:abc=:cdrwa, world:anyone:r". */
    static String show(List<ACL> acl) {
        List<String> out = new ArrayList<>();
        for (ACL a : acl) {
            int p = a.getPerms();
            String s = ((p & ZooDefs.Perms.CREATE) != 0 ? "c" : "") + ((p & ZooDefs.Perms.DELETE) != 0 ? "d" : "")
                    + ((p & ZooDefs.Perms.READ) != 0 ? "r" : "") + ((p & ZooDefs.Perms.WRITE) != 0 ? "w" : "")
                    + ((p & ZooDefs.Perms.ADMIN) != 0 ? "a" : "");
            out.add(a.getId().getScheme() + ":" + a.getId().getId() + ":" + s);
        }
        return String.join(", ", out);
    }
}
