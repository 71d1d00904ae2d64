namespace Orchestrator.Contracts;

/// <summary>
/// A task changed state (its new state is committed). Watchers of the task learn of it from this: the Api re-reads
/// the task's progress when it arrives instead of polling the database. It carries no secret, and it is published
/// only for tasks someone watches (<see cref="TasksWatched"/>).
/// </summary>
public sealed record TaskProgressed(Guid TaskId, string FromState, string ToState, long Spent, DateTime At);

/// <summary>
/// Someone watches these tasks' progress, for <paramref name="For"/> from now unless told again: the hosts that run
/// the workflow publish <see cref="TaskProgressed"/> for them, and for no other task.
/// </summary>
public sealed record TasksWatched(IReadOnlyList<Guid> TaskIds, TimeSpan For);
