/**
 * The keepalived.conf mapping: {@link io.havip.vrrp.keepalived.KeepalivedRouters} turns what
 * {@code io.havip.vrrp.config} read into {@link io.havip.vrrp.Havip.Builder}s and sync groups,
 * and {@link io.havip.vrrp.keepalived.KeepalivedTrackers} runs {@code track_file} and
 * {@code vrrp_track_process}. havipd runs a keepalived.conf with it, and so can an application
 * ({@link io.havip.vrrp.Havip#fromKeepalivedConf} is the short way for one instance).
 *
 * <p>It uses only the public API of {@code io.havip.vrrp}: a builder from here is the same
 * builder an application fills by hand. Only here, because a configuration file asks for it,
 * does havip run a process ({@code vrrp_script}s, notify commands through
 * {@link io.havip.vrrp.keepalived.KeepalivedRouters#runProcess}); the rest of the library never
 * forks. Exported by the module.
 */
package io.havip.vrrp.keepalived;
