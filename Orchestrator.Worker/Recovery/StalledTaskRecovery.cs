using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Worker.Recovery;

/// <summary>
/// Never lose a task: unfinished tasks whose state stopped moving (a crash took the message in flight) are
/// sent <see cref="ResumeTask"/>, and the saga repeats the step it waits on; payments repeat under the same
/// idempotency key, so a resumed purchase is never charged twice.
/// </summary>
public sealed partial class StalledTaskRecovery(
    IServiceScopeFactory scopes,
    IBus bus,
    IHostApplicationLifetime lifetime,
    IOptions<RecoveryOptions> options,
    TimeProvider clock,
    ILogger<StalledTaskRecovery> logger) : BackgroundService
{
    const int BatchSize = 500;
    static readonly string[] Finished = [nameof(ResearchTaskStateMachine.Completed), nameof(ResearchTaskStateMachine.Failed)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var startedAt = clock.GetUtcNow().UtcDateTime;
        if (!await ApplicationStarted(stoppingToken))
            return;

        var settings = options.Value;
        if (settings.ResumeAllOnStart)
            await ResumeAsync(startedAt, stoppingToken);

        using var timer = new PeriodicTimer(settings.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await ResumeAsync(clock.GetUtcNow().UtcDateTime - settings.StallAfter, stoppingToken);
    }

    /// <summary>Resumes the unfinished tasks whose state has not changed since <paramref name="updatedBefore"/>.</summary>
    public async Task<int> ResumeAsync(DateTime updatedBefore, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            var stalled = await db.ResearchTasks.AsNoTracking().IgnoreAutoIncludes()
                .Where(t => !Finished.Contains(t.CurrentState) && t.UpdatedAt < updatedBefore)
                .OrderBy(t => t.UpdatedAt)
                .Select(t => t.CorrelationId)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);

            foreach (var taskId in stalled)
                await bus.Publish(new ResumeTask(taskId), cancellationToken);
            if (stalled.Count > 0)
                LogResumed(stalled.Count);
            return stalled.Count;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSweepFailed(ex);
            return 0;
        }
    }

    async Task<bool> ApplicationStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var onStarted = lifetime.ApplicationStarted.Register(started.SetResult);
        using var onStopping = stoppingToken.Register(started.SetCanceled);
        try
        {
            await started.Task;
            return true;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Resumed {Count} unfinished tasks whose state had stopped moving")]
    partial void LogResumed(int count);

    [LoggerMessage(LogLevel.Error, "Looking for stalled tasks failed; the next sweep tries again")]
    partial void LogSweepFailed(Exception exception);
}
