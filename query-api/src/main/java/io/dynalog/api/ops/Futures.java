package io.dynalog.api.ops;

import io.dynalog.api.ApiException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting, on an API worker thread, for a step that normally takes milliseconds. */
final class Futures {
    /** How long a read waits for its partition before the client is told to retry. */
    static final long READ_WAIT_MS = 5_000;

    private Futures() {}

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(READ_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw ApiException.serviceUnavailable("The partition did not answer in time; retry the request");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.serviceUnavailable("The request was interrupted");
        } catch (ExecutionException e) {
            Throwable t = Failures.toApi(e.getCause());
            if (t instanceof RuntimeException r) throw r;
            throw new IllegalStateException(t);
        }
    }
}
