using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Workflow.Recovery;

/// <summary>When unfinished tasks are asked to resume (see <see cref="UnfinishedTaskSweep"/>).</summary>
public sealed class RecoveryOptions
{
    public const string Section = "Recovery";

    /// <summary>
    /// Resume every unfinished task at start. Right for the in-memory bus, where nothing in flight survives
    /// the process (nor do its payment leases and claims, which are then given back first); on RabbitMQ the messages
    /// are durable and only stalled tasks need a nudge.
    /// </summary>
    public bool ResumeAllOnStart { get; set; }

    /// <summary>
    /// How long a payment step's lease on its task, and a payer's claim on a purchase, last unless renewed (every
    /// third of it, while the step runs): a payer that crashed frees them within this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:10:00")]
    public TimeSpan PaymentLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A task whose state has not changed for this long is resumed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often stalled tasks are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often tasks past their deadline, and tasks whose deferred step is due (<c>deferred_until</c> passed), are looked
    /// for: a deadline fires at most this late (plus the time to handle the message).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan DuePoll { get; set; } = TimeSpan.FromSeconds(1);
}
