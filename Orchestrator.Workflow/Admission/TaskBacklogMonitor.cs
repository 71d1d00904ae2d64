namespace Orchestrator.Workflow.Admission;

/// <summary>
/// Counts the recorded tasks waiting to start once a second (one indexed count, over all hosts) into
/// <see cref="TaskBacklog"/>, so that <c>POST /tasks</c> knows the backlog without a query of its own.
/// </summary>
public sealed partial class TaskBacklogMonitor(
    IServiceScopeFactory scopes,
    TaskBacklog backlog,
    TimeProvider clock,
    ILogger<TaskBacklogMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            await CountAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Counts the waiting tasks now; an outage keeps the last count.</summary>
    public async Task CountAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            var waiting = await db.UntrackedTasks
                .LongCountAsync(t => t.CurrentState == TaskStates.Submitted, cancellationToken);
            backlog.Record(waiting, clock.GetUtcNow().UtcDateTime);
            _failing = false;
        }
        // A database outage (or one that surfaces as a cancelled task) keeps the last count; stopping ends the loop.
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            if (!_failing)
                LogCountFailed(e);
            _failing = true;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Counting the waiting tasks failed; the last count stands until the database answers")]
    partial void LogCountFailed(Exception exception);
}
