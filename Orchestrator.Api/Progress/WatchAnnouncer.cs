using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Progress;

/// <summary>
/// Tells the hosts that run the workflow which tasks this Api's streams watch (<see cref="TasksWatched"/>): once
/// when a stream opens, then all of them again every heartbeat, for three heartbeats, so a watch outlives a lost
/// message and ends by itself when the Api goes away.
/// </summary>
public sealed partial class WatchAnnouncer(IBus bus, TaskProgressHub hub, IOptions<ProgressOptions> options, ILogger<WatchAnnouncer> logger)
    : BackgroundService
{
    const int MaxIdsPerMessage = 1000;
    static readonly TimeSpan AnnounceTimeout = TimeSpan.FromSeconds(2);
    readonly TimeSpan _heartbeat = options.Value.Heartbeat;

    TimeSpan WatchFor => _heartbeat * 3;

    public async Task AnnounceAsync(Guid taskId, CancellationToken cancellationToken)
    {
        // A broker that is down must not hold the stream up.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnnounceTimeout);
        try
        {
            await bus.Publish(new TasksWatched([taskId], WatchFor), timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The stream still works: it re-reads the task on every heartbeat.
            LogNotAnnounced(logger, taskId, e.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_heartbeat);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var chunk in hub.WatchedTaskIds().Chunk(MaxIdsPerMessage))
                    await bus.Publish(new TasksWatched(chunk, WatchFor), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogNotRenewed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Task {TaskId}: its watch could not be announced ({Reason}); its stream reads it on every heartbeat")]
    static partial void LogNotAnnounced(ILogger logger, Guid taskId, string reason);

    [LoggerMessage(LogLevel.Warning, "The watched tasks could not be announced again ({Reason})")]
    static partial void LogNotRenewed(ILogger logger, string reason);
}
