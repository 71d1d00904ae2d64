namespace Orchestrator.Contracts;

/// <summary>The intake found a submitted task valid: the saga starts it (theme trimmed).</summary>
public sealed record TaskAccepted(Guid TaskId, string Theme, int Budget, string VoiceId);

/// <summary>The intake refused a submitted task that has an id: the saga records it <c>Failed</c> with the reason.</summary>
public sealed record TaskRejected(Guid TaskId, string Theme, int Budget, string Reason);
