package io.havip.vrrp.config;

import io.havip.vrrp.config.ConfigSyntax.Statement;
import io.havip.vrrp.config.ConfigSyntax.Token;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** The {@code track_file} and {@code vrrp_track_process} blocks, as keepalived 2.2.7 reads them. */
final class TrackBlocks {

    /** keepalived's track_file weight range (the value read is multiplied by it). */
    private static final int MAX_FILE_WEIGHT = Integer.MAX_VALUE;
    private static final int MAX_PROCESS_WEIGHT = 254;
    private static final String DELAY_ALLOWED = "0-4294 seconds, fractions allowed";

    private TrackBlocks() {
    }

    /** A {@code track_file NAME { ... }} block; null (with a warning) when it has no {@code file}. */
    static TrackFileConfig file(Statement block, KeepalivedConfigReader r) {
        r.requireBlock(block);
        String name = r.name(block);
        String file = null;
        int weight = 1;
        boolean reverse = false;
        OptionalLong init = OptionalLong.empty();
        boolean overwrite = false;
        for (Statement s : block.block()) {
            switch (s.name()) {
                case "file" -> file = r.single(s, "a path, quoted if it has blanks");
                case "weight" -> {
                    List<Token> a = r.args(s, 1, 2, "-2147483647..2147483647 [reverse]");
                    weight = r.integer(s, a.get(0).text(), -MAX_FILE_WEIGHT, MAX_FILE_WEIGHT, "-2147483647..2147483647");
                    reverse = a.size() > 1 && r.reverseWord(s, a.get(1));
                }
                case "init_file" -> {
                    List<Token> a = r.args(s, 0, 2, "[VALUE] [overwrite]");
                    long value = 0;
                    for (Token t : a) {
                        if (t.text().equals("overwrite")) {
                            overwrite = true;
                        } else {
                            value = r.integer(s, t.text(), Integer.MIN_VALUE + 1, Integer.MAX_VALUE, "an integer");
                        }
                    }
                    init = OptionalLong.of(value);
                }
                default -> r.warn(s.location(), "unknown keyword '" + s.name() + "' in track_file '" + name + "' ignored");
            }
        }
        if (file == null) {
            r.warn(block.location(), "track_file '" + name + "' has no 'file' line; ignored, as keepalived does");
            return null;
        }
        return new TrackFileConfig(name, file, weight, reverse, init, overwrite, block.location());
    }

    /** A {@code vrrp_track_process NAME { ... }} block; null (with a warning) when it has no {@code process}. */
    static TrackProcessConfig process(Statement block, KeepalivedConfigReader r) {
        r.requireBlock(block);
        String name = r.name(block);
        List<String> command = null;
        TrackProcessConfig.ParamMatch match = TrackProcessConfig.ParamMatch.EXACT;
        boolean matchSet = false;
        boolean full = false;
        int weight = 1;
        boolean reverse = false;
        int quorum = 1;
        int quorumMax = Integer.MAX_VALUE;
        Duration fork = Duration.ZERO;
        Duration terminate = Duration.ZERO;
        String who = "vrrp_track_process '" + name + "'";
        for (Statement s : block.block()) {
            switch (s.name()) {
                case "process" -> command = new ArrayList<>(KeepalivedConfigReader.texts(r.args(s, 1, Integer.MAX_VALUE,
                        "NAME [PARAMETER ...]")));
                case "param_match" -> {
                    String v = r.single(s, "initial|partial");
                    match = switch (v) {
                        case "initial" -> TrackProcessConfig.ParamMatch.INITIAL;
                        case "partial" -> TrackProcessConfig.ParamMatch.PARTIAL;
                        default -> throw new ConfigException(s.location(), s.name(), "\"" + v + "\" is not recognised",
                                "initial|partial");
                    };
                    matchSet = true;
                }
                case "full_command" -> {
                    r.extraValues(s, 0);
                    full = true;
                }
                case "weight" -> {
                    List<Token> a = r.args(s, 1, 2, "-254..254 [reverse]");
                    weight = r.integer(s, a.get(0).text(), -MAX_PROCESS_WEIGHT, MAX_PROCESS_WEIGHT, "-254..254");
                    reverse = a.size() > 1 && r.reverseWord(s, a.get(1));
                }
                case "quorum" -> quorum = r.integer(s, 1, 65535, "1-65535 processes");
                case "quorum_max" -> quorumMax = r.integer(s, 0, 65535, "0-65535 processes");
                case "fork_delay" -> fork = delay(s, r);
                case "terminate_delay" -> terminate = delay(s, r);
                case "delay" -> {
                    fork = delay(s, r);
                    terminate = fork;
                }
                default -> r.warn(s.location(), "unknown keyword '" + s.name() + "' in " + who + " ignored");
            }
        }
        if (command == null) {
            r.warn(block.location(), who + " has no 'process' line; ignored, as keepalived does");
            return null;
        }
        if (quorumMax < quorum) {
            throw new ConfigException(block.location(), "quorum_max", who + ": quorum_max " + quorumMax + " is below quorum "
                    + quorum + ", so it could never be OK", "quorum_max >= quorum");
        }
        if (command.get(0).length() > 15 && command.size() == 1 && !full && !matchSet) {
            r.warn(block.location(), who + ": process name '" + command.get(0) + "' is longer than the 15 characters the"
                    + " kernel keeps (/proc/PID/comm); the first 15 are compared, as keepalived does");
        }
        return new TrackProcessConfig(name, command, match, matchSet, full, weight, reverse, quorum, quorumMax, fork, terminate,
                block.location());
    }

    private static Duration delay(Statement s, KeepalivedConfigReader r) {
        return r.seconds(s, r.single(s, DELAY_ALLOWED), BigDecimal.ZERO, new BigDecimal("4294"), DELAY_ALLOWED);
    }
}
