package io.dynalog.ingest.paxos;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One {@link PaxosMember} (id {@link #SELF} unless told otherwise, in group 1, 2, 3) over a fake
 * outbox, an {@link InMemoryAcceptorStore} whose syncs complete only when the test calls
 * {@link #sync()}, and a manual clock, so that each test is a short script: build, act, deliver,
 * sync, assert what was sent and what the listener heard.
 */
final class PaxosTestContext {
    static final int SELF = 1;
    static final long START_MS = 1_000_000;
    static final PaxosConfig CONFIG = new PaxosConfig(150, 20, 100, 10_000, 3);

    record Sent(int to, PaxosMessage message) {}

    record Chosen(long slot, String value) {}

    final PaxosMember member;
    final InMemoryAcceptorStore store;
    final PaxosConfig config;
    final List<Integer> memberIds;
    final int selfId;
    private long nowMs = START_MS;
    private final List<Sent> sent = new ArrayList<>();
    final List<Chosen> chosen = new ArrayList<>();
    final List<String> roleChanges = new ArrayList<>();
    final List<Ballot> readyBallots = new ArrayList<>();
    final List<Long> skippedThrough = new ArrayList<>();
    /** "fromSlot:configuration", as the listener heard of each. */
    final List<String> configurations = new ArrayList<>();

    private PaxosTestContext(Builder b) {
        this.store = InMemoryAcceptorStore.withState(new AcceptorStore.DurableState(b.promised, b.archivedSlot, b.accepted));
        this.config = b.config;
        this.memberIds = b.memberIds;
        this.selfId = b.selfId;
        this.member = new PaxosMember(b.selfId, b.memberIds, store, (to, m) -> sent.add(new Sent(to, m)),
                new Random(b.seed), b.config, VALUES, new PaxosListener() {
                    @Override
                    public void onChosen(long slot, byte[] value) {
                        chosen.add(new Chosen(slot, new String(value, StandardCharsets.UTF_8)));
                    }

                    @Override
                    public void onDeliverySkipped(long throughSlot) {
                        skippedThrough.add(throughSlot);
                    }

                    @Override
                    public void onRoleChanged(Role role, Ballot ballot) {
                        roleChanges.add(role + "@" + ballot);
                    }

                    @Override
                    public void onLeaderReady(Ballot ballot) {
                        readyBallots.add(ballot);
                    }

                    @Override
                    public void onConfigurationChosen(long fromSlot, Configuration configuration) {
                        configurations.add(fromSlot + ":" + configuration);
                    }
                });
        member.start(nowMs);
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private int selfId = SELF;
        private List<Integer> memberIds = List.of(1, 2, 3);
        private PaxosConfig config = CONFIG;
        private Ballot promised = Ballot.ZERO;
        private long archivedSlot;
        private final List<AcceptedEntry> accepted = new ArrayList<>();
        private long seed = 7;

        Builder withMembers(Integer... ids) {
            memberIds = List.of(ids);
            return this;
        }

        Builder withSelf(int id) {
            selfId = id;
            return this;
        }

        Builder withConfig(PaxosConfig c) {
            config = c;
            return this;
        }

        /** Durable state before the member starts. */
        Builder withPromised(Ballot b) {
            promised = b;
            return this;
        }

        Builder withArchived(long slot) {
            archivedSlot = slot;
            return this;
        }

        Builder withAccepted(long slot, Ballot ballot, String value) {
            accepted.add(new AcceptedEntry(slot, ballot, bytes(value)));
            return this;
        }

        PaxosTestContext build() {
            return new PaxosTestContext(this);
        }

        /** Built and elected: it campaigned, members 2 and 3 promised with nothing accepted. */
        PaxosTestContext buildLeader() {
            PaxosTestContext ctx = build();
            ctx.becomeLeader();
            return ctx;
        }
    }

    // ---- time and inputs ----------------------------------------------------------------------

    long now() {
        return nowMs;
    }

    void advance(long ms) {
        nowMs += ms;
    }

    void tick() {
        member.onTick(nowMs);
    }

    void advanceAndTick(long ms) {
        advance(ms);
        tick();
    }

    void deliver(int from, PaxosMessage message) {
        member.onMessage(nowMs, from, message);
    }

    /** Completes every pending sync and tells the member. */
    void sync() {
        long token = store.completeAllSyncs();
        if (token > 0) member.onSynced(nowMs, token);
    }

    long propose(String value) {
        ProposeResult r = member.propose(nowMs, slot -> bytes(value));
        assertThat(r).isInstanceOf(ProposeResult.Proposed.class);
        return ((ProposeResult.Proposed) r).slot();
    }

    void flush() {
        member.flush(nowMs);
    }

    /** Past any election deadline and the lease a starting member assumes: it asks for pre-votes; returns the ballot it asks about. */
    Ballot becomeProspective() {
        advanceAndTick(2 * config.electionTimeoutMs() + 1);
        assertThat(member.role()).isIn(Role.PROSPECTIVE, Role.CANDIDATE);
        PaxosMessage.PreVote asked = null;
        for (Sent s : sent) {
            if (s.message() instanceof PaxosMessage.PreVote v) asked = v;
        }
        return asked == null ? member.ballot() : asked.ballot();
    }

    /** Becomes prospective, and a majority grants its pre-vote: it campaigns. */
    Ballot becomeCandidate() {
        Ballot asked = becomeProspective();
        for (int id : memberIds) {
            if (id != selfId && member.role() == Role.PROSPECTIVE) {
                deliver(id, new PaxosMessage.PreVoteReply(asked, true, Ballot.ZERO, PaxosMember.NO_LEADER));
            }
        }
        assertThat(member.role()).isEqualTo(Role.CANDIDATE);
        return member.ballot();
    }

    /** Campaigns and wins with every other member promising with nothing accepted. */
    Ballot becomeLeader() {
        Ballot b = becomeCandidate();
        sync();
        for (int id : memberIds) {
            if (id != selfId && member.role() == Role.CANDIDATE) deliver(id, new PaxosMessage.Promise(b, 0, List.of()));
        }
        assertThat(member.role()).isEqualTo(Role.LEADER);
        drainSent();
        return b;
    }

    // ---- what was sent ------------------------------------------------------------------------

    List<Sent> drainSent() {
        List<Sent> out = new ArrayList<>(sent);
        sent.clear();
        return out;
    }

    /** Drains what was sent and returns the messages of one type to one member. */
    <T extends PaxosMessage> List<T> drainSent(int to, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Sent s : drainSent()) {
            if (s.to() == to && type.isInstance(s.message())) out.add(type.cast(s.message()));
        }
        return out;
    }

    /** Drains and returns the single message sent to {@code to}; fails if there is not exactly one. */
    <T extends PaxosMessage> T drainSingle(int to, Class<T> type) {
        List<Sent> all = drainSent();
        List<T> matching = new ArrayList<>();
        for (Sent s : all) {
            if (s.to() == to && type.isInstance(s.message())) matching.add(type.cast(s.message()));
        }
        assertThat(matching).as("%s to %d among %s", type.getSimpleName(), to, all).hasSize(1);
        return matching.get(0);
    }

    /** The acknowledgement member {@code from} would send for {@code accept}: all its entries, durably. */
    static PaxosMessage.Accepted ackAll(PaxosMessage.Accept accept, long contiguousSlot) {
        List<SlotRange> ranges = accept.entries().isEmpty() ? List.of()
                : List.of(new SlotRange(accept.entries().get(0).slot(), accept.entries().get(accept.entries().size() - 1).slot()));
        return new PaxosMessage.Accepted(accept.ballot(), accept.sentAtMs(), ranges, contiguousSlot);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * A test value may name its origin after a '#' ("x#2.2": first proposed under ballot 2.2); no-ops have none; a
     * configuration value is "config:version:voters:learners" (ids joined by ',').
     */
    static final Values VALUES = new Values() {
        @Override
        public byte[] noop(long slot, Ballot ballot) {
            return PaxosTestContext.noop(slot, ballot);
        }

        @Override
        public byte[] configuration(long slot, Ballot ballot, Configuration next) {
            return bytes(configurationValue(next) + "#" + ballot);
        }

        @Override
        public Configuration configurationOf(byte[] value) {
            String v = string(value);
            if (!v.startsWith("config:")) return null;
            int at = v.indexOf('#');
            String[] parts = (at < 0 ? v : v.substring(0, at)).split(":", -1);
            return new Configuration(Long.parseLong(parts[1]), ids(parts[2]), ids(parts[3]));
        }

        private List<Integer> ids(String joined) {
            List<Integer> ids = new ArrayList<>();
            if (!joined.isEmpty()) {
                for (String id : joined.split(",")) ids.add(Integer.parseInt(id));
            }
            return ids;
        }

        @Override
        public Ballot originOf(byte[] value) {
            String v = string(value);
            int at = v.indexOf('#');
            if (at < 0) return null;
            String[] ballot = v.substring(at + 1).split("\\.");
            return new Ballot(Long.parseLong(ballot[0]), Integer.parseInt(ballot[1]));
        }
    };

    /** The value naming {@code c}, without an origin. */
    static String configurationValue(Configuration c) {
        return "config:" + c.version() + ":" + join(c.voters()) + ":" + join(c.learners());
    }

    private static String join(List<Integer> ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(sb.length() == 0 ? "" : ",").append(id);
        return sb.toString();
    }

    static byte[] noop(long slot, Ballot ballot) {
        return bytes("noop/" + slot + "/" + ballot);
    }
}
