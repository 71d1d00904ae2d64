using System.Net;

namespace Orchestrator.Api.Security;

/// <summary>
/// With <c>Auth:Mode=None</c> (and without <c>Auth:AllowAnonymous</c>) the Api serves its own machine only, so a
/// request must come from a loopback address and name a loopback host (<c>localhost</c>, <c>127.0.0.1</c>,
/// <c>[::1]</c>, any port): a web page whose name was rebound to 127.0.0.1 reaches the port from a visitor's
/// browser, but its requests still carry its own name, and are answered 400. A connection without an address
/// (in-process test servers, Unix sockets) cannot come from another machine.
/// </summary>
sealed class LoopbackOnlyRequests(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!IsLoopbackHost(context.Request.Host.Host))
            return RefuseAsync(context, "Anonymous mode (Auth:Mode=None) serves loopback only: the Host header must be localhost, 127.0.0.1 or [::1]");
        if (context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
            return RefuseAsync(context, "Anonymous mode (Auth:Mode=None) serves loopback only: this client is not on this machine");
        return next(context);
    }

    static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host is "127.0.0.1" or "[::1]";

    static Task RefuseAsync(HttpContext context, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(new DetailResponse(detail), context.RequestAborted);
    }
}

/// <summary>
/// Puts the forwarded headers (from <c>Proxy:KnownProxies</c> only) and, in the loopback-only anonymous mode,
/// <see cref="LoopbackOnlyRequests"/> in front of everything else, static files included, whatever order
/// <c>Program.cs</c> maps things in.
/// </summary>
sealed class ClientCheckStartupFilter(IOptions<AuthOptions> auth, IOptions<ProxyOptions> proxy) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (proxy.Value.KnownProxies.Count > 0)
            app.UseForwardedHeaders();
        if (auth.Value is { Mode: AuthMode.None, AllowAnonymous: false })
            app.UseMiddleware<LoopbackOnlyRequests>();
        next(app);
    };
}
