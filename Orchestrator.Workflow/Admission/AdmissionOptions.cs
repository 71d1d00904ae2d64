using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Workflow.Admission;

/// <summary>How many workflows run at once, and how many recorded tasks may wait for one (section <c>Workflow</c>).</summary>
public sealed class AdmissionOptions
{
    public const string Section = "Workflow";

    /// <summary>
    /// Tasks in a working state (Discovering to Reporting) at once, over all hosts. A task spends nearly all its
    /// time waiting on the marketplace and the Payment Manager, so the default is 16 per processor: enough to keep
    /// the processors busy, few enough that a burst does not hold thousands of workflows' messages, HTTP
    /// connections and saga rows in contention at once.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentTasks { get; set; } = 16 * Environment.ProcessorCount;

    /// <summary>Recorded tasks waiting (<c>Submitted</c>) beyond which <c>POST /tasks</c> answers 503.</summary>
    [Range(1, 10_000_000)]
    public int MaxQueuedTasks { get; set; } = 10_000;

    /// <summary>How often the database is looked at for tasks recorded or finished by other hosts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan AdmissionPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A task sent <c>TaskAccepted</c> that is still <c>Submitted</c> this long after is sent it again (the message was lost).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AdmissionResendAfter { get; set; } = TimeSpan.FromSeconds(30);
}
