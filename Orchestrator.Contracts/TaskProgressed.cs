namespace Orchestrator.Contracts;

/// <summary>
/// A task changed state (its new state is committed). Watchers of the task learn of it from this: the Api re-reads
/// the task's progress when it arrives instead of polling the database. It carries no secret.
/// </summary>
public sealed record TaskProgressed(Guid TaskId, string FromState, string ToState, long Spent, DateTime At);
