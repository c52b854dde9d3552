package io.havip.spring.boot;

import io.havip.core.AddressHook;
import io.havip.micrometer.HavipRouterSetMeters;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Auto-configuration of havip: a {@link HavipRouters} bean for {@code havip.routers.*}, plus,
 * when the application has them, an Actuator health indicator ({@code havip}) and endpoint
 * ({@code /actuator/havip}), and the routers' meters in the application's {@code MeterRegistry}
 * (havip-micrometer on the class path). Every {@link AddressHook} bean is added to every router
 * with the router's {@code hook-timeout}; {@link HavipRouterCustomizer} beans see each builder
 * last. Nothing here does what the builder cannot.
 */
@AutoConfiguration
@ConditionalOnClass(Havip.class)
@EnableConfigurationProperties(HavipProperties.class)
public class HavipAutoConfiguration {

    /**
     * Numbers, durations and switches under {@code havip.} read as they look (a pasted blank
     * after {@code vrid=51} is a blank), or refused naming the property and where it is written,
     * never with a Java exception's name.
     */
    @Bean
    static ConfigurationPropertiesBindHandlerAdvisor havipPastedValues() {
        return new PastedValues();
    }

    @Bean
    @ConditionalOnMissingBean
    public HavipRouters havipRouters(HavipProperties properties, ObjectProvider<AddressHook> hooks,
                                     ObjectProvider<HavipRouterCustomizer> customizers,
                                     ObjectProvider<HavipRouters.Observer> observers, ApplicationEventPublisher events,
                                     Environment environment) {
        if (environment instanceof ConfigurableEnvironment configurable) {
            for (PropertySource<?> source : configurable.getPropertySources()) {
                if (source instanceof EnumerablePropertySource<?> names) {
                    RouterSettings.checkNames(java.util.Arrays.asList(names.getPropertyNames()));
                }
            }
        }
        return new HavipRouters(properties, hooks.orderedStream().toList(), customizers.orderedStream().toList(),
                observers.orderedStream().toList(), events);
    }

    /** The health indicator, with Spring Boot's health module (spring-boot-health, part of the Actuator starter). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "havipHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("havip")
        HavipHealthIndicator havipHealthIndicator(HavipRouters routers) {
            return new HavipHealthIndicator(routers);
        }
    }

    /** The {@code havip} endpoint, with Spring Boot Actuator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
    static class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        HavipEndpoint havipEndpoint(HavipRouters routers) {
            return new HavipEndpoint(routers);
        }
    }

    /**
     * The routers' meters, with Micrometer and havip-micrometer: a {@code MeterBinder} that Spring
     * Boot binds to the application's registries; routers join it as they start.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", "io.havip.micrometer.HavipMeters"})
    static class MetersConfiguration {

        @Bean
        @ConditionalOnMissingBean
        HavipRouterSetMeters havipRouterMeters() {
            return new HavipRouterSetMeters();
        }

        @Bean
        HavipRouters.Observer havipRouterMetersObserver(HavipRouterSetMeters meters, HavipProperties properties) {
            return new HavipRouters.Observer() {
                @Override
                public void started(String name, VirtualRouter router) {
                    Integer base = properties.getRouters().get(name).getPriority();
                    meters.add(router, () -> base == null ? 100 : base);
                }

                @Override
                public void stopped(String name, VirtualRouter router) {
                    meters.remove(router);
                }
            };
        }
    }
}
