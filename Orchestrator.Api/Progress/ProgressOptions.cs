using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Api.Progress;

/// <summary>The progress stream (<c>Progress:*</c>).</summary>
public sealed class ProgressOptions
{
    public const string Section = "Progress";

    /// <summary>A comment line sent on a stream that had nothing else to say for this long, so proxies keep it open.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Open streams per owner (per client address when anonymous), where the abuse limits apply; 429 beyond.</summary>
    [Range(1, 100_000)]
    public int MaxStreamsPerOwner { get; set; } = 20;
}
