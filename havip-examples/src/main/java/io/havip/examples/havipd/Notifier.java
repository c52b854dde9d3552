package io.havip.examples.havipd;

import io.havip.core.FailoverListener;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.vrrp.keepalived.KeepalivedRouters;
import io.havip.vrrp.config.NotifyScript;
import io.havip.vrrp.config.NotifyScripts;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs keepalived's notify scripts for the daemon's routers, one at a time, in the order the
 * changes happened: a single thread runs each command to completion (or to its timeout) before
 * the next starts. keepalived forks them without waiting, so a slow {@code notify_backup} can
 * still be running when the {@code notify_master} that follows it starts; here it cannot.
 *
 * <p>For each change, as keepalived does: first the state's own script ({@code notify_master},
 * {@code notify_backup}, {@code notify_fault}, {@code notify_stop}) as configured, then
 * {@code notify} with {@code INSTANCE NAME STATE PRIORITY} appended. A sync group's scripts
 * run the same way on the group's changes, {@code notify} with {@code GROUP NAME STATE 0}
 * appended (keepalived 2.2.7 send_group_notifies: a group has no priority, it passes 0).
 */
final class Notifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    /** Runs one command line; returns its exit status. */
    interface CommandRunner {
        int run(List<String> command, Duration timeout) throws IOException, InterruptedException, TimeoutException;
    }

    private final Duration timeout;
    private final CommandRunner runner;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "havipd-notify");
        t.setDaemon(true);
        return t;
    });

    /** @param timeout how long one script may run before it is killed and the next one starts */
    Notifier(Duration timeout, CommandRunner runner) {
        this.timeout = timeout;
        this.runner = runner;
    }

    Notifier(Duration timeout) {
        this(timeout, KeepalivedRouters::runProcess);
    }

    /** A listener that queues the scripts of {@code instance} for each of its changes. */
    FailoverListener listenerFor(String instance, NotifyScripts scripts) {
        return change -> submit(instance, scripts, change);
    }

    /** Queues the scripts for one change; they run after every change queued before. */
    void submit(String instance, NotifyScripts scripts, StateChange change) {
        queue(instance, commands(instance, scripts, change));
    }

    /**
     * Queues the scripts of sync group {@code group} for its change to {@code to}; they run
     * after every change queued before.
     */
    void submitGroup(String group, NotifyScripts scripts, RouterState to) {
        queue("sync group " + group, commands("GROUP", group, scripts, to, 0));
    }

    private void queue(String who, List<List<String>> commands) {
        if (commands.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> commands.forEach(this::runOne));
        } catch (RejectedExecutionException e) {
            log.warn("{}: notifier closed; not running {}", who, commands);
        }
    }

    /** The command lines for one change of an instance, in the order keepalived runs them. */
    static List<List<String>> commands(String instance, NotifyScripts scripts, StateChange change) {
        return commands("INSTANCE", instance, scripts, change.to(), change.priority());
    }

    /** {@code type} INSTANCE or GROUP, as keepalived's notify_script_exec passes it. */
    static List<List<String>> commands(String type, String name, NotifyScripts scripts, RouterState to, int priority) {
        Optional<NotifyScript> specific = switch (to) {
            case MASTER -> scripts.master();
            case BACKUP -> scripts.backup();
            case FAULT -> scripts.fault();
            case STOP -> scripts.stop();
            case INITIALIZE -> Optional.empty();
        };
        List<List<String>> out = new ArrayList<>();
        specific.ifPresent(s -> out.add(KeepalivedRouters.commandLine(s.command())));
        if (to != RouterState.INITIALIZE) {
            scripts.any().ifPresent(s -> {
                List<String> c = new ArrayList<>(KeepalivedRouters.commandLine(s.command()));
                c.addAll(List.of(type, name, to.name(), Integer.toString(priority)));
                out.add(List.copyOf(c));
            });
        }
        return out;
    }

    private void runOne(List<String> command) {
        String line = String.join(" ", command);
        try {
            int status = runner.run(command, timeout);
            if (status == 0) {
                log.info("notify: {} exited 0", line);
            } else {
                log.warn("notify: {} exited {}", line, status);
            }
        } catch (TimeoutException e) {
            log.warn("notify: {}", e.getMessage());
        } catch (IOException e) {
            log.warn("notify: cannot run {}: {} (check the path and that it is executable)", line, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs what is queued (each script bounded by its timeout), then stops. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeout.toMillis() * 4 + 5_000, TimeUnit.MILLISECONDS)) {
                log.warn("notify scripts still queued at shutdown were dropped");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
