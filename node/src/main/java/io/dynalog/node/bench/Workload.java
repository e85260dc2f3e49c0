package io.dynalog.node.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The operations the bench can measure, each on its own for the whole measured interval. */
enum Workload {
    /** PutItem of one whole item under a random key of the hash-only table. */
    PUT,
    /** GetItem of a random preloaded key of the hash-only table. */
    GET,
    /** UpdateItem of a random key of the hash-only table: a typical SET and ADD ({@code SET payload = :p ADD hits :one}). */
    UPDATE,
    /** Query of every item of one random preloaded partition key of the table with a sort key. */
    QUERY;

    /** The name on the command line and in results: lower case. */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads {@code put}, {@code get}, {@code update} or {@code query}, in any case, for picocli. */
    static final class Converter implements ITypeConverter<Workload> {
        @Override
        public Workload convert(String value) {
            String trimmed = value.trim();
            for (Workload workload : values()) {
                if (workload.cliName().equalsIgnoreCase(trimmed)) {
                    return workload;
                }
            }
            throw new TypeConversionException("unknown workload '" + value + "', expected one of "
                + Arrays.stream(values()).map(Workload::cliName).collect(Collectors.joining(", ")));
        }
    }
}
