package io.havip.vrrp.config;

import io.havip.vrrp.codec.VrrpVersion;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code global_defs} settings that matter to VRRP; LVS, SNMP, D-Bus and process
 * tuning keys are accepted and not kept.
 *
 * @param routerId               {@code router_id} (default: the host name, left to the caller)
 * @param vrrpVersion            {@code vrrp_version}: default version of instances (default 2)
 * @param garp                   the {@code vrrp_garp_*} defaults inherited by instances
 * @param garpInterval           {@code vrrp_garp_interval}: gap between gratuitous ARPs (default 0, no gap)
 * @param gnaInterval            {@code vrrp_gna_interval}: gap between unsolicited NAs (default 0, no gap)
 * @param scriptUser             {@code script_user} user
 * @param scriptGroup            {@code script_user} group
 * @param enableScriptSecurity   {@code enable_script_security}
 * @param vrrpStrict             {@code vrrp_strict}: strict RFC compliance (no unicast, no auth, no_accept)
 * @param skipCheckAdvAddr       {@code vrrp_skip_check_adv_addr}: don't check the addresses of adverts from the same master
 * @param checkUnicastSource     {@code vrrp_check_unicast_src}: only accept unicast adverts from configured peers
 * @param notificationEmails     {@code notification_email} addresses (havip sends no e-mail)
 * @param notificationEmailFrom  {@code notification_email_from}
 * @param smtpServer             {@code smtp_server} as written
 * @param smtpConnectTimeout     {@code smtp_connect_timeout} (default 30 s)
 * @param notifyFifos            {@code notify_fifo} and {@code vrrp_notify_fifo}, each written every state change
 * @param written                where each keyword was written (the last occurrence); keys not in it took their default
 */
public record GlobalDefs(Optional<String> routerId, VrrpVersion vrrpVersion, GarpSettings garp, Duration garpInterval,
                         Duration gnaInterval, Optional<String> scriptUser, Optional<String> scriptGroup,
                         boolean enableScriptSecurity, boolean vrrpStrict, boolean skipCheckAdvAddr,
                         boolean checkUnicastSource, List<String> notificationEmails, Optional<String> notificationEmailFrom,
                         Optional<String> smtpServer, Duration smtpConnectTimeout, List<NotifyFifo> notifyFifos,
                         java.util.Map<String, SourceLocation> written) {

    /** What an absent or empty {@code global_defs} means in keepalived 2.2.7. */
    public static final GlobalDefs DEFAULTS = new GlobalDefs(Optional.empty(), VrrpVersion.V2, GarpSettings.KEEPALIVED_DEFAULTS,
            Duration.ZERO, Duration.ZERO, Optional.empty(), Optional.empty(), false, false, false, false, List.of(),
            Optional.empty(), Optional.empty(), Duration.ofSeconds(30), List.of(), java.util.Map.of());

    public GlobalDefs {
        Objects.requireNonNull(routerId, "routerId");
        Objects.requireNonNull(vrrpVersion, "vrrpVersion");
        Objects.requireNonNull(garp, "garp");
        Objects.requireNonNull(garpInterval, "garpInterval");
        Objects.requireNonNull(gnaInterval, "gnaInterval");
        Objects.requireNonNull(scriptUser, "scriptUser");
        Objects.requireNonNull(scriptGroup, "scriptGroup");
        notificationEmails = List.copyOf(notificationEmails);
        Objects.requireNonNull(notificationEmailFrom, "notificationEmailFrom");
        Objects.requireNonNull(smtpServer, "smtpServer");
        Objects.requireNonNull(smtpConnectTimeout, "smtpConnectTimeout");
        notifyFifos = List.copyOf(notifyFifos);
        written = java.util.Map.copyOf(written);
    }
}
