namespace Orchestrator.Contracts;

/// <summary>
/// A valid task is recorded <c>Submitted</c> with its owner and voice id (by the Api, or by the bus intake): the
/// saga starts it. It carries no secret: the voice id stays in the database.
/// </summary>
public sealed record TaskAccepted(Guid TaskId);
