using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Api.Security;

/// <summary>Abuse limits on <c>POST /tasks</c> (<c>RateLimit:*</c>).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>
    /// On by default wherever the Api is open to more than the local user: under <c>Auth:Mode=Jwt</c> (per
    /// owner) and with <c>Auth:AllowAnonymous</c> (per client address); off for the loopback-only anonymous mode,
    /// so that one local user can run the benchmark. Set it to force either way.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>New tasks per minute, per owner (or client address).</summary>
    [Range(1, 1_000_000)]
    public int TasksPerMinute { get; set; } = 60;

    /// <summary>
    /// Tasks of one owner that may end in <c>AuthenticationError</c> within an hour; beyond it their new tasks
    /// are refused until the hour has passed, so that voice ids cannot be guessed.
    /// </summary>
    [Range(1, 1_000_000)]
    public int AuthFailuresPerHour { get; set; } = 5;

    public bool IsEnabled(AuthOptions auth) => Enabled ?? (auth.Mode == AuthMode.Jwt || auth.AllowAnonymous);
}
