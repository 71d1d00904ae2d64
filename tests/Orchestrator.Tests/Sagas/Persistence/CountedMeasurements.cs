using System.Diagnostics.Metrics;

namespace Orchestrator.Tests.Sagas.Persistence;

/// <summary>
/// Counts what one test's own flow adds to a counter of the service's meter (the instrument named, only
/// measurements whose <c>kind</c> tag is the kind given, if one is): the meter is process-wide and other
/// tests write in parallel, so only what the flow that called <see cref="CountThisFlow"/> (and the work it starts)
/// records is counted.
/// </summary>
sealed class CountedMeasurements : IDisposable
{
    readonly AsyncLocal<bool> _mine = new();
    readonly MeterListener _listener = new();
    long _counted;

    public CountedMeasurements(string instrument, string? kind = null)
    {
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Name == Orchestrator.Sagas.ResearchTasks.TaskMetrics.MeterName && published.Name == instrument)
                listener.EnableMeasurementEvents(published);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (_mine.Value && (kind is null || HasKind(tags, kind)))
                Interlocked.Add(ref _counted, value);
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _counted);

    public void CountThisFlow() => _mine.Value = true;

    public void Dispose() => _listener.Dispose();

    static bool HasKind(ReadOnlySpan<KeyValuePair<string, object?>> tags, string kind)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "kind" && Equals(tag.Value, kind))
                return true;
        }

        return false;
    }
}
