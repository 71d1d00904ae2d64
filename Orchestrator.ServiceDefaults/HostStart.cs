namespace Orchestrator.ServiceDefaults;

/// <summary>For background services that must not act before the host has started (its endpoints, its schema).</summary>
public static class HostStart
{
    /// <summary>Waits until the host has started: true; or until <paramref name="stoppingToken"/> fires first: false.</summary>
    public static async Task<bool> WaitForStartAsync(this IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
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
}
