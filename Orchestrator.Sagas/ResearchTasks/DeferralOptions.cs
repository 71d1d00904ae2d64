using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>How long a task waits before it tries a step again that failed for now (<c>Recovery</c> section).</summary>
public sealed class DeferralOptions
{
    public const string Section = "Recovery";

    /// <summary>The wait after the first failure; it doubles with every further one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan DeferralDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two attempts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan DeferralMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The wait before attempt <paramref name="attempts"/> + 1, with up to a quarter more at random, so that tasks
    /// held up by one outage do not all come back at the same instant.
    /// </summary>
    public TimeSpan DelayAfter(int attempts)
    {
        var doubled = DeferralDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var delay = Math.Min(doubled, DeferralMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (1 + Random.Shared.NextDouble() / 4));
    }
}
