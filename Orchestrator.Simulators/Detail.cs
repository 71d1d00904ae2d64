using System.Text.Json.Serialization;

namespace Orchestrator.Simulators;

/// <summary>An error body: <c>{"detail": "..."}</c>.</summary>
public sealed record Detail([property: JsonPropertyName("detail")] string Text);
