package io.havip.arp.linux;

import com.sun.jna.Pointer;

/** Signal dispositions of this process, through libc, for daemons built on havip. */
public final class Signals {

    private Signals() {
    }

    /**
     * Sets signal {@code signum} back to SIG_DFL. A process started with a signal ignored
     * (SIGHUP under nohup, say) inherits SIG_IGN, and the JVM then declines to install a
     * handler for it ({@code sun.misc.Signal.handle} returns SIG_IGN and installs nothing);
     * restoring the default first lets the handler be installed.
     *
     * @return false if libc refused (SIG_ERR) or could not be reached
     */
    public static boolean restoreDefault(int signum) {
        try {
            Pointer previous = LibC.get().signal(signum, null);
            return previous == null || Pointer.nativeValue(previous) != -1L; // null: was SIG_DFL; -1: SIG_ERR
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
