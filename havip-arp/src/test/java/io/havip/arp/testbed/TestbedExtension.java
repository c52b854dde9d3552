package io.havip.arp.testbed;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test method a fresh {@link Testbed} parameter and closes it after the method,
 * whether it passed or failed (the testbed is stored in the method's extension store,
 * which JUnit closes). Skips the test, or fails it under {@code CI=true}, when root or
 * {@code ip} is missing.
 *
 * <pre>
 * &#64;ExtendWith(TestbedExtension.class)
 * class MyIT {
 *     &#64;Test void works(Testbed net) { Node a = net.addNode("a"); ... }
 * }
 * </pre>
 */
public final class TestbedExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Testbed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(ExtensionContext.Namespace.create(TestbedExtension.class,
                context.getUniqueId()));
        return store.computeIfAbsent("testbed", k -> Testbed.create(), Testbed.class);
    }
}
