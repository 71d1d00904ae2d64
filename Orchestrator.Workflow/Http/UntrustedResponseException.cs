namespace Orchestrator.Workflow.Http;

/// <summary>
/// An answer refused before anyone reads it: a redirect (never followed) or a body over the size cap. Not an
/// <see cref="HttpRequestException"/>, so the resilience pipeline neither retries it nor counts it against the circuit:
/// the same server would only answer the same way again.
/// </summary>
public sealed class UntrustedResponseException(string reason) : Exception(reason);
