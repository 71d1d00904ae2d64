using System.Net;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace Orchestrator.Worker;

/// <summary>Turns what an HTTP call can end in, once its retries are spent, into a <see cref="ResearchStepException"/>.</summary>
static class ExternalCall
{
    public static async Task<TResponse> Run<TResponse>(
        string errorType, string what, Func<Task<TResponse>> call, CancellationToken cancellationToken)
        where TResponse : IApiResponse
    {
        TResponse response;
        try
        {
            response = await call();
        }
        catch (Exception e) when (IsTransportFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new ResearchStepException(errorType, $"{what} failed: {Describe(e)}", transient: true);
        }

        // A generated client hands transport failures back in the response instead of throwing them.
        if (!response.IsReceived && response.Error is { } error && !cancellationToken.IsCancellationRequested)
            throw new ResearchStepException(errorType, $"{what} failed: {Describe(error.InnerException ?? error)}", transient: true);
        return response;
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
