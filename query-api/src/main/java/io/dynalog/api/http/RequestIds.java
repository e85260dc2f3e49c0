package io.dynalog.api.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Request ids in DynamoDB's format: 52 characters of {@code [0-9A-Z]}. Random, so they are unique in
 * practice across nodes and restarts; they identify a request in logs and in the
 * {@code x-amzn-RequestId} header, and nothing depends on their order.
 */
final class RequestIds implements Supplier<String> {

    static final int LENGTH = 52;
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();

    @Override
    public String get() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
