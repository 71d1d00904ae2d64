using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Workflow.Admission;

/// <summary>
/// Abuse limits on new tasks (<c>RateLimit:*</c>), the same on both ways in: <c>POST /tasks</c> and the bus intake
/// (<see cref="SubmissionLimits"/>).
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>
    /// On by default wherever a way in is open to more than the local user: the Api under <c>Auth:Mode=Jwt</c>
    /// (per owner) and with <c>Auth:AllowAnonymous</c> (per client address), the bus intake on RabbitMQ (per
    /// owner); off for the loopback-only anonymous mode and the in-memory bus, so that one local user can run the
    /// benchmark. Set it to force either way.
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

    /// <summary>Whether the limits apply to a way in that is (or is not) <paramref name="openToOthers"/>, unless <see cref="Enabled"/> says.</summary>
    public bool IsEnabled(bool openToOthers) => Enabled ?? openToOthers;
}
