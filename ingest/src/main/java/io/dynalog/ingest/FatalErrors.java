package io.dynalog.ingest;

/**
 * Where a failure goes that this node cannot carry on after: an acceptor store that cannot make
 * votes durable (a vote that a crash could lose breaks Paxos: fail-stop is the only safe answer),
 * or protocol code that keeps failing. The node's handler says why, loudly, and stops the process;
 * tests record the call instead. Called at most a few times, from any thread; must not return
 * normally into code that assumes the failed step happened (callers throw after calling it).
 */
@FunctionalInterface
public interface FatalErrors {
    void stop(String why, Throwable cause);
}
