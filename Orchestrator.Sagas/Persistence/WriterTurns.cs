namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// The turns of a SQLite file's one writer (<see cref="SqliteTuning"/>): first come, first served, except that a
/// writer asking <see cref="Ahead"/> (a request someone waits for: recording submitted tasks) goes before the queued
/// ones (workflow steps, which nobody waits for). Never two of those turns in a row while others wait, so the queue
/// always moves: at worst every other turn is the queue's.
/// </summary>
public sealed class WriterTurns
{
    static readonly AsyncLocal<bool> AheadHere = new();

    readonly object _gate = new();
    readonly LinkedList<TaskCompletionSource> _queue = new();
    readonly LinkedList<TaskCompletionSource> _ahead = new();
    bool _held;
    bool _lastWasAhead;

    /// <summary>The writes begun in this flow until disposed take the next turn ahead of the queue.</summary>
    public static IDisposable Ahead()
    {
        AheadHere.Value = true;
        return new Restore();
    }

    public bool TryTake()
    {
        lock (_gate)
        {
            if (_held)
                return false;
            (_held, _lastWasAhead) = (true, AheadHere.Value);
            return true;
        }
    }

    /// <summary>True once the turn is ours; false if <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> TakeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ahead = AheadHere.Value;
        TaskCompletionSource turn;
        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            if (!_held)
            {
                (_held, _lastWasAhead) = (true, ahead);
                return true;
            }

            turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = (ahead ? _ahead : _queue).AddLast(turn);
        }

        try
        {
            await turn.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            bool waited;
            lock (_gate)
            {
                waited = node.List is not null;
                node.List?.Remove(node);
            }

            if (waited && e is TimeoutException)
                return false;
            if (!waited)
            {
                // The turn came as the wait ended: it is ours. A cancelled writer gives it on.
                if (e is TimeoutException)
                    return true;
                Release();
            }

            throw;
        }
    }

    public bool Take(TimeSpan timeout) => TakeAsync(timeout, CancellationToken.None).GetAwaiter().GetResult();

    public void Release()
    {
        TaskCompletionSource next;
        lock (_gate)
        {
            var from = _ahead.Count > 0 && (!_lastWasAhead || _queue.Count == 0) ? _ahead : _queue;
            if (from.First is not { } first)
            {
                _held = false;
                return;
            }

            from.RemoveFirst();
            (next, _lastWasAhead) = (first.Value, from == _ahead);
        }

        next.SetResult();
    }

    sealed class Restore : IDisposable
    {
        public void Dispose() => AheadHere.Value = false;
    }
}
