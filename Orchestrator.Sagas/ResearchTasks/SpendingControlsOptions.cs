using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>A person approves a plan whose total is above <see cref="Threshold"/> before anything is paid (<c>Approval</c> section).</summary>
public sealed class ApprovalOptions
{
    public const string Section = "Approval";

    /// <summary>In budget units; null: no approval is asked.</summary>
    [Range(0, long.MaxValue)]
    public long? Threshold { get; set; }

    /// <summary>How long a plan waits for a decision; then the task ends Cancelled, "approval timed out".</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>What one owner's tasks may spend in one UTC day, whatever their number (<c>Spending</c> section).</summary>
public sealed class SpendingOptions
{
    public const string Section = "Spending";

    /// <summary>In budget units; null: no daily limit.</summary>
    [Range(0, long.MaxValue)]
    public long? DailyLimitPerOwner { get; set; }
}
