using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// Accepts a task: records it as <c>Submitted</c>, so its id is readable at once, then publishes
/// <see cref="TaskSubmitted"/>. A task the bus refused is not kept. Passes cancellations on to the saga.
/// </summary>
public sealed partial class TaskIntake(
    OrchestratorDbContext db,
    IPublishEndpoint publishEndpoint,
    TimeProvider clock,
    ILogger<TaskIntake> logger)
{
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    public async Task<Guid?> SubmitAsync(SubmitTaskRequest request, CancellationToken cancellationToken)
    {
        var task = ResearchTaskState.Accept(Guid.NewGuid(), request.Theme, request.Budget, request.VoiceId, "anonymous", clock.GetUtcNow().UtcDateTime);
        db.ResearchTasks.Add(task);
        await db.SaveChangesAsync(cancellationToken);

        await PublishAsync(new TaskAccepted(task.CorrelationId), task.CorrelationId, cancellationToken);
        LogAccepted(logger, task.CorrelationId, task.Budget);
        return task.CorrelationId;
    }

    /// <summary>Asks the saga to cancel the task; false when the bus refused the message.</summary>
    public Task<bool> CancelAsync(Guid taskId, CancellationToken cancellationToken) =>
        PublishAsync(new CancelTask(taskId), taskId, cancellationToken);

    async Task<bool> PublishAsync<T>(T message, Guid taskId, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PublishTimeout);
            await publishEndpoint.Publish(message, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRefused(logger, e, typeof(T).Name, taskId);
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Task {TaskId} accepted with a budget of {Budget}")]
    static partial void LogAccepted(ILogger logger, Guid taskId, long budget);

    [LoggerMessage(LogLevel.Error, "{Message} for task {TaskId} refused: the bus did not accept it")]
    static partial void LogRefused(ILogger logger, Exception exception, string message, Guid taskId);
}
