using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Worker.Admission;

/// <summary>
/// Frees a slot at once: when this process publishes the <see cref="TaskProgressed"/> of a task that reached a
/// final state (the saga publishes it once the state is committed), admission is woken.
/// </summary>
public sealed class TaskEndObserver(AdmissionSignal signal) : IPublishObserver
{
    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class
    {
        if (context.Message is TaskProgressed progressed && ResearchTaskState.IsFinal(progressed.ToState))
            signal.Wake();
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
