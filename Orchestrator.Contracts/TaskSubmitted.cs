namespace Orchestrator.Contracts;

/// <summary>
/// A research task, published by another service. This is the service's public intake message: other services
/// publish it straight onto the bus (exchange <c>Orchestrator.Contracts:TaskSubmitted</c>, camelCase JSON), so its
/// name and shape are stable. <paramref name="OwnerId"/> is optional (the task's owner; <c>bus</c> when absent).
/// The service itself never publishes it: it carries the publisher's voice id.
/// </summary>
public sealed record TaskSubmitted(Guid TaskId, string Theme, long Budget, string VoiceId, DateTimeOffset SubmittedAt, string? OwnerId = null);
