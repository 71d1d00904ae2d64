namespace Orchestrator.Contracts;

/// <summary>
/// A research task was accepted. This is the service's public intake message: other services publish it straight
/// onto the bus (exchange <c>Orchestrator.Contracts:TaskSubmitted</c>, camelCase JSON), so its name and shape are stable.
/// </summary>
public sealed record TaskSubmitted(Guid TaskId, string Theme, int Budget, string VoiceId, DateTimeOffset SubmittedAt);
