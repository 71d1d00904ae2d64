using System.Text.Json.Serialization;

namespace Orchestrator.Api.Responses;

/// <summary>One problem of a request, in FastAPI's (pydantic v1) format: <c>loc</c> holds names and, for a JSON
/// syntax error, the character position.</summary>
public sealed record ValidationError(
    [property: JsonPropertyName("loc")] IReadOnlyList<object> Loc,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("type")] string Type);

/// <summary>The 422 body: every problem of the request, in field order.</summary>
public sealed record ValidationErrorResponse([property: JsonPropertyName("detail")] IReadOnlyList<ValidationError> Detail);
