using System.Collections.Concurrent;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// The tasks someone watches (<see cref="TasksWatched"/>), as this host heard: only their state changes are
/// published (<see cref="TaskProgressed"/>), so an unwatched task costs no message for its watchers.
/// </summary>
public sealed class WatchedTasks(TimeProvider clock)
{
    readonly ConcurrentDictionary<Guid, DateTimeOffset> _until = new();
    DateTimeOffset _nextSweep;

    public void Watch(TasksWatched watched)
    {
        var until = clock.GetUtcNow() + watched.For;
        foreach (var taskId in watched.TaskIds)
            _until[taskId] = until;
        Forget();
    }

    public bool IsWatched(Guid taskId) => _until.TryGetValue(taskId, out var until) && until > clock.GetUtcNow();

    /// <summary>Drops what nobody watches any more, at most once a minute.</summary>
    void Forget()
    {
        var now = clock.GetUtcNow();
        if (now < _nextSweep)
            return;
        _nextSweep = now.AddMinutes(1);
        foreach (var (taskId, until) in _until)
        {
            if (until <= now)
                _until.TryRemove(taskId, out _);
        }
    }
}
