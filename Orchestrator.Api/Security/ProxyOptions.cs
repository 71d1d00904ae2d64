using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Orchestrator.Api.Security;

/// <summary>The reverse proxies in front of the Api (<c>Proxy:*</c>): only they may say who the client is.</summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "Proxy";

    /// <summary>
    /// Addresses whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed; empty (the default):
    /// forwarded headers are ignored, whoever sends them.
    /// </summary>
    public IList<string> KnownProxies { get; } = [];

    public IEnumerable<IPAddress> Addresses => KnownProxies.Select(IPAddress.Parse);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"Proxy:KnownProxies: '{proxy}' is not an IP address");
    }
}
