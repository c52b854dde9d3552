package io.havip.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a refused {@code havip.*} property into Spring Boot's start-up report, naming the property. */
public class HavipFailureAnalyzer extends AbstractFailureAnalyzer<HavipPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, HavipPropertyException cause) {
        return new FailureAnalysis("Invalid havip configuration: " + cause.getMessage(),
                "Correct " + cause.property() + " in the application's configuration (application.properties or "
                        + "application.yml, an environment variable, a command-line argument).", cause);
    }
}
