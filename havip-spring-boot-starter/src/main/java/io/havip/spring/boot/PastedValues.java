package io.havip.spring.boot;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Numbers, durations and switches under {@code havip.} read as they look, like the text
 * settings ({@link RouterSettings#text}): Spring converts {@code vrid=51} followed by a pasted
 * no-break space with a {@code NumberFormatException}, and its start-up report then names a
 * Java exception. Here a value Spring could not convert is read again without the blanks
 * around it (with the text settings' one warning), and a value that still does not convert is
 * refused with a {@link HavipPropertyException} that names the property, what it should hold,
 * and where it was written. Properties outside {@code havip.} are left to Spring as they are.
 */
final class PastedValues implements ConfigurationPropertiesBindHandlerAdvisor {

    private static final ConfigurationPropertyName HAVIP = ConfigurationPropertyName.of("havip");

    @Override
    public BindHandler apply(BindHandler handler) {
        return new AbstractBindHandler(handler) {
            @Override
            public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context, Exception error)
                    throws Exception {
                ConfigurationProperty property = context.getConfigurationProperty();
                // only where the value itself failed: its parents see the same failure again
                if (!HAVIP.isAncestorOf(name) || property == null || !name.equals(property.getName())
                        || !(property.getValue() instanceof String raw)) {
                    return super.onFailure(name, target, context, error);
                }
                // as bound by Spring: the handlers that follow (unknown keys refused) see it bound
                return super.onSuccess(name, target, context, reread(name.toString(), raw, target, property));
            }
        };
    }

    private static Object reread(String name, String raw, Bindable<?> target, ConfigurationProperty property) {
        String value = RouterSettings.text(name, raw); // refuses an invisible character inside the value
        if (!value.equals(raw)) {
            try {
                Object bound = new Binder(new MapConfigurationPropertySource(Map.of(name, value))).bind(name, target)
                        .orElse(null);
                if (bound != null) {
                    return bound;
                }
            } catch (BindException e) {
                // still not a value of its type: refused below, as the operator wrote it
            }
        }
        String origin = property.getOrigin() == null ? "" : " (" + property.getOrigin() + ")";
        throw new HavipPropertyException(name, "'" + value + "' is not " + expected(target) + origin);
    }

    /** What a value of {@code target}'s type looks like, for the refusal. */
    private static String expected(Bindable<?> target) {
        Class<?> type = target.getType().resolve(Object.class);
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Duration.class) {
            return "a duration such as 1s or 100ms (a number alone is milliseconds)";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        return "a value of type " + type.getSimpleName();
    }
}
