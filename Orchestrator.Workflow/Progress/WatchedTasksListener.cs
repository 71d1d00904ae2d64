using Orchestrator.ServiceDefaults;

namespace Orchestrator.Workflow.Progress;

/// <summary>
/// Every host that runs the workflow hears of every <see cref="TasksWatched"/>, so whichever host moves a watched
/// task tells its watchers; a broker that is down meanwhile is covered by the watchers' heartbeat reads.
/// </summary>
public sealed class WatchedTasksListener(IBus bus, WatchedTasks watched) : BroadcastListener<TasksWatched>(bus, "tasks-watched")
{
    protected override void Handle(TasksWatched message) => watched.Watch(message);
}
