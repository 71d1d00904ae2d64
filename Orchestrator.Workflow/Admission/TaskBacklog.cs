namespace Orchestrator.Workflow.Admission;

/// <summary>
/// How many recorded tasks wait to start, as last counted by <see cref="TaskBacklogMonitor"/>, and how fast the
/// backlog drains: read on every <c>POST /tasks</c> without a query.
/// </summary>
public sealed class TaskBacklog(IOptions<AdmissionOptions> options)
{
    /// <summary>The answer's <c>Retry-After</c> before any drain has been measured.</summary>
    public static readonly TimeSpan UnmeasuredRetryAfter = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    const double Smoothing = 0.3;

    volatile Reading? _last;

    /// <summary>Tasks <c>Submitted</c> at the last count; 0 before the first.</summary>
    public long Waiting => _last?.Waiting ?? 0;

    /// <summary>Tasks that left the backlog per second, smoothed over the counts that saw it shrink; 0 when never seen.</summary>
    public double DrainPerSecond => _last?.DrainPerSecond ?? 0;

    /// <summary>More tasks wait than <see cref="AdmissionOptions.MaxQueuedTasks"/>: new ones are refused.</summary>
    public bool IsOverloaded => Waiting > options.Value.MaxQueuedTasks;

    /// <summary>
    /// When to try again: the time the measured drain rate needs to take the backlog back to the limit, from 1 s to
    /// <see cref="MaxRetryAfter"/>; <see cref="UnmeasuredRetryAfter"/> until a drain has been measured.
    /// </summary>
    public TimeSpan RetryAfter
    {
        get
        {
            var rate = DrainPerSecond;
            if (rate <= 0)
                return UnmeasuredRetryAfter;
            var excess = Math.Max(1, Waiting - options.Value.MaxQueuedTasks);
            return TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(excess / rate), 1, MaxRetryAfter.TotalSeconds));
        }
    }

    /// <summary>Records a count, made by one reader at a time.</summary>
    public void Record(long waiting, DateTime at)
    {
        var last = _last;
        var rate = last?.DrainPerSecond ?? 0;
        var seconds = last is null ? 0 : (at - last.At).TotalSeconds;
        if (last is not null && seconds > 0 && waiting < last.Waiting)
        {
            var sample = (last.Waiting - waiting) / seconds;
            rate = rate <= 0 ? sample : rate + Smoothing * (sample - rate);
        }

        _last = new Reading(waiting, rate, at);
        AdmissionMetrics.WaitingCounted(waiting);
    }

    sealed record Reading(long Waiting, double DrainPerSecond, DateTime At);
}
