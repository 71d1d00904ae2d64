using System.Net;

namespace Orchestrator.Api.Security;

/// <summary>
/// Without identities every caller may read and cancel every task, which is fine for one person on their own
/// machine: so with <c>Auth:Mode=None</c> the Api refuses to start on an address beyond loopback unless
/// <c>Auth:AllowAnonymous=true</c> says that is meant. It runs before the server binds.
/// </summary>
sealed partial class AnonymousAccessGuard(IConfiguration configuration, IOptions<AuthOptions> auth, ILogger<AnonymousAccessGuard> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (auth.Value.AllowAnonymous)
            return Task.CompletedTask;

        var open = ListenAddresses(configuration).Where(address => !IsLoopback(address)).ToList();
        if (open.Count == 0)
            return Task.CompletedTask;

        var reason = $"Auth:Mode is None (no identities: anyone could read and cancel every task) and the Api would listen on {string.Join(", ", open)}, " +
                     "beyond loopback. Set Auth:Mode=Jwt (with Auth:SigningKey or Auth:Authority), or Auth:AllowAnonymous=true if that is meant.";
        LogRefused(logger, reason);
        throw new InvalidOperationException(reason);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Where Kestrel will listen: <c>urls</c> (ASPNETCORE_URLS, --urls), <c>http_ports</c>/<c>https_ports</c>, and Kestrel endpoints.</summary>
    static IEnumerable<string> ListenAddresses(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ports = $"{configuration["http_ports"]};{configuration["https_ports"]}"
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(port => $"http://*:{port}");
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>();
        return urls.Concat(ports).Concat(endpoints);
    }

    static bool IsLoopback(string url)
    {
        var host = url.Split("://", 2) is [_, var rest] ? rest : url;
        host = host.Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    [LoggerMessage(LogLevel.Critical, "Refusing to start: {Reason}")]
    static partial void LogRefused(ILogger logger, string reason);
}
