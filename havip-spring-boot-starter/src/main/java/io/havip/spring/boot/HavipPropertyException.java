package io.havip.spring.boot;

/** A {@code havip.*} property with a value that cannot run; the message starts with the property's name. */
public class HavipPropertyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String property;

    public HavipPropertyException(String property, String problem) {
        super(property + ": " + problem);
        this.property = property;
    }

    /** The property at fault, such as {@code havip.routers.web.vrid}. */
    public String property() {
        return property;
    }
}
