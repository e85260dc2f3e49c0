package io.dynalog.node;

import java.util.Locale;
import picocli.CommandLine;

/**
 * A command-line duration, in milliseconds: a whole number with a unit, {@code ms}, {@code s},
 * {@code m} or {@code h} ({@code 500ms}, {@code 30s}, {@code 5m}).
 */
final class DurationMs implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int unitAt = 0;
        while (unitAt < v.length() && Character.isDigit(v.charAt(unitAt))) unitAt++;
        if (unitAt == 0 || unitAt > 12) {
            throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (use a whole number and ms, s, m or h: 30s, 5m)");
        }
        long amount = Long.parseLong(v.substring(0, unitAt));
        long unitMs = switch (v.substring(unitAt)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> throw new CommandLine.TypeConversionException("not a duration: '" + value
                    + "' (the unit must be ms, s, m or h: 30s, 5m)");
        };
        return Math.multiplyExact(amount, unitMs);
    }
}
