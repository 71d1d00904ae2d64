namespace Orchestrator.Api.Responses;

/// <summary>The contract's <c>{"detail": ...}</c> answer of every error but the 422.</summary>
public sealed record DetailResponse(string Detail);
