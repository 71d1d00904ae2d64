using System.Diagnostics;

namespace Orchestrator.Workflow.Admission;

/// <summary>
/// One trace per task though its start is deferred: the task is recorded with the trace id of its submission
/// (<c>POST /tasks</c>, or the bus intake's consume), and admission sends <c>TaskAccepted</c> within that trace, so
/// that every span of the workflow joins it.
/// </summary>
public static class TaskTrace
{
    /// <summary>The trace id to record with a new task: the current trace's, if any.</summary>
    public static string? Current => Activity.Current is { } activity ? activity.TraceId.ToHexString() : null;

    /// <summary>
    /// Makes the recorded trace current until disposed (null when there is none); the span that submitted the task
    /// is gone, so the admission span hangs under a parent id of its own in that trace.
    /// </summary>
    public static Activity? Continue(string? traceId)
    {
        if (traceId is not { Length: 32 } || !traceId.All(char.IsAsciiHexDigitLower))
            return null;

        var activity = new Activity("admit-task");
        activity.SetParentId(ActivityTraceId.CreateFromString(traceId), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        return activity.Start();
    }
}
