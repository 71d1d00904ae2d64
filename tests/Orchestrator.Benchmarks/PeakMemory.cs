using System.Diagnostics;

namespace Orchestrator.Benchmarks;

/// <summary>
/// The resident set of a process while it is sampled (every 100 ms), for one phase of a run: the kernel's own
/// peak (VmHWM) covers the whole life of the process, not a phase. The samples are kept (a few thousand at most)
/// to tell whether memory stays flat over a long phase.
/// </summary>
sealed class PeakMemory : IDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly List<(TimeSpan At, double MiB)> _samples = [];
    readonly Task _sampling;

    public PeakMemory(ServiceProcess process) => _sampling = Task.Run(async () =>
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var now = process.MemoryMiB().Now;
            lock (_samples)
                _samples.Add((clock.Elapsed, now));
            if (_stop.IsCancellationRequested)
                return;
            await Task.Delay(100);
        }
    });

    /// <summary>Stops sampling; the peak seen, in MiB.</summary>
    public async Task<double> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        return Peak(0, 1);
    }

    /// <summary>The peak between two fractions of the sampled span (0 to 1): the first half, the second half.</summary>
    public double Peak(double from, double to)
    {
        lock (_samples)
        {
            var span = _samples[^1].At;
            return _samples.Where(s => s.At >= span * from && s.At <= span * to).Select(s => s.MiB).DefaultIfEmpty(0).Max();
        }
    }

    public void Dispose() => _stop.Dispose();
}
