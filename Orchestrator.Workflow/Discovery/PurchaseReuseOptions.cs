using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Workflow.Discovery;

/// <summary>Never paying twice for the same data (<c>Purchases</c> section).</summary>
public sealed class PurchaseReuseOptions
{
    public const string Section = "Purchases";

    /// <summary>
    /// How long an item an owner bought is read again from that purchase instead of being bought again from the same
    /// marketplace; zero: always buy.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan ReuseFor { get; set; } = TimeSpan.FromDays(7);
}
