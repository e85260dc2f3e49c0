package io.dynalog.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * An executor the test drives: tasks wait in a list until the test runs them, in submission
 * order ({@link #drain}) or in any order it picks ({@link #runTask}), which models the node's
 * thread pool running two tasks in either order. In direct mode tasks run at once, on the caller.
 */
final class DeterministicExecutor implements Executor {
    /** Far more tasks than any test submits: a drain that runs this many is a livelock. */
    private static final int MAX_TASKS_PER_DRAIN = 100_000;

    private final List<Runnable> tasks = new ArrayList<>();
    private final boolean direct;
    private long executed;

    DeterministicExecutor(boolean direct) {
        this.direct = direct;
    }

    @Override
    public void execute(Runnable task) {
        if (direct) {
            executed++;
            task.run();
        } else {
            tasks.add(task);
        }
    }

    int pendingTasks() {
        return tasks.size();
    }

    long executedTasks() {
        return executed;
    }

    /** Runs the oldest task; false when there was none. */
    boolean runNext() {
        if (tasks.isEmpty()) return false;
        runTask(0);
        return true;
    }

    /** Runs the task at {@code index} in submission order, ahead of older ones. */
    void runTask(int index) {
        Runnable task = tasks.remove(index);
        executed++;
        task.run();
    }

    /** Runs the newest task, ahead of all older ones. */
    void runLast() {
        runTask(tasks.size() - 1);
    }

    /** Runs tasks, including those they submit, until none is left; returns how many ran. */
    int drain() {
        int ran = 0;
        while (runNext()) {
            if (++ran > MAX_TASKS_PER_DRAIN) throw new AssertionError("executor never drains: livelock?");
        }
        return ran;
    }
}
