using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Orchestrator.Api.Responses;

public static class DetailResults
{
    /// <summary>
    /// 429 (or <paramref name="statusCode"/>) with <c>Retry-After</c> (whole seconds, at least 1) and the contract's
    /// <c>{"detail": ...}</c>.
    /// </summary>
    public static JsonHttpResult<DetailResponse> TryLater(
        HttpContext context, TimeSpan retryAfter, string detail, int statusCode = StatusCodes.Status429TooManyRequests)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Json(new DetailResponse(detail), statusCode: statusCode);
    }
}
