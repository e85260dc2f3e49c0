package io.dynalog.checker;

/** What a linearizability check concluded. */
public enum Verdict {
    /** A linearization exists (one was found). */
    LINEARIZABLE,
    /** No linearization exists: every order consistent with real time was ruled out. */
    NOT_LINEARIZABLE,
    /** The search budget ran out before either was shown. */
    UNKNOWN
}
