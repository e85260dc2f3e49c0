package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * What a candidate recovers from the promises it holds (its own and every complete report): the
 * highest archived slot any reported, with the origin and configuration recorded with it; for each
 * slot above it, the value to propose again (the one accepted under the highest ballot, or a no-op);
 * and the configurations in force over those slots.
 *
 * <p>Why a majority of each of {@link #configurations} is enough to win, and needed: the
 * configuration of slot {@code t} is the one named by the chosen configuration values below
 * {@code t}, and a value chosen at {@code t} was accepted by a majority of it. By induction over the
 * slots, with promises from a majority of each configuration found so far, the values recovered
 * below {@code t} are the only ones that can have been chosen there, so the configuration they
 * name for {@code t} is the only one that can be in force, and a majority of it reported whatever
 * was accepted at {@code t}. Beyond the last recovered slot the last configuration is in force,
 * and the promises stop every lower ballot from reaching a majority of it.
 *
 * <p>A configuration value takes effect only when its version is one above the configuration in
 * force at its slot; any other is inert (delivered, but changing nothing). Every member and every
 * leader applies this same rule ({@link #next}), so they agree on the configuration of each slot.
 */
final class Recovery {
    final long archivedSlot;
    final Ballot archivedMaxOrigin;
    final Configuration archivedConfiguration;
    /** Slot {@code archivedSlot + 1 + i} is proposed again with {@code best[i]}'s value, or a no-op where null. */
    final AcceptedEntry[] best;
    /** The configurations in force over the recovered slots, each with the first slot it governs, in slot order. */
    final List<Configured> configurations;

    /** {@code configuration} governs the slots from {@code fromSlot} on (until the next one's). */
    record Configured(long fromSlot, Configuration configuration) {}

    private Recovery(long archivedSlot, Ballot archivedMaxOrigin, Configuration archivedConfiguration, AcceptedEntry[] best,
                     List<Configured> configurations) {
        this.archivedSlot = archivedSlot;
        this.archivedMaxOrigin = archivedMaxOrigin;
        this.archivedConfiguration = archivedConfiguration;
        this.best = best;
        this.configurations = Collections.unmodifiableList(configurations);
    }

    /**
     * The configuration {@code value} puts in force after its slot when {@code current} governs that
     * slot, or null when it changes nothing (not a configuration value, or not the next version).
     */
    static Configuration next(Values values, Configuration current, byte[] value) {
        Configuration named = values.configurationOf(value);
        return named != null && named.version() == current.version() + 1 ? named : null;
    }

    static Recovery of(Acceptor self, CandidateState candidate, Configuration firstConfiguration, Values values) {
        long archived = self.archivedSlot();
        Ballot archivedMaxOrigin = self.archivedMaxOrigin();
        Configuration archivedConfiguration = self.archivedConfiguration();
        List<List<AcceptedEntry>> reports = new ArrayList<>();
        reports.add(self.entriesFrom(candidate.fromSlot));
        for (CandidateState.Report r : candidate.reports.values()) {
            if (!r.complete) continue;
            Configuration reported = r.archivedConfiguration != null ? r.archivedConfiguration : firstConfiguration;
            if (r.archivedSlot > archived
                    || (r.archivedSlot == archived && reported.version() > archivedConfiguration.version())) {
                archivedConfiguration = reported;
            }
            archived = Math.max(archived, r.archivedSlot);
            if (r.archivedMaxOrigin.isAbove(archivedMaxOrigin)) archivedMaxOrigin = r.archivedMaxOrigin;
            reports.add(r.entries());
        }
        long highest = archived;
        for (List<AcceptedEntry> report : reports) {
            for (AcceptedEntry e : report) highest = Math.max(highest, e.slot());
        }
        if (highest - archived > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("ballot " + candidate.ballot() + ": " + (highest - archived) + " slots to recover");
        }
        AcceptedEntry[] best = new AcceptedEntry[(int) (highest - archived)];
        for (List<AcceptedEntry> report : reports) {
            for (AcceptedEntry e : report) {
                if (e.slot() <= archived) continue;
                int at = (int) (e.slot() - archived - 1);
                AcceptedEntry current = best[at];
                if (current == null || e.acceptedBallot().isAbove(current.acceptedBallot())) {
                    best[at] = e;
                } else if (e.acceptedBallot().equals(current.acceptedBallot()) && !Arrays.equals(e.value(), current.value())) {
                    throw new IllegalStateException("ballot " + current.acceptedBallot() + " has two values for slot " + e.slot());
                }
            }
        }

        // A recovered value that a later leader's new proposal at a lower slot shows was never
        // chosen is not proposed again: its leader resolved it against writes that are not in the
        // log below it (see PaxosMember's class comment).
        Ballot maxOriginBelow = archivedMaxOrigin;
        List<Configured> configurations = new ArrayList<>();
        configurations.add(new Configured(archived + 1, archivedConfiguration));
        for (int i = 0; i < best.length; i++) {
            if (best[i] == null) continue;
            if (maxOriginBelow.isAbove(best[i].acceptedBallot())) {
                best[i] = null;
                continue;
            }
            Ballot origin = values.originOf(best[i].value());
            if (origin != null && origin.isAbove(maxOriginBelow)) maxOriginBelow = origin;
            Configuration next = next(values, configurations.get(configurations.size() - 1).configuration(), best[i].value());
            if (next != null) configurations.add(new Configured(best[i].slot() + 1, next));
        }
        return new Recovery(archived, archivedMaxOrigin, archivedConfiguration, best, configurations);
    }

    /** True when {@code promised} holds a majority of every configuration in force over the recovered slots. */
    boolean heardFromQuorums(Set<Integer> promised) {
        for (Configured c : configurations) {
            if (!c.configuration().isQuorum(promised)) return false;
        }
        return true;
    }

    /** The configuration in force after the recovered slots. */
    Configuration lastConfiguration() {
        return configurations.get(configurations.size() - 1).configuration();
    }
}
