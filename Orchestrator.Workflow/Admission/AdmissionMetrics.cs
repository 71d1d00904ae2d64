using System.Diagnostics.Metrics;

namespace Orchestrator.Workflow.Admission;

/// <summary>The backlog's instruments, on the service's meter (<see cref="TaskMetrics.MeterName"/>).</summary>
public static class AdmissionMetrics
{
    static readonly Meter Meter = new(TaskMetrics.MeterName, "1.0");

    static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "orchestrator.tasks.rejected", "{task}", "Submissions refused with 503 because too many recorded tasks wait to start");

    /// <summary>-1 until the first count.</summary>
    static long _waiting = -1;

    static AdmissionMetrics() =>
        Meter.CreateObservableGauge("orchestrator.tasks.waiting", ObserveWaiting, "{task}",
            "Recorded tasks waiting to start (Submitted), over all hosts, as last counted");

    public static void WaitingCounted(long waiting) => Interlocked.Exchange(ref _waiting, waiting);

    public static void SubmissionRejected() => Rejected.Add(1);

    static IEnumerable<Measurement<long>> ObserveWaiting() =>
        Interlocked.Read(ref _waiting) is var waiting and >= 0 ? [new Measurement<long>(waiting)] : [];
}
