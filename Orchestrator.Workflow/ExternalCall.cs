using System.Net;
using Orchestrator.Workflow.Http;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace Orchestrator.Workflow;

/// <summary>Turns what an HTTP call can end in, once its retries are spent, into a <see cref="ResearchStepException"/>.</summary>
static class ExternalCall
{
    /// <remarks>
    /// <paramref name="hasEffect"/>: the request may change something (a payment): an answer refused unread (a
    /// redirect, a body over the cap) then leaves its outcome unknown, as a timeout does.
    /// </remarks>
    public static async Task<TResponse> Run<TResponse>(
        string errorType, string what, Func<Task<TResponse>> call, CancellationToken cancellationToken, bool hasEffect = false)
        where TResponse : IApiResponse
    {
        TResponse response;
        try
        {
            response = await call();
        }
        catch (Exception e) when (Refused(e) is { } refused)
        {
            throw new ResearchStepException(errorType, $"{what}: the service {refused.Message}", transient: hasEffect);
        }
        catch (Exception e) when (IsTransportFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new ResearchStepException(errorType, $"{what} failed: {Describe(e)}", transient: true);
        }

        // A generated client hands transport failures back in the response instead of throwing them.
        if (!response.IsReceived && Refused(response.Error) is { } refusal)
            throw new ResearchStepException(errorType, $"{what}: the service {refusal.Message}", transient: hasEffect);
        if (!response.IsReceived && response.Error is { } error && !cancellationToken.IsCancellationRequested)
            throw new ResearchStepException(errorType, $"{what} failed: {Describe(error.InnerException ?? error)}", transient: true);
        return response;
    }

    static UntrustedResponseException? Refused(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is UntrustedResponseException refused)
                return refused;
        }

        return null;
    }

    public static ResearchStepException Unexpected(string errorType, string what, IApiResponse response) =>
        new(errorType, $"{what} failed: HTTP {(int?)response.StatusCode} {response.ReasonPhrase}".TrimEnd(),
            transient: response.StatusCode is >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);

    public static bool Is(this IApiResponse response, HttpStatusCode status) => response.StatusCode == status;

    static bool IsTransportFailure(Exception e) =>
        e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or TaskCanceledException or ApiException;

    static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException or TaskCanceledException => "timed out",
        BrokenCircuitException => "the service is unavailable (circuit open)",
        _ => e.Message,
    };
}
