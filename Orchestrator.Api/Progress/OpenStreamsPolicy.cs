using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Orchestrator.Api.Security;
using Orchestrator.Workflow.Admission;

namespace Orchestrator.Api.Progress;

/// <summary>
/// At most <see cref="ProgressOptions.MaxStreamsPerOwner"/> open progress streams per owner (per client address when
/// anonymous access is allowed beyond loopback): each costs a query every heartbeat. The rate limiter holds a
/// stream's permit until the stream ends. Off where the abuse limits are (<see cref="RateLimitOptions.IsEnabled"/>).
/// </summary>
public sealed class OpenStreamsPolicy(IOptions<ProgressOptions> progress, IOptions<RateLimitOptions> limits, IOptions<AuthOptions> auth)
    : IRateLimiterPolicy<string>
{
    public const string Name = "progress-streams";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => (context, _) =>
        new ValueTask(DetailResults.TryLater(context.HttpContext, progress.Value.Heartbeat,
            $"Too many open event streams (at most {progress.Value.MaxStreamsPerOwner}); close one, or try again later").ExecuteAsync(context.HttpContext));

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        if (!limits.Value.IsEnabled(auth.Value.OpenToOthers))
            return RateLimitPartition.GetNoLimiter("off");

        var partition = auth.Value.Mode == AuthMode.Jwt
            ? "owner:" + Caller.From(httpContext).OwnerId
            : "address:" + (httpContext.Connection.RemoteIpAddress ?? IPAddress.None);
        return RateLimitPartition.GetConcurrencyLimiter(partition, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = progress.Value.MaxStreamsPerOwner,
            QueueLimit = 0,
        });
    }
}
