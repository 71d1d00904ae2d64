namespace Orchestrator.Api.Tasks;

/// <summary>A valid <c>POST /tasks</c> body: the theme trimmed, the budget a positive integer.</summary>
public sealed record SubmitTaskRequest(string Theme, int Budget, string VoiceId);
