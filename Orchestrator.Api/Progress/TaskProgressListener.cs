using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.ServiceDefaults;

namespace Orchestrator.Api.Progress;

/// <summary>
/// Each Api instance hears of every <see cref="TaskProgressed"/>, in both modes, and passes it to the streams of
/// this process; the streams read the database on connect and on every heartbeat anyway.
/// </summary>
public sealed class TaskProgressListener(IBus bus, TaskProgressHub hub) : BroadcastListener<TaskProgressed>(bus, "task-progress")
{
    protected override void Handle(TaskProgressed message) => hub.Notify(message.TaskId);
}
