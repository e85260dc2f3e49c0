package io.dynalog.topology.wal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who takes part in a replica group, as of one version: the voters (acceptors whose durable
 * accepts and promises count towards a majority) and the learners (members that receive every
 * slot and accept it, so that they hold the log when they are made voters, but whose votes count
 * for nothing). Immutable; ids are kept sorted.
 *
 * <p>A configuration other than a group's first is chosen through the group's own log: the value
 * of a slot {@code s} names it (a {@link WalEntry.Kind#CONFIGURATION} entry), and it is in force for every slot
 * after {@code s} (the configuration of slot {@code t} is the one named by the highest chosen
 * configuration value below {@code t}, or the group's first). Versions grow by one with each
 * change; version 0 is the group's first configuration, known to every member from the catalog.
 *
 * @param version  0 for the group's first configuration, then one more with each chosen change
 * @param voters   at least one; disjoint from the learners
 * @param learners members that receive the log without voting
 */
public record Configuration(long version, List<Integer> voters, List<Integer> learners) {
    /** Most members (voters and learners) of one configuration: the leader tracks them in a bit mask. */
    public static final int MAX_MEMBERS = 31;

    public Configuration {
        if (version < 0) throw new IllegalArgumentException("configuration version is negative: " + version);
        voters = sorted(voters, "voter");
        learners = sorted(learners, "learner");
        if (voters.isEmpty()) throw new IllegalArgumentException("a configuration needs a voter: " + learners);
        for (int id : learners) {
            if (voters.contains(id)) throw new IllegalArgumentException("member " + id + " is both voter and learner");
        }
        if (voters.size() + learners.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("a configuration has at most " + MAX_MEMBERS + " members: "
                    + voters + " and learners " + learners);
        }
    }

    /** A group's first configuration: every member votes. */
    public static Configuration initial(Collection<Integer> voters) {
        return new Configuration(0, new ArrayList<>(voters), List.of());
    }

    private static List<Integer> sorted(Collection<Integer> ids, String what) {
        Set<Integer> set = new TreeSet<>();
        for (Integer id : ids) {
            if (id == null || id < 0) throw new IllegalArgumentException(what + " ids are non-negative: " + ids);
            if (!set.add(id)) throw new IllegalArgumentException("duplicate " + what + " id " + id + ": " + ids);
        }
        return List.copyOf(set);
    }

    /** Votes needed for a decision: a majority of the voters. */
    public int majority() {
        return voters.size() / 2 + 1;
    }

    public boolean isVoter(int id) {
        return voters.contains(id);
    }

    public boolean isLearner(int id) {
        return learners.contains(id);
    }

    /** A voter or a learner. */
    public boolean isMember(int id) {
        return isVoter(id) || isLearner(id);
    }

    /** Voters and learners, voters first. */
    public List<Integer> members() {
        List<Integer> all = new ArrayList<>(voters);
        all.addAll(learners);
        return all;
    }

    /** True when the ids in {@code granted} include a majority of the voters. */
    public boolean isQuorum(Collection<Integer> granted) {
        int n = 0;
        for (int v : voters) {
            if (granted.contains(v)) n++;
        }
        return n >= majority();
    }

    /** The next version with {@code learner} added as a learner. */
    public Configuration withLearner(int learner) {
        List<Integer> l = new ArrayList<>(learners);
        l.add(learner);
        return new Configuration(version + 1, voters, l);
    }

    /** The next version with learner {@code id} made a voter. */
    public Configuration promote(int id) {
        if (!isLearner(id)) throw new IllegalArgumentException("member " + id + " is not a learner of " + this);
        List<Integer> v = new ArrayList<>(voters);
        v.add(id);
        List<Integer> l = new ArrayList<>(learners);
        l.remove((Integer) id);
        return new Configuration(version + 1, v, l);
    }

    /** The next version without member {@code id}. */
    public Configuration without(int id) {
        if (!isMember(id)) throw new IllegalArgumentException("member " + id + " is not in " + this);
        List<Integer> v = new ArrayList<>(voters);
        v.remove((Integer) id);
        List<Integer> l = new ArrayList<>(learners);
        l.remove((Integer) id);
        return new Configuration(version + 1, v, l);
    }

    @Override
    public String toString() {
        return "v" + version + " voters " + voters + (learners.isEmpty() ? "" : " learners " + learners);
    }
}
