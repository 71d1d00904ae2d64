using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Api.Progress;

/// <summary>The progress stream (<c>Progress:*</c>).</summary>
public sealed class ProgressOptions
{
    public const string Section = "Progress";

    /// <summary>A comment line sent on a stream that had nothing else to say for this long, so proxies keep it open.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
}
