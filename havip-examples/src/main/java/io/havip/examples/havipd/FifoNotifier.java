package io.havip.examples.havipd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.havip.core.FailoverListener;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.vrrp.keepalived.KeepalivedRouters;
import io.havip.vrrp.config.NotifyFifo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keepalived's {@code notify_fifo} / {@code vrrp_notify_fifo}: every state change of every
 * instance written as one line to a FIFO, in the order the changes happened, in keepalived's
 * format ({@code INSTANCE "VI_1" MASTER 100}, states MASTER, BACKUP, FAULT, STOP). One thread per
 * FIFO writes, apart from the notify scripts, so a slow script does not hold a line back.
 *
 * <p>As keepalived: the FIFO is created (mode 0600) when it does not exist and removed at exit
 * only if havipd created it; it is opened read-write, so opening never waits for a reader and a
 * reader that goes away is no error; the {@code *_fifo_script} is started with the FIFO's path
 * as last argument and stopped at exit. A path that exists and is not a FIFO is not written to.
 * While no one reads, lines wait in the pipe (64 KiB) and then in a queue of
 * {@value #QUEUE} lines; beyond that lines are dropped, counted and logged.
 */
final class FifoNotifier implements AutoCloseable {

    static final int QUEUE = 10_000;
    private static final Logger log = LoggerFactory.getLogger(FifoNotifier.class);

    /** mkfifo(3). */
    private interface LibC extends Library {
        int mkfifo(String path, int mode);
    }

    private final NotifyFifo fifo;
    private final Path path;
    private final ThreadPoolExecutor writer;
    private final RandomAccessFile out;
    private final boolean created;
    private final Process script;
    private long dropped;

    private FifoNotifier(NotifyFifo fifo, Path path, RandomAccessFile out, boolean created, Process script) {
        this.fifo = fifo;
        this.path = path;
        this.out = out;
        this.created = created;
        this.script = script;
        BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(QUEUE);
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "havipd-fifo");
            t.setDaemon(true);
            return t;
        }, (r, e) -> {
            synchronized (this) {
                dropped++;
                if (dropped == 1 || dropped % 1000 == 0) {
                    log.warn("{} {}: nobody reads it; {} line(s) dropped so far", fifo.key(), path, dropped);
                }
            }
        });
    }

    /** Opens (creating if needed) each FIFO; one that cannot be used is logged with what to do and left out. */
    static List<FifoNotifier> open(List<NotifyFifo> fifos) {
        List<FifoNotifier> out = new ArrayList<>();
        for (NotifyFifo f : fifos) {
            try {
                out.add(open(f));
            } catch (IOException | RuntimeException e) {
                log.error("{} {} ({}): {}; no lines will be written to it", f.key(), f.path(), f.location(),
                        e.getMessage());
            }
        }
        return out;
    }

    private static FifoNotifier open(NotifyFifo f) throws IOException {
        Path p = Path.of(f.path());
        boolean created = false;
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            if (Native.load("c", LibC.class).mkfifo(p.toString(), 0600) != 0) {
                throw new IOException("cannot create the FIFO: mkfifo failed with errno " + Native.getLastError()
                        + "; check that the directory exists and is writable");
            }
            created = true;
        }
        Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (!(mode instanceof Integer m) || (m & 0170000) != 0010000) {
            throw new IOException("it exists and is not a FIFO (remove it, or name another path)");
        }
        RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw"); // O_RDWR: never waits for a reader
        Process script = null;
        if (f.script().isPresent()) {
            List<String> cmd = new ArrayList<>(KeepalivedRouters.commandLine(f.script().get().command()));
            cmd.add(p.toString());
            try {
                script = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                log.info("{}_script: started {} (pid {})", f.key(), String.join(" ", cmd), script.pid());
            } catch (IOException e) {
                log.warn("{}_script: cannot run {} ({}); check the path and that it is executable", f.key(),
                        String.join(" ", cmd), e.getMessage());
            }
        }
        log.info("{}: writing state changes to {}{}", f.key(), p, created ? " (created)" : "");
        return new FifoNotifier(f, p, raf, created, script);
    }

    /** keepalived's line for {@code change} of {@code instance}; null for INITIALIZE, which keepalived never writes. */
    static String line(String instance, StateChange change) {
        if (change.to() == RouterState.INITIALIZE) {
            return null;
        }
        return "INSTANCE \"" + instance + "\" " + change.to().name() + " " + change.priority() + "\n";
    }

    /** A listener that queues the line of each change of {@code instance}. */
    FailoverListener listenerFor(String instance) {
        return change -> {
            String line = line(instance, change);
            if (line != null) {
                writer.execute(() -> write(line));
            }
        };
    }

    private void write(String line) {
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.warn("{} {}: cannot write \"{}\": {}", fifo.key(), path, line.strip(), e.getMessage());
        }
    }

    /** Writes what is queued (up to 2 s), stops the script, closes, removes the FIFO if havipd made it. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.shutdownNow();
        if (script != null) {
            script.destroy();
            try {
                if (!script.waitFor(2, TimeUnit.SECONDS)) {
                    script.destroyForcibly();
                }
            } catch (InterruptedException e) {
                script.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            out.close();
            if (created) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.debug("closing {}: {}", path, e.toString());
        }
    }
}
