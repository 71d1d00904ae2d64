using System.Diagnostics.Metrics;

namespace Orchestrator.Tests.Sagas.Persistence;

/// <summary>
/// Counts <c>orchestrator.db.transactions</c> committed by one test's own flow: the meter is process-wide and other
/// tests write in parallel, so only what the flow that called <see cref="CountThisFlow"/> (and the work it starts)
/// records is counted.
/// </summary>
sealed class CountedWriteTransactions : IDisposable
{
    readonly AsyncLocal<bool> _mine = new();
    readonly MeterListener _listener = new();
    long _counted;

    public CountedWriteTransactions()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TaskMetrics.MeterName && instrument.Name == DatabaseMetrics.TransactionsName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (_mine.Value)
                Interlocked.Add(ref _counted, value);
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _counted);

    public void CountThisFlow() => _mine.Value = true;

    public void Dispose() => _listener.Dispose();
}
