using System.Threading.Channels;

namespace Orchestrator.Api.Progress;

/// <summary>
/// Tells the streams of this process that their task changed. A signal carries no data: a stream reads what is
/// new itself, so a signal dropped because one is already pending loses nothing.
/// </summary>
public sealed class TaskProgressHub
{
    readonly Dictionary<Guid, List<Subscription>> _subscriptions = [];

    public int Count
    {
        get
        {
            lock (_subscriptions)
                return _subscriptions.Values.Sum(s => s.Count);
        }
    }

    /// <summary>The tasks that have a stream open in this process now.</summary>
    public IReadOnlyList<Guid> WatchedTaskIds()
    {
        lock (_subscriptions)
            return [.. _subscriptions.Keys];
    }

    public Subscription Subscribe(Guid taskId)
    {
        var subscription = new Subscription(this, taskId);
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(taskId, out var list))
                _subscriptions[taskId] = list = [];
            list.Add(subscription);
        }

        return subscription;
    }

    public void Notify(Guid taskId)
    {
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(taskId, out var list))
                return;
            foreach (var subscription in list)
                subscription.Signal();
        }
    }

    void Remove(Subscription subscription)
    {
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(subscription.TaskId, out var list))
                return;
            list.Remove(subscription);
            if (list.Count == 0)
                _subscriptions.Remove(subscription.TaskId);
        }
    }

    public sealed class Subscription(TaskProgressHub hub, Guid taskId) : IDisposable
    {
        // One pending signal is all a stream needs: it reads everything new when it wakes.
        readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });

        public Guid TaskId { get; } = taskId;

        internal void Signal() => _signals.Writer.TryWrite(true);

        /// <summary>True when the task changed within <paramref name="timeout"/>, false when it did not.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            try
            {
                await _signals.Reader.ReadAsync(wait.Token);
                return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        public void Dispose() => hub.Remove(this);
    }
}
