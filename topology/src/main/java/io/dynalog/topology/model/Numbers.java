package io.dynalog.topology.model;

import java.math.BigDecimal;

/** DynamoDB's number rules: canonical form, limits, text form. */
public final class Numbers {
    /** DynamoDB keeps at most 38 significant digits. */
    public static final int MAX_PRECISION = 38;
    /** Smallest positive magnitude: 1E-130. */
    public static final BigDecimal MIN_MAGNITUDE = new BigDecimal("1E-130");
    /** Largest magnitude: 9.9999999999999999999999999999999999999E+125. */
    public static final BigDecimal MAX_MAGNITUDE = new BigDecimal("9.9999999999999999999999999999999999999E+125");

    private Numbers() {}

    /** Trailing zeros stripped; every zero is {@link BigDecimal#ZERO}. */
    public static BigDecimal canonical(BigDecimal n) {
        if (n.signum() == 0) return BigDecimal.ZERO;
        return n.stripTrailingZeros();
    }

    /**
     * The text DynamoDB returns for a number: plain notation, no trailing zeros after the point
     * (DynamoDB normalises {@code "1.50"} to {@code "1.5"} and {@code "1e2"} to {@code "100"}).
     */
    public static String format(BigDecimal canonical) {
        return canonical.toPlainString();
    }

    /**
     * Parses a number the way DynamoDB reads one, or returns null when the text is not a number.
     * Limits are checked by {@link #check}.
     */
    public static BigDecimal parse(String text) {
        if (text == null || text.isEmpty()) return null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // BigDecimal also accepts forms DynamoDB does not (no digits at all is caught by it).
            if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return null;
        }
        try {
            return canonical(new BigDecimal(text));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Returns null when the number is within DynamoDB's limits, or the reason it is not. */
    public static String check(BigDecimal n) {
        if (n.signum() == 0) return null;
        BigDecimal c = canonical(n);
        if (c.precision() > MAX_PRECISION) {
            return "Attempting to store more than 38 significant digits in a Number";
        }
        BigDecimal abs = c.abs();
        if (abs.compareTo(MAX_MAGNITUDE) > 0) {
            return "Number overflow. Attempting to store a number with magnitude larger than supported range";
        }
        if (abs.compareTo(MIN_MAGNITUDE) < 0) {
            return "Number underflow. Attempting to store a number with magnitude smaller than supported range";
        }
        return null;
    }
}
