using System.Threading.Channels;

namespace Orchestrator.Workflow.Admission;

/// <summary>
/// Wakes this process's admission at once: a task was recorded here, or one ended here. Wakes that come while it
/// is busy are folded into one; other hosts' work is found by polling.
/// </summary>
public sealed class AdmissionSignal : ITaskEndObserver
{
    readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => _wakes.Writer.TryWrite(true);

    /// <summary>A task this process moved ended (the saga says so once its final state is committed): a slot is free.</summary>
    public void TaskEnded() => Wake();

    /// <summary>Waits until woken or until <paramref name="timeout"/> has passed.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, clock);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _wakes.Reader.ReadAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
