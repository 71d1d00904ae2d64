using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Worker.Consumers;

/// <summary>
/// The public intake: the only consumer of <see cref="TaskSubmitted"/>, whoever published it (the Api, or any
/// client with plain JSON). It applies the API's rules and tells the saga <see cref="TaskAccepted"/> or
/// <see cref="TaskRejected"/>; a message without a task id faults into the <c>_error</c> queue with the reason.
/// </summary>
public sealed class TaskSubmittedConsumer : IConsumer<TaskSubmitted>
{
    public Task Consume(ConsumeContext<TaskSubmitted> context)
    {
        var task = context.Message;
        if (task.TaskId == Guid.Empty)
            throw new InvalidTaskException("A TaskSubmitted needs a taskId (a UUID); this one has none.");

        return TaskRules.Check(task) is { } problem
            ? context.Publish(new TaskRejected(task.TaskId, task.Theme?.Trim() ?? "", task.Budget, problem))
            : context.Publish(new TaskAccepted(task.TaskId, task.Theme.Trim(), task.Budget, task.VoiceId));
    }
}
